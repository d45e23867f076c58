"""report.toml: the office's report declaration, read into a domain ReportSpec and checked
against its forms and units; or, when an office has none, a plain declaration made from
its forms (a section per form, a sentence per figure, the units' texts)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from bot.workspace.default_report import default_spec
from bot.workspace.problems import Problem, parse_toml, read_text
from bot.workspace.toml_positions import Position, TomlPath, toml_positions
from bot.workspace.toml_reader import toml_repr
from domain.forms import Form
from domain.report import (
    CheckSpec,
    DerivedKind,
    DerivedSpec,
    FigureSpec,
    ItemKind,
    ItemSpec,
    ReportSpec,
    SectionSpec,
    TicketRole,
    TicketSourceSpec,
)
from domain.report_periods import PeriodKind
from domain.units import Unit
from templates.catalog import text

REPORT_FILE_NAME = "report.toml"


# A problem of report.toml: where it is (a path among toml_positions'), and what is wrong.
Located = tuple[TomlPath, str]


class ReportSpecError(ValueError):
    """report.toml has mistakes; `problems` lists every one, each as file:line: message."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


def load_spec(path: Path, forms: Mapping[str, Form], units: Sequence[Unit]) -> ReportSpec:
    """Read and check a report declaration; ReportSpecError listing every problem."""
    unreadable: list[Problem] = []
    source = read_text(path, path.name, unreadable)
    raw = None if source is None else parse_toml(source, path.name, unreadable)
    if source is None or raw is None:  # the syntax error's line is in the problem
        raise ReportSpecError([str(p) for p in unreadable])
    found: list[Located] = []
    spec = parse_spec(raw, found)
    # An item of a wrong kind is left out of spec.items: the others keep their place.
    dropped = {where[1] for where, _ in found if where[0] == "items" and where[2:] == ("kind",)}
    places = [i for i in range(len(raw.get("items", []))) if i not in dropped]
    found += check_spec(spec, forms, units, places)
    if found:
        positions = toml_positions(source)
        raise ReportSpecError([_shown(path.name, positions, where, p) for where, p in found])
    return spec


def _shown(file: str, positions: Mapping[TomlPath, Position], where: TomlPath, problem: str) -> str:
    """A problem as printed, at the line of `where` (or of the nearest table holding it)."""
    while where and where not in positions:
        where = where[:-1]
    line = positions[where].line if where else None
    return text("cli.problem_line", file=file, line=line, column=None, key="", message=problem)


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()


def _units(table: Mapping[str, Any]) -> tuple[str, ...]:
    return _strings(table.get("units", table.get("unit", ())))


def _flag(
    table: Mapping[str, Any], key: str, default: bool, where: TomlPath, problems: list[Located]
) -> bool:
    """`key` of `table`, true or false; anything else (a typo such as "no", which bool()
    would take for true) is a problem, and the default stands."""
    value = table.get(key, default)
    if isinstance(value, bool):
        return value
    wrong = text("report.spec.not_boolean", key=key, value=toml_repr(value))
    problems.append(((*where, key), wrong))
    return default


def parse_spec(raw: Mapping[str, Any], problems: list[Located]) -> ReportSpec:
    """The declaration in a parsed TOML document; shape mistakes go to `problems`."""
    figures = {}
    for name, table in raw.get("figures", {}).items():
        if not isinstance(table, dict) or "form" not in table or "field" not in table:
            problems.append((("figures", name), text("report.spec.figure_shape", name=name)))
            continue
        figures[name] = FigureSpec(
            name,
            str(table["form"]),
            str(table["field"]),
            _units(table),
            str(table.get("group", "")),
            str(table.get("label", "")),
            _flag(table, "emphasis", False, ("figures", name), problems),
            _flag(table, "chart", False, ("figures", name), problems),
        )
    derived = {}
    for name, table in raw.get("derived", {}).items():
        kinds = [k for k in DerivedKind if k.value in table] if isinstance(table, dict) else []
        if len(kinds) != 1:
            problems.append((("derived", name), text("report.spec.derived_shape", name=name)))
            continue
        derived[name] = DerivedSpec(
            name,
            kinds[0],
            _strings(table[kinds[0].value]),
            int(table.get("places", 2)),
            str(table.get("stated", "")),
            str(table.get("label", "")),
            _flag(table, "emphasis", False, ("derived", name), problems),
        )
    sections = tuple(
        SectionSpec(str(s.get("key", "")), str(s.get("number", "")), str(s.get("title", "")))
        for s in raw.get("sections", [])
    )
    items = []
    for index, table in enumerate(raw.get("items", [])):
        try:
            kind = ItemKind(table.get("kind", "sentence"))
        except ValueError:
            wrong = text("report.spec.item_kind", value=table.get("kind"))
            problems.append((("items", index, "kind"), wrong))
            continue
        items.append(
            ItemSpec(
                str(table.get("section", "")),
                kind,
                str(table.get("text", "")),
                str(table.get("lead", "")),
                str(table.get("bullet", "")),
                str(table.get("form", "")),
                str(table.get("field", "")),
                _units(table),
                str(table.get("group", "")),
                _flag(table, "lead_apart", False, ("items", index), problems),
                _flag(table, "by_unit", False, ("items", index), problems),
            )
        )
    checks = tuple(
        CheckSpec(str(c.get("total", "")), _strings(c.get("parts", ())))
        for c in raw.get("checks", [])
    )
    return ReportSpec(
        sections=sections,
        items=tuple(items),
        figures=figures,
        derived=derived,
        checks=checks,
        tickets=_tickets(raw.get("tickets"), problems),
        subject=str(raw.get("subject", "")),
        closing=str(raw.get("closing", "")),
        unit_tables=_flag(raw, "unit_tables", True, (), problems),
        charts=_flag(raw, "charts", True, (), problems),
    )


def _tickets(table: Any, problems: list[Located]) -> TicketSourceSpec | None:
    if table is None:
        return None
    fields = {}
    for role, key in table.get("fields", {}).items():
        try:
            fields[TicketRole(role)] = str(key)
        except ValueError:
            wrong = text("report.spec.ticket_role", value=role)
            problems.append((("tickets", "fields", role), wrong))
    since = table.get("since")
    return TicketSourceSpec(
        form=str(table.get("form", "")),
        unit=str(table.get("unit", "")),
        fields=fields,
        channels=tuple((str(c["field"]), str(c["label"])) for c in table.get("channels", [])),
        overdue_form=str(table.get("overdue_form", "")),
        overdue_field=str(table.get("overdue_field", "")),
        since=since if isinstance(since, date) else None,
    )


def _field_problem(forms: Mapping[str, Form], form: str, field: str, where: str) -> str | None:
    if form not in forms:
        return text("report.spec.unknown_form", where=where, form=form)
    if not forms[form].has_field(field):
        return text("report.spec.unknown_field", where=where, form=form, field=field)
    return None


def check_spec(
    spec: ReportSpec,
    forms: Mapping[str, Form],
    units: Sequence[Unit],
    item_places: Sequence[int] | None = None,
) -> list[Located]:
    """Every reference of the declaration that points nowhere, with where it is written
    (`item_places`: the index in the file of each of spec.items, when some were dropped)."""
    problems: list[Located] = []
    codes = {u.code for u in units}
    groups = {u.group for u in units}
    names = spec.names()
    for figure in spec.figures.values():
        at: TomlPath = ("figures", figure.name)
        if problem := _field_problem(forms, figure.form, figure.field, figure.name):
            problems.append((at, problem))
        for code in figure.units:
            if code not in codes:
                wrong = text("report.spec.unknown_unit", where=figure.name, unit=code)
                problems.append((at, wrong))
        if figure.group and figure.group not in groups:
            wrong = text("report.spec.unknown_group", where=figure.name, group=figure.group)
            problems.append((at, wrong))
    for derived in spec.derived.values():
        at = ("derived", derived.name)
        wanted = 2 if derived.kind is DerivedKind.RATIO else None
        if wanted is not None and len(derived.of) != wanted:
            problems.append((at, text("report.spec.ratio_terms", where=derived.name)))
        for name in (*derived.of, *([derived.stated] if derived.stated else [])):
            if name not in names:
                wrong = text("report.spec.unknown_figure", where=derived.name, name=name)
                problems.append((at, wrong))
        if derived.stated and derived.stated not in spec.figures:
            problems.append((at, text("report.spec.stated_not_read", where=derived.name)))
    for index, check in enumerate(spec.checks):
        for name in (check.total, *check.parts):
            if name not in names:
                wrong = text("report.spec.unknown_figure", where="checks", name=name)
                problems.append((("checks", index), wrong))
    problems += _check_items(spec, forms, item_places or range(len(spec.items)))
    if spec.tickets is not None:
        problems += [(("tickets",), p) for p in _ticket_problems(spec.tickets, forms, codes)]
    return problems


def _check_items(
    spec: ReportSpec, forms: Mapping[str, Form], places: Sequence[int]
) -> list[Located]:
    problems: list[Located] = []
    keys = {s.key for s in spec.sections}
    for index, item in zip(places, spec.items, strict=True):
        at: TomlPath = ("items", index)
        if item.section not in keys:
            problems.append((at, text("report.spec.unknown_section", section=item.section)))
        if item.kind is ItemKind.NARRATIVE and (
            problem := _field_problem(forms, item.form, item.field, item.section)
        ):
            problems.append((at, problem))
        if item.kind is ItemKind.SENTENCE and not item.text:
            problems.append((at, text("report.spec.empty_text", section=item.section)))
    return problems


def _ticket_problems(t: TicketSourceSpec, forms: Mapping[str, Form], codes: set[str]) -> list[str]:
    problems = []
    for key in (*t.fields.values(), *(key for key, _ in t.channels)):
        if problem := _field_problem(forms, t.form, key, "tickets"):
            problems.append(problem)
    if t.overdue_form and (
        problem := _field_problem(forms, t.overdue_form, t.overdue_field, "tickets")
    ):
        problems.append(problem)
    if t.unit not in codes:
        problems.append(text("report.spec.unknown_unit", where="tickets", unit=t.unit))
    return problems


def spec_for(
    config_folder: Path,
    forms: Mapping[str, Form],
    units: Sequence[Unit],
    kind: PeriodKind = PeriodKind.MONTH,
) -> ReportSpec:
    """The office's declaration for a kind of period: report.<kind>.toml beside config.toml
    (report.quarter.toml, report.half.toml, report.nine_months.toml, report.year.toml) if
    there is one, else report.toml, else the plain one (comparing a longer period with the
    same period of the year before)."""
    special = config_folder / f"report.{kind.value}.toml"
    if kind is not PeriodKind.MONTH and special.is_file():
        return load_spec(special, forms, units)
    path = config_folder / REPORT_FILE_NAME
    if path.is_file():
        return load_spec(path, forms, units)
    return default_spec(forms, units, compare=kind is not PeriodKind.MONTH)
