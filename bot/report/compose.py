"""From a report declaration and the period's figures to the draft Document."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.report.hotline import overdue_rows, tickets_view
from bot.report.model import Document, Gap, Paragraph, Segment, Style, UnitLine, WarningLine
from bot.report.period_words import period_words
from bot.report.snippets import Fig, clean, compiled, lead, segments
from bot.report.unit_tables import unit_tables
from bot.report.warning_text import warning_text
from bot.workspace.settings import Settings
from domain.calendar import period_window
from domain.forms import FieldType, Form
from domain.numbers import format_number
from domain.periods import Period
from domain.report import FigureSpec, ItemKind, ItemSpec, ReportSpec, SectionSpec
from domain.report_checks import (
    cross_unit_warnings,
    form_warnings,
    kept_warnings,
    ratio_warnings,
)
from domain.report_dates import document_month
from domain.report_figures import FigureBook, FigureValue, PeriodAnswers, ValueKind, figure_units
from domain.report_recomputed import recomputed_changes
from domain.report_tickets import TicketSummary, overdue_warning
from domain.units import Unit
from templates.catalog import source, text

_HEADINGS = {1: Style.HEADING1, 2: Style.HEADING2}


@dataclass(frozen=True, slots=True)
class ReportInputs:
    """Everything a draft is composed from; `history` holds this period and the ones the
    declaration looks back to (the previous one, January for year-to-date figures)."""

    settings: Settings
    units: Sequence[Unit]
    forms: Mapping[str, Form]
    spec: ReportSpec
    period: Period
    now: datetime
    history: Mapping[Period, PeriodAnswers]
    reported: Sequence[str]  # units that handed everything in
    late: Mapping[str, datetime]  # units that handed in late -> when
    pending: Mapping[str, Sequence[str]]  # units that did not -> forms they still owe
    tickets: TicketSummary | None = None
    # unit code -> the months of a longer period it did not answer (placeholders name them)
    missing_months: Mapping[str, tuple[Period, ...]] = field(default_factory=dict)


@dataclass(slots=True)
class _Composer:
    inputs: ReportInputs
    book: FigureBook
    names: dict[str, str]
    section: str = ""
    gaps: list[Gap] = field(default_factory=list)
    _seen: set[tuple[str, str, bool]] = field(default_factory=set)
    # A longer period's placeholders name the same units figure after figure: each unit's
    # words are rendered once (a year's draft asked for them 6,000 times).
    _gap_names: dict[str, str] = field(default_factory=dict)

    def unit_names(self, codes: tuple[str, ...]) -> str:
        return ", ".join(self.gap_name(code) for code in codes)

    def gap_name(self, code: str) -> str:
        """A unit as a placeholder names it: with the months it left out of a longer period."""
        if (known := self._gap_names.get(code)) is not None:
            return known
        name = self.names.get(code, code)
        if months := self.inputs.missing_months.get(code):
            name = text("report.gap.months", unit=name, months=[m.label for m in months])
        self._gap_names[code] = name
        return name

    def report_gap(self, fig: Fig) -> None:
        key = (self.section, fig.figure.name, fig.figure.previous_missing)
        if key in self._seen:
            return
        self._seen.add(key)
        units = tuple(self.gap_name(c) for c in fig.figure.missing)
        self.gaps.append(Gap(self.section, fig.label, units, fig.figure.previous_missing))

    def fig(self, figure: FigureValue, label: str, emphasis: bool = False) -> Fig:
        return Fig(figure, label, self.unit_names, self.report_gap, emphasis)

    def context(self) -> dict[str, Any]:
        """What every snippet can use: figures by name, the office, the periods."""
        spec, period = self.inputs.spec, self.inputs.period
        following = period.next()
        values: dict[str, Any] = {
            name: self.fig(self.book.get(name, period), self.label(name), spec.emphasised(name))
            for name in spec.names()
        }
        values.update(
            office=self.inputs.settings.office,
            period=period,
            month=document_month(period.month),
            year=period.year,
            next_month=document_month(following.month),
            next_year=following.year,
        )
        values.update(period_words(period, self.book.get))
        return values

    def label(self, name: str) -> str:
        spec = self.inputs.spec
        if name in spec.figures:
            figure = spec.figures[name]
            title = figure.label or self.inputs.forms[figure.form].field(figure.field).title
            return title
        return spec.derived[name].label or name


def _lines(rendered: str) -> list[str]:
    return [line.strip() for line in rendered.splitlines() if line.strip()]


def _prefix(bullet: str, lead_text: str) -> str:
    start = f"{bullet} " if bullet else ""
    return start + (lead(lead_text) + " " if lead_text else "")


def _lead_apart(item: ItemSpec) -> list[Paragraph]:
    """The item's bullet and lead as a paragraph of their own (report.toml's lead_apart)."""
    if not item.lead_apart or not item.lead:
        return []
    return [Paragraph(Style.BODY, tuple(segments(_prefix(item.bullet, item.lead).rstrip())))]


def _paragraphs(lines: list[str], item: ItemSpec) -> list[Paragraph]:
    """Rendered lines as body paragraphs; the bullet and lead go before the first line, or
    on a line of their own above it."""
    out = _lead_apart(item)
    for index, line in enumerate(lines):
        start = _prefix(item.bullet, item.lead) if index == 0 and not out else ""
        out.append(Paragraph(Style.BODY, tuple(segments(start + line))))
    return out


# A unit's own list marker at the start of a line ("- ", "+ ", "* ", "2. ", "3) "): the
# report's bullet or number replaces it.
_OWN_MARKER = re.compile(r"^(?:[-+*•–]+|\d{1,3}[.)])\s*")


def _narrative(c: _Composer, item: ItemSpec) -> list[Paragraph]:
    """One paragraph per line each unit wrote; a placeholder for units that did not."""
    inputs = c.inputs
    form = inputs.forms[item.form]
    answers = inputs.history[inputs.period]
    cutoff = period_window(inputs.period, inputs.settings.regime)[1]
    units = figure_units(
        FigureSpec("", item.form, item.field, item.units, item.group), inputs.units, cutoff
    )
    out = _lead_apart(item)
    apart = bool(out)
    number = 0
    for unit in units:
        given = answers.unit_values(item.form, unit.code)
        value = given.get(item.field)
        if value is None:
            if given and not form.field(item.field).required:
                continue  # reported, and had nothing to say here
            missing = FigureValue(item.field, ValueKind.TEXT, None, (unit.code,))
            placeholder = c.fig(missing, form.field(item.field).title).placeholder()
            out.append(
                Paragraph(Style.BODY, tuple(segments(_prefix(item.bullet, "") + placeholder)))
            )
            continue
        for index, line in enumerate(_lines(clean(str(value)))):
            line = _OWN_MARKER.sub("", line) if item.bullet else line
            if item.by_unit and index == 0:
                line = f"{c.names.get(unit.code, unit.code)}: {line}"
            if item.bullet == "1.":
                number += 1
                start = f"{number}. "
            elif apart:
                start = ""  # the bullet and lead are on their own line above
            else:
                start = _prefix(item.bullet, item.lead if number == 0 else "")
                number += 1
            out.append(Paragraph(Style.BODY, (*segments(start), *segments_plain(line))))
    return out


def segments_plain(line: str) -> tuple[Segment, ...]:
    """A unit's line as one plain segment (markers were cleaned away already)."""
    return (Segment(line),)


def _item(c: _Composer, item: ItemSpec, context: dict[str, Any]) -> list[Paragraph]:
    if item.kind is ItemKind.NARRATIVE:
        return _narrative(c, item)
    if item.kind is ItemKind.TICKETS:
        summary = c.inputs.tickets or TicketSummary()
        holder = (c.inputs.spec.tickets.unit,) if c.inputs.spec.tickets else ()
        # The catalog's block is a snippet like report.toml's: rendered with the figures.
        snippet = item.text or source("report.tickets.default")
        view = tickets_view(summary, holder, c.fig, c.names)
        rendered = compiled(snippet).render(context, tickets=view)
        return _paragraphs(_lines(rendered), item)
    rendered = compiled(item.text).render(context)
    return _paragraphs(_lines(rendered), item)


def _heading(section: SectionSpec, context: dict[str, Any]) -> Paragraph:
    style = _HEADINGS.get(section.depth, Style.HEADING3)
    title = compiled(section.title).render(context)
    return Paragraph(style, (Segment(f"{section.number} {title}".strip()),))


def _warnings(c: _Composer, summary: TicketSummary | None) -> list[WarningLine]:
    inputs = c.inputs
    period = inputs.period
    current = inputs.history[period]
    previous = inputs.history.get(period.previous(), PeriodAnswers(period.previous(), {}))
    found = form_warnings(inputs.forms, inputs.units, current, previous)
    found += ratio_warnings(inputs.spec, inputs.forms, c.book, current)
    found += cross_unit_warnings(inputs.spec, inputs.forms, c.book, period)
    found += kept_warnings(inputs.forms, inputs.units, current, previous, found)
    if summary is not None:
        holder = inputs.spec.tickets.unit if inputs.spec.tickets else ""
        extra = overdue_warning(
            summary,
            holder,
            text("report.tickets.overdue_label"),
            c.names,
            text("report.tickets.unassigned"),
        )
        if extra is not None:
            found.append(extra)
    return [
        WarningLine(
            c.names.get(w.unit_code, w.unit_code),
            inputs.forms[w.form_code].title if w.form_code in inputs.forms else "",
            warning_text(w),
            clean(w.explanation) if w.explanation else None,
            w.kind.value,
        )
        for w in found
    ]


def compose(inputs: ReportInputs) -> Document:
    """The draft Document of one period."""
    settings, period = inputs.settings, inputs.period
    office = settings.office
    regime = settings.regime
    book = FigureBook(
        inputs.spec,
        inputs.forms,
        inputs.units,
        inputs.history,
        lambda p: period_window(p, regime)[1],
    )
    names = {u.code: u.name for u in inputs.units}
    c = _Composer(inputs, book, names)
    context = c.context()
    local = inputs.now.astimezone(ZoneInfo(regime.timezone))
    doc = Document(
        period=period,
        office_name=office.name,
        document_code=office.document_code,
        parent_body=office.parent_body,
        issuing_body=office.issuing_body,
        number_line=text("report.number_line", code=office.document_code),
        place_date=text(
            "report.place_date",
            place=office.place,
            month=document_month(local.month),
            year=local.year,
        ),
        subject=_snippet(inputs.spec.subject, "report.default_subject", context),
        closing="",
        recipients=office.recipients,
        signer_titles=office.signer_titles,
        signer_name=office.signer_name,
    )
    for section in inputs.spec.sections:
        c.section = section.key
        doc.body.append(_heading(section, context))
        for item in inputs.spec.items_of(section.key):
            doc.body.extend(_item(c, item, context))
    c.section = ""
    doc.closing = _snippet(inputs.spec.closing, "report.default_closing", context)
    doc.warnings = _warnings(c, inputs.tickets)
    doc.gaps = c.gaps
    doc.recomputed = [
        text(
            "report.review.recomputed_change",
            label=change.label,
            computed=format_number(change.computed, change.places) + "%",
            stated=format_number(change.from_stated, change.places) + "%",
        )
        for change in recomputed_changes(inputs.spec, book, period)
    ]
    doc.not_reported = [
        UnitLine(names.get(code, code), ", ".join(_form_titles(inputs.forms, forms)))
        for code, forms in inputs.pending.items()
    ]
    doc.late = [
        UnitLine(
            names.get(code, code),
            at.astimezone(ZoneInfo(regime.timezone)).strftime("%H:%M %d/%m/%Y"),
        )
        for code, at in inputs.late.items()
    ]
    doc.overdue = overdue_rows(inputs.tickets, names)
    doc.tickets = inputs.tickets
    if inputs.spec.unit_tables:
        cutoff = period_window(period, regime)[1]
        current = inputs.history[period]
        doc.unit_tables = unit_tables(inputs.forms, inputs.units, current, cutoff)
    doc.units_reported = len(inputs.reported)
    doc.units_total = len(inputs.reported) + len(inputs.pending)
    return doc


def _snippet(source: str, default: str, context: dict[str, Any]) -> str:
    """A one-line snippet of the declaration (or the catalog's default) as plain text."""
    rendered = compiled(source).render(context) if source else text(default, **context)
    return "".join(segment.text for segment in segments(rendered)).strip()


def _form_titles(forms: Mapping[str, Form], codes: Sequence[str]) -> list[str]:
    return [forms[code].title if code in forms else code for code in codes]


def is_text_field(form: Form, key: str) -> bool:
    """Whether a field holds narrative text (what narrative items read)."""
    return form.field(key).type in (FieldType.TEXT, FieldType.CHOICE)
