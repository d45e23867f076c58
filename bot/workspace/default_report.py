"""The plain report of an office without report.toml: a section per form, every field in a
sentence with its label («Công khai thủ tục: đã công khai.»), numbers summed over the units
owing the form, percentages as one figure (never a sum), choices unit by unit, the units'
texts line by line under their label."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from domain.forms import Field, FieldType, Form
from domain.report import FigureSpec, ItemKind, ItemSpec, ReportSpec, SectionSpec
from domain.units import Unit
from templates.catalog import text


def _raw(value: str) -> str:
    """Text put into a snippet as is (a label may hold braces)."""
    return "{% raw %}" + value + "{% endraw %}"


def _label(field: Field) -> str:
    title = field.title.strip()
    return title[:1].upper() + title[1:]


def _filter(field: Field) -> str:
    if field.type is FieldType.PERCENT:
        return "percent"
    if field.type is FieldType.CHOICE:
        return "lowered"
    if field.type is FieldType.DATE:
        return "vn_date"
    return "number"


def _sentence(
    form: Form,
    field: Field,
    owing: Sequence[Unit],
    figures: dict[str, FigureSpec],
    compare: bool,
) -> str:
    """The snippet of one field: its figure, or (a choice of several units) each unit's."""
    shown = _filter(field)
    measure = field.measure if field.type in (FieldType.INTEGER, FieldType.DECIMAL) else ""
    # A choice is said unit by unit; a percentage of several units is one figure (the
    # range of their values, or recomputed from its parts: domain.report_figures).
    if len(owing) <= 1 or field.type is not FieldType.CHOICE:
        name = f"{form.code}__{field.key}"
        figures[name] = FigureSpec(name, form.code, field.key)
        values = ["{{ " + f"{name} | {shown}" + " }}"]
        # A longer period says how the figure stood the same period of the year before.
        versus = "{{ vs_last_year('" + name + "') }}" if compare else ""
    else:
        values = []
        for unit in owing:
            name = f"{form.code}__{field.key}__{unit.code}"
            figures[name] = FigureSpec(name, form.code, field.key, (unit.code,))
            values.append(_raw(unit.name) + " {{ " + f"{name} | {shown}" + " }}")
        versus = ""
    return text(
        "report.default_sentence",
        title=_raw(_label(field)),
        value="; ".join(values),
        measure=_raw(measure) if measure else "",
        compare=versus,
    )


def default_spec(
    forms: Mapping[str, Form], units: Sequence[Unit] = (), *, compare: bool = False
) -> ReportSpec:
    """A plain declaration for an office without report.toml (`compare`: each number with
    the same period of the year before, for periods longer than a month)."""
    sections = [SectionSpec("I", "I.", text("report.default_section"))]
    items: list[ItemSpec] = []
    figures: dict[str, FigureSpec] = {}
    for index, form in enumerate(forms.values(), start=1):
        key = f"I.{index}"
        sections.append(SectionSpec(key, f"{index}.", form.title))
        owing = [u for u in units if u.owes(form.code)]
        for field in form.fields:
            if field.type is FieldType.TEXT:
                lead = _label(field) + ":"
                items.append(
                    ItemSpec(
                        key,
                        ItemKind.NARRATIVE,
                        lead=lead,
                        bullet="-",
                        form=form.code,
                        field=field.key,
                        by_unit=len(owing) > 1,
                    )
                )
                continue
            snippet = _sentence(form, field, owing, figures, compare)
            items.append(ItemSpec(key, ItemKind.SENTENCE, snippet, bullet="-"))
    return ReportSpec(sections=tuple(sections), items=tuple(items), figures=figures)
