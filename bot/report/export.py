"""`baocao export`: a period's data as a spreadsheet: a sheet per form (a row per unit, a
column per question), the hotline figures, the key figures' trend charts (those of the
draft), a sheet of hotline tickets, and a sheet of every revision."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from bot.report.charts import CHART_WIDTH_CM, read_charts
from bot.report.hotline import hotline_rows
from bot.report.model import Chart
from bot.report.xlsx_writer import Cell, XlsxWriter
from bot.workspace.load import Workspace
from bot.workspace.report_spec import ReportSpecError, spec_for
from domain.calendar import period_window
from domain.forms import Form
from domain.obligations import Obligation, ObligationState, obligations_owed
from domain.periods import Period
from domain.report import ReportSpec
from domain.report_periods import period_kind
from domain.report_tickets import TicketSummary
from domain.tickets import Ticket
from domain.values import decoder
from storage import Database, RevisionRow
from storage.codec import parse_timestamp
from templates.catalog import text

_UNIT_WIDTHS = (12, 36, 16, 18)
_MESSAGES_KEPT = 10_000  # (time, author) cells remembered while writing the revisions
_EMPTY = "<c/>"  # an empty cell
_TICKET_COLUMNS = ("ticket", "unit", "channel", "received_at", "due", "ticket_state", "subject")
_REVISION_COLUMNS = (
    "form",
    "field",
    "old",
    "new",
    "changed_at",
    "changed_by",
    "source",
    "explanation",
)


def _show(value: object) -> Cell:
    if isinstance(value, Decimal | int | str | date) or value is None:
        return value  # a day stays a date: an Excel date the office can sort and filter
    return str(value)


def _when(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A stored moment in the office's time, for an Excel date cell."""
    return None if moment is None else moment.astimezone(zone).replace(tzinfo=None)


@cache
def _state_label(state: ObligationState) -> str:
    return text(f"report.state.{state.value}")


def _form_rows(
    book: XlsxWriter,
    form: Form,
    values: dict[str, dict[str, str | None]],
    owed: Sequence[Obligation],
    stored: dict[str, Obligation],
    names: dict[str, str],
    zone: ZoneInfo,
) -> Iterator[str]:
    """A row per unit owing the form (then any other unit that answered it), written out."""
    owing = [o.unit_code for o in owed]
    known = set(owing)
    codes = owing + [c for c in values if c not in known]
    fields = [(f.key, decoder(f), f.type.is_numeric) for f in form.fields]
    cell, number_cell = book.cell, book.number_cell
    for code in codes:
        obligation = stored.get(code)
        state = obligation.state if obligation else ObligationState.NOT_STARTED
        given = values.get(code, {})
        row = [
            book.cells(
                code,
                names.get(code, code),
                _state_label(state),
                _when(obligation.submitted_at if obligation else None, zone),
            )
        ]
        for key, decode, numeric in fields:
            raw = given.get(key)
            if raw is None:
                row.append(_EMPTY)
                continue
            # Stored numbers are plain decimal text already: no Decimal needed to write one.
            shown = number_cell(raw) if numeric else None
            row.append(shown if shown is not None else cell(_show(decode(raw))))
        yield "".join(row)


# Tickets written to the sheet between two turns of the event loop.
_TICKETS_PER_TURN = 2000


def _ticket_rows(tickets: Sequence[Ticket], names: dict[str, str]) -> Iterator[list[Cell]]:
    for t in tickets:
        yield [
            t.id,
            names.get(t.unit_code, t.unit_code) if t.unit_code else t.unit_text,
            t.channel,
            _show(t.received_on),
            _show(t.due_on),
            text(f"report.export.ticket_status.{t.status.value}"),
            t.summary,
        ]


class _RevisionRows:
    """Rows of the revisions sheet, written out: the sheet has a row per change, hundreds of
    thousands. What repeats from row to row (a unit's code and name, a form's and a
    question's titles, the time and author of a pasted message) is written once."""

    def __init__(
        self,
        book: XlsxWriter,
        forms: Mapping[str, Form],
        names: dict[str, str],
        zone: ZoneInfo,
        people: Mapping[str, str],
    ):
        self._book, self._forms, self._names, self._zone = book, forms, names, zone
        self._people = people  # "telegram:5006" -> "Nguyễn Văn B"
        self._units: dict[str, str] = {}
        self._fields: dict[tuple[str, str], str] = {}
        self._messages: dict[tuple[str, str], str] = {}

    def _unit(self, code: str) -> str:
        shown = self._units[code] = self._book.cells(code, self._names.get(code, code))
        return shown

    def _field(self, form_code: str, key: str) -> str:
        form = self._forms.get(form_code)
        title = form.field(key).title if form and form.has_field(key) else key
        shown = self._book.cells(form.title if form else form_code, title)
        self._fields[(form_code, key)] = shown
        return shown

    def _message(self, stored: str, by: str) -> str:
        if len(self._messages) > _MESSAGES_KEPT:
            self._messages.clear()  # revisions come unit by unit: old ones do not come back
        who = self._people.get(by, by)  # an admin or a file's loader keeps its id
        shown = self._book.cells(_when(parse_timestamp(stored), self._zone), who)
        self._messages[(stored, by)] = shown
        return shown

    def rows(self, chunk: list[RevisionRow]) -> Iterator[str]:
        """A chunk of revisions as rows: unit code and name, form, question, old and new
        value, when, by whom, source message, explanation."""
        units, fields, messages, cell = self._units, self._fields, self._messages, self._book.cell
        for form_code, unit, key, old, new, changed_at, changed_by, source, explanation in chunk:
            unit_cells = units.get(unit) or self._unit(unit)
            field_cells = fields.get((form_code, key)) or self._field(form_code, key)
            message = messages.get((changed_at, changed_by)) or self._message(
                changed_at, changed_by
            )
            # Most revisions have no old value (a first answer), source or explanation.
            yield (
                f"{unit_cells}{field_cells}{_EMPTY if old is None else cell(old)}{cell(new)}"
                f"{message}{_EMPTY if source is None else cell(source)}"
                f"{_EMPTY if explanation is None else cell(explanation)}"
            )


async def _charts(
    db: Database, workspace: Workspace, period: Period, spec: ReportSpec | None
) -> list[Chart]:
    """The draft's trend charts of the key figures; none when report.toml is wrong (the
    export does not depend on it)."""
    if spec is None:
        kind = period_kind(period)
        folder = workspace.settings.source.parent
        try:
            spec = spec_for(folder, workspace.forms, workspace.units, kind)
        except ReportSpecError:
            return []
    return await read_charts(db, workspace, period, spec)


async def export_xlsx(
    db: Database,
    workspace: Workspace,
    period: Period,
    tickets: Sequence[Ticket] = (),
    hotline: TicketSummary | None = None,
    *,
    spec: ReportSpec | None = None,
) -> bytes:
    """The period's .xlsx: forms, `tickets` (the imported ticket list; may be empty), the
    hotline figures the draft prints (`hotline`, see tickets_source.hotline_summary), the
    draft's trend charts (`spec` replaces report.toml for them) and every revision of the
    period's answers."""
    regime = workspace.settings.regime
    zone = ZoneInfo(regime.timezone)
    names = {u.code: u.name for u in workspace.units}
    owed = obligations_owed(
        workspace.units, period, period_window(period, regime)[1], workspace.forms
    )
    book = XlsxWriter()
    unit_head = [
        text("report.export.col_unit_code"),
        text("report.export.col_unit"),
        text("report.export.col_state"),
        text("report.export.col_submitted"),
    ]
    by_form: dict[str, dict[str, dict[str, str | None]]] = {}
    charts = await _charts(db, workspace, period, spec)  # 12 periods of a few fields, read apart
    # One snapshot: the sheets agree with each other.
    async with db.read() as view:
        obligations = await view.obligations.list_for_period(period)
        people = await view.focal_points.display_names()
        async for answers in view.answers.period_values(period, explanations=False):
            for form_code, unit_code, values, _ in answers:
                by_form.setdefault(form_code, {})[unit_code] = values
        revisions = view.answers.period_revisions(period)
        try:
            # SQLite sorts the revisions in its own thread while the other sheets are written.
            await revisions.start()
            for form in workspace.forms.values():
                mine = [o for o in owed if o.form_code == form.code]
                stored = {o.unit_code: o for o in obligations if o.form_code == form.code}
                rows = _form_rows(book, form, by_form.get(form.code, {}), mine, stored, names, zone)
                header = unit_head + [f.title for f in form.fields]
                _, form_sheet = book.open_sheet(
                    form.title, header, (*_UNIT_WIDTHS, *[18] * len(form.fields))
                )
                form_sheet.write_cells(rows)
                form_sheet.close()
            del by_form  # the revisions are the bigger half: do not hold both
            if hotline is not None:
                book.sheet(
                    text("report.export.sheet_hotline"),
                    [text("report.export.col_figure"), text("report.export.col_value")],
                    hotline_rows(hotline, names),
                    (50, 14),
                )
            if charts:
                titled = [
                    (text("report.charts.sheet_title", number=i, title=c.title, note=c.note), c.png)
                    for i, c in enumerate(charts, start=1)
                ]
                book.picture_sheet(text("report.charts.subtitle"), titled, CHART_WIDTH_CM)
            _, ticket_sheet = book.open_sheet(
                text("report.export.sheet_tickets"),
                [text(f"report.export.col_{key}") for key in _TICKET_COLUMNS],
                (14, 36, 18, 14, 14, 16, 60),
            )
            # 100,000 tickets are seconds of work: a slice at a time, the loop turning between.
            for start in range(0, len(tickets), _TICKETS_PER_TURN):
                ticket_sheet.write(_ticket_rows(tickets[start : start + _TICKETS_PER_TURN], names))
                await asyncio.sleep(0)
            ticket_sheet.close()
            _, sheet = book.open_sheet(
                text("report.export.sheet_revisions"),
                unit_head[:2] + [text(f"report.export.col_{key}") for key in _REVISION_COLUMNS],
                (12, 36, 28, 36, 18, 18, 20, 18, 20, 40),
            )
            # Streamed: the rows go into the file as the database hands them over.
            revision_rows = _RevisionRows(book, workspace.forms, names, zone, people)
            async for chunk in revisions:
                sheet.write_cells(revision_rows.rows(chunk))
            sheet.close()
        finally:
            await revisions.aclose()  # on an error: the cursor goes at once
    # Zipping the shared strings: zlib works outside the GIL, the loop keeps turning.
    return await asyncio.to_thread(book.finish)
