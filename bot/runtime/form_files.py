"""A unit's forms as a spreadsheet, both ways (asked for in chat, handlers/form_file.py).

/mau: the rows the handler gathered are written to an .xlsx in a thread, a sheet per form.
The filled file sent back: fetched, read in a thread with the ticket files' bounded reader
(bot/tickets/sheets.py, tighter limits: a form is a few dozen rows), each sheet turned into
the "n: value" lines a pasted message would be, then handled in one transaction like a
message of its sender (handlers/router.handle_filled).
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from bot.runtime.clock import Clock
from bot.runtime.outbox import queue_replies
from bot.runtime.ticket_import import FileFetcher, fetched
from bot.tickets.sheets import TicketFileError, read_sheets
from bot.workspace.answers_xlsx import typed_text
from bot.workspace.settings import FileLimits
from domain.periods import parse_period
from handlers.context import HandlerContext
from handlers.events import Document, EventKind, Incoming, Reply, Sender
from handlers.form_file import FilledSheet
from handlers.router import handle_filled
from storage import Database, WriteTransaction
from templates.catalog import text

log = logging.getLogger(__name__)

# A form has a few dozen questions: anything far past that is not a form sent back.
FORM_LIMITS: Final = FileLimits(
    max_file_mb=2, max_unpacked_mb=20, max_ratio=100, max_rows=2_000, max_shared_strings=20_000
)
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_COLUMNS: Final = 4  # number, question, measure, value
_TOO_BIG = {"too_big", "too_many_rows"}


class FormFileError(Exception):
    """The file holds no form that can be read; nothing was taken from it."""

    def __init__(self, code: str, **values: Any) -> None:
        self.code = code
        self.values = values
        super().__init__(code)

    def message(self) -> str:
        """What is wrong and what to send instead, in Vietnamese (an HTML chat text)."""
        return text(f"chat_sheets.file_error.{self.code}", **self.values)


# ---------------------------------------------------------------- /mau: the workbook


def sheet_document(payload: dict[str, Any], file_name: str) -> Document:
    """The workbook of the forms the payload lists (see handlers/form_file.ask_sheet)."""
    period = parse_period(payload["period"]).label
    book = Workbook()
    book.remove(book.active)
    for sheet in json.loads(payload["sheets"]):
        _write_sheet(book, sheet, payload["unit"], payload["unit_name"], payload["period"], period)
    out = io.BytesIO()
    book.save(out)
    caption = text("chat_sheets.caption", period=period, unit=payload["unit_name"])
    return Document(file_name, out.getvalue(), caption)


def _write_sheet(
    book: Workbook, sheet: dict[str, Any], unit: str, unit_name: str, key: str, period: str
) -> None:
    # A form code is short ASCII: a sheet name Excel accepts, unique within the file.
    page = book.create_sheet(str(sheet["form"])[:31])
    title = text("report.form_sheet.title", title=sheet["title"], unit=unit_name, period=period)
    page.append([title])
    page["A1"].font = Font(bold=True)
    page.append([text("report.form_sheet.guide")])
    page.append([text("report.form_sheet.unit"), unit])
    page.append([text("report.form_sheet.form"), sheet["form"]])
    page.append([text("report.form_sheet.period"), key])
    page.append([])
    headers = ("number", "question", "measure", "value", "previous")
    page.append([text(f"report.form_sheet.{h}") for h in headers])
    for cell in page[page.max_row]:
        cell.font = Font(bold=True)
    for number, question, measure, stored, kind, *rest in sheet["rows"]:
        # Column E is last period's value, for reference: the reader never takes it.
        before = rest[0] if rest else ""
        page.append([number, question, measure, _cell(stored, kind), _cell(before, kind)])
        page.cell(page.max_row, 2).alignment = Alignment(wrap_text=True)
        for at, value in ((4, stored), (5, before)):
            if kind == "date" and value:
                page.cell(page.max_row, at).number_format = "dd/mm/yyyy"
    for column, width in zip("ABCDE", (6, 60, 16, 20, 20), strict=True):
        page.column_dimensions[column].width = width


def _cell(stored: str, kind: str) -> object:
    """A stored value as Excel holds it: numbers as numbers, days as dates."""
    if not stored:
        return None
    try:
        if kind in ("integer", "decimal", "percent"):
            number = Decimal(stored)
            return int(number) if number == number.to_integral_value() else float(number)
        if kind == "date":
            return datetime.fromisoformat(stored)
    except (InvalidOperation, ValueError):
        pass
    return stored


# ---------------------------------------------------------------- the filled file


def read_filled(data: bytes, file_name: str) -> list[FilledSheet]:
    """The form sheets of a filled file; FormFileError if there is none or it cannot be read."""
    if data.startswith(_OLE_MAGIC):
        raise FormFileError("old_xls", file=file_name)
    if not data.startswith(_ZIP_MAGIC):
        raise FormFileError("not_xlsx", file=file_name)
    found: list[FilledSheet] = []
    try:
        for sheet in read_sheets(data, file_name, FORM_LIMITS):
            filled = _filled(sheet.name, itertools.chain(sheet.head, sheet.rest))
            if filled is not None:
                found.append(filled)
    except TicketFileError as error:
        if error.code in _TOO_BIG or error.code.startswith("xlsx_"):
            raise FormFileError("too_big", file=file_name, limit=_limit(error)) from None
        raise FormFileError("unreadable", file=file_name) from None
    if not found:
        raise FormFileError("no_form", file=file_name)
    return found


def _limit(error: TicketFileError) -> str:
    limit = error.values.get("limit")
    suffix = " MB" if error.code in ("too_big", "xlsx_unpacked") else ""
    return f"{limit}{suffix}" if limit is not None else "?"


def _filled(name: str, rows: Any) -> FilledSheet | None:
    """A sheet as the form it says it is, with its filled values; None if it is not a form."""
    marks: dict[str, str] = {}
    labels = {_key(text(f"report.form_sheet.{m}")): m for m in ("unit", "form", "period")}
    number_label = _key(text("report.form_sheet.number"))
    lines: list[str] | None = None
    for cells in rows:
        texts = _texts(cells)
        if lines is None:
            if texts[0] and _key(texts[0]) in labels:
                marks[labels[_key(texts[0])]] = texts[1]
            elif _key(texts[0]) == number_label:
                lines = []
            continue
        number, value = texts[0], " ".join(texts[3].split())
        if number.isdecimal() and value:
            lines.append(f"{number}: {value}")
    if lines is None or len(marks) < len(labels):
        return None
    return FilledSheet(name, marks["unit"], marks["form"], marks["period"], tuple(lines))


def _texts(cells: Sequence[Any]) -> list[str]:
    padded = [*cells[:_COLUMNS], *([None] * (_COLUMNS - len(cells)))]
    return [typed_text(cell) for cell in padded]


def _key(label: str) -> str:
    return " ".join(label.casefold().split())


# ---------------------------------------------------------------- the jobs


async def sheet_file(payload: dict[str, Any]) -> Document:
    """The /mau workbook, written off the event loop."""
    name = f"mau_{payload['unit']}_{payload['period']}.xlsx"
    return await asyncio.to_thread(sheet_document, payload, name)


async def run_sheet(db: Database, chat_id: str, payload: dict[str, Any]) -> None:
    """Write the /mau workbook and queue it for the chat that asked."""
    document = await sheet_file(payload)
    await _queue(db, payload, [Reply(chat_id=chat_id, document=document)])


async def run_filled(
    db: Database,
    make_context: Callable[[WriteTransaction], HandlerContext],
    clock: Clock,
    fetch: FileFetcher | None,
    chat_id: str,
    payload: dict[str, Any],
) -> None:
    """Read the filled file the payload names and take its values as its sender's answers."""
    name = payload.get("file_name") or "?"
    channel = payload["reply_channel"]
    too_big = FormFileError("too_big", file=name, limit=f"{FORM_LIMITS.max_file_mb} MB")
    failed = text("chat_sheets.download_failed", file=name)
    data = await fetched(db, fetch, chat_id, payload, too_big.message(), failed)
    if data is None:
        return
    try:
        sheets = await asyncio.to_thread(read_filled, bytes(data), name)
    except FormFileError as error:
        await _queue(db, payload, [Reply(chat_id=chat_id, text=error.message())])
        return
    except Exception:
        log.exception("reading %r, a filled form, failed", name)
        await _queue(db, payload, [Reply(chat_id=chat_id, text=failed)])
        return
    sender = Sender(channel, str(payload["user_id"]), chat_id)
    event = Incoming(
        sender=sender,
        kind=EventKind.DOCUMENT,
        received_at=clock(),
        file_name=name,
        message_ref=str(payload.get("message_ref") or ""),
    )
    async with db.write() as tx:
        replies = await handle_filled(event, make_context(tx), sheets)
        await queue_replies(tx, replies, channel)


async def _queue(db: Database, payload: dict[str, Any], replies: list[Reply]) -> None:
    async with db.write() as tx:
        await queue_replies(tx, replies, payload["reply_channel"])
