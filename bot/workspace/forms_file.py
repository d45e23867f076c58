"""Form definitions: one TOML file per form in the forms folder, read into domain Forms.

Every problem names the file and the line, so that an administrator editing the forms in
a plain text editor can go straight to it (positions from bot/workspace/toml_positions.py).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from bot.workspace.form_fields import FieldDraft, read_field
from bot.workspace.problems import ConfigError, Problem, display_path, parse_toml, read_text
from bot.workspace.toml_positions import toml_positions
from bot.workspace.toml_reader import TableReader
from domain.forms import FieldKind, FieldType, Form, Frequency

FORM_CODE: Final = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True, slots=True)
class FormsRead:
    """The forms of a folder that are sound, the codes every file declares, the problems."""

    forms: dict[str, Form]
    declared: frozenset[str]
    problems: list[Problem] = field(default_factory=list)


def load_forms(folder: Path | str) -> dict[str, Form]:
    """The forms of a folder by code; ConfigError listing every problem if any."""
    folder = Path(folder).absolute()
    result = read_forms(folder, folder.parent)
    if result.problems:
        raise ConfigError(result.problems)
    return result.forms


def read_forms(folder: Path, base: Path) -> FormsRead:
    """Read every *.toml of a folder; paths in problems are shown relative to `base`."""
    problems: list[Problem] = []
    shown_folder = display_path(folder, base)
    if not folder.is_dir():
        problems.append(Problem(shown_folder, "forms_folder_missing"))
        return FormsRead({}, frozenset(), problems)
    files = sorted(folder.glob("*.toml"))
    if not files:
        problems.append(Problem(shown_folder, "forms_folder_empty"))
    forms: dict[str, Form] = {}
    declared: dict[str, str] = {}  # code -> file that declared it first
    for path in files:
        shown = display_path(path, base)
        form, code, line = _read_form_file(path, shown, problems)
        if code is None:
            continue
        if code in declared:
            problems.append(
                Problem(
                    shown,
                    "duplicate_form",
                    key="form.code",
                    line=line,
                    values={"code": code, "other": declared[code]},
                )
            )
            continue
        declared[code] = shown
        if form is not None:
            forms[code] = form
    return FormsRead(forms, frozenset(declared), problems)


def _read_form_file(
    path: Path, shown: str, problems: list[Problem]
) -> tuple[Form | None, str | None, int | None]:
    """The form (None if it has problems), its declared code and the line of that code."""
    mine: list[Problem] = []
    source = read_text(path, shown, mine)
    raw = None if source is None else parse_toml(source, shown, mine)
    if source is None or raw is None:
        problems.extend(mine)
        return None, None, None
    positions = toml_positions(source)
    root = TableReader(raw, file=shown, problems=mine, positions=positions)
    head = root.table_reader("form")
    code = head.text("code", example="cntt", empty=False)
    if code and not FORM_CODE.match(code):
        head.problem("code", "bad_form_code", value=code)
    title = head.text("title", example="Ứng dụng công nghệ thông tin", empty=False)
    description = head.text("description", "", example="Số liệu tháng của đơn vị")
    frequency = _frequency(head)
    head.finish()
    readers = root.tables(
        "fields",
        [],
        example='[[fields]] key = "vb_di" ...',
    )
    if not readers and isinstance(raw.get("fields", []), list):
        root.problem("fields", "no_fields")
    root.finish()
    drafts = [read_field(r) for r in readers]
    _check_relations(drafts)
    problems.extend(mine)
    code_line = head.line("code")
    declared = code or None
    if mine:
        return None, declared, code_line
    fields = tuple(d.built for d in drafts if d.built is not None)
    form = Form(code, title, fields, description, frequency or Frequency.MONTHLY)
    return form, declared, code_line


def _frequency(head: TableReader) -> Frequency | None:
    """How often the form is asked (monthly unless it says quarterly, half_yearly, yearly)."""
    value = head.text("frequency", "", example="quarterly")
    if not value:
        return None
    try:
        return Frequency(value)
    except ValueError:
        allowed = [f.value for f in Frequency]
        head.problem("frequency", "bad_form_frequency", value=value, allowed=", ".join(allowed))
        return None


def _check_relations(drafts: list[FieldDraft]) -> None:
    """Duplicate keys, parts and stock_of naming other fields, and cycles among parts."""
    by_key: dict[str, FieldDraft] = {}
    for draft in drafts:
        if not draft.key:
            continue
        if draft.key in by_key:
            first = by_key[draft.key].reader.line("key")
            draft.reader.problem("key", "duplicate_field", target=draft.key, other_line=first)
        else:
            by_key[draft.key] = draft
    for draft in drafts:
        _check_parts(draft, by_key)
        _check_stock_of(draft, by_key)
        _check_at_most(draft, by_key)
        _check_ratio_of(draft, by_key)
    _check_cycles(drafts, by_key)


def _suggest(name: str, keys: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(keys), n=1)
    return close[0] if close else ""


def _check_parts(draft: FieldDraft, by_key: dict[str, FieldDraft]) -> None:
    r = draft.reader
    if draft.parts and draft.type is not None and not draft.type.is_numeric:
        r.problem("parts", "key_not_for_type", target="parts", type=draft.type.value)
        return
    for part in draft.parts:
        target = by_key.get(part)
        if target is None:
            r.problem("parts", "unknown_part", target=part, suggestion=_suggest(part, by_key))
        elif target.type is not None and not target.type.is_numeric:
            r.problem("parts", "part_not_numeric", target=part, type=target.type.value)


def _check_at_most(draft: FieldDraft, by_key: dict[str, FieldDraft]) -> None:
    if not draft.at_most:
        return
    r = draft.reader
    if draft.type is not None and not draft.type.is_numeric:
        r.problem("at_most", "key_not_for_type", target="at_most", type=draft.type.value)
        return
    target = by_key.get(draft.at_most)
    if target is None or target is draft:
        suggestion = _suggest(draft.at_most, [k for k in by_key if k != draft.key])
        r.problem("at_most", "unknown_at_most", target=draft.at_most, suggestion=suggestion)
    elif target.type is not None and not target.type.is_numeric:
        r.problem("at_most", "at_most_not_numeric", target=draft.at_most, type=target.type.value)


def _check_ratio_of(draft: FieldDraft, by_key: dict[str, FieldDraft]) -> None:
    r = draft.reader
    for term in draft.ratio_of:
        target = by_key.get(term)
        if target is None or target is draft:
            others = [k for k in by_key if k != draft.key]
            r.problem(
                "ratio_of", "unknown_ratio_of", target=term, suggestion=_suggest(term, others)
            )
        elif target.type is not None and target.type not in (FieldType.INTEGER, FieldType.DECIMAL):
            r.problem("ratio_of", "ratio_of_not_number", target=term, type=target.type.value)


def _check_stock_of(draft: FieldDraft, by_key: dict[str, FieldDraft]) -> None:
    if not draft.stock_of:
        return
    r = draft.reader
    if draft.kind is not None and draft.kind is not FieldKind.STOCK:
        r.problem("stock_of", "stock_of_not_stock", kind=draft.kind.value)
    target = by_key.get(draft.stock_of)
    if target is None:
        r.problem(
            "stock_of",
            "unknown_stock_of",
            target=draft.stock_of,
            suggestion=_suggest(draft.stock_of, by_key),
        )
    elif target.kind is not None and target.kind is not FieldKind.FLOW:
        r.problem("stock_of", "stock_of_not_flow", target=draft.stock_of, kind=target.kind.value)


def _check_cycles(drafts: list[FieldDraft], by_key: dict[str, FieldDraft]) -> None:
    """Report each cycle of parts once, at the first field of the cycle in the file."""
    graph = {key: tuple(p for p in d.parts if p in by_key) for key, d in by_key.items()}
    reported: set[frozenset[str]] = set()
    for draft in drafts:
        if by_key.get(draft.key) is not draft:
            continue
        cycle = _cycle_through(draft.key, graph)
        if cycle is None or frozenset(cycle) in reported:
            continue
        reported.add(frozenset(cycle))
        draft.reader.problem("parts", "parts_cycle", cycle=" → ".join(cycle))


def _cycle_through(start: str, graph: dict[str, tuple[str, ...]]) -> list[str] | None:
    """A path start -> ... -> start along `parts`, if there is one."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for following in graph.get(node, ()):
            if following == start:
                return [*path, start]
            if following not in seen:
                seen.add(following)
                stack.append((following, [*path, following]))
    return None
