"""`baocao export`: a period's data as a spreadsheet: a sheet per form (a row per unit, a
column per question), a sheet of hotline tickets, and a sheet of every revision."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.datafiles import Workspace
from bot.report.xlsx_writer import Cell, XlsxWriter
from bot.texts import text
from domain.calendar import period_window
from domain.forms import Form
from domain.obligations import Obligation, ObligationState, obligations_owed
from domain.periods import Period
from domain.tickets import Ticket
from domain.values import decode
from storage import Database, ReadView

_UNIT_WIDTHS = (12, 36, 16, 18)
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
    if isinstance(value, Decimal | int | str) or value is None:
        return value
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d/%m/%Y %H:%M:%S") if moment else ""


async def _form_rows(
    view: ReadView,
    form: Form,
    period: Period,
    owed: Sequence[Obligation],
    names: dict[str, str],
    zone: ZoneInfo,
) -> list[list[Cell]]:
    answers = await view.answers.for_period(period, form.code)
    stored = {o.unit_code: o for o in await view.obligations.list_for_period(period, form.code)}
    codes = [o.unit_code for o in owed] + [
        c for c in answers if c not in {o.unit_code for o in owed}
    ]
    rows: list[list[Cell]] = []
    for code in codes:
        obligation = stored.get(code)
        state = obligation.state if obligation else ObligationState.NOT_STARTED
        given = answers.get(code, {})
        row: list[Cell] = [
            code,
            names.get(code, code),
            text(f"report.state.{state.value}"),
            _when(obligation.submitted_at if obligation else None, zone),
        ]
        for field in form.fields:
            answer = given.get(field.key)
            value = None if answer is None or answer.value is None else decode(field, answer.value)
            row.append(_show(value))
        rows.append(row)
    return rows


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


async def export_xlsx(
    db: Database,
    workspace: Workspace,
    period: Period,
    tickets: Sequence[Ticket] = (),
) -> bytes:
    """The period's .xlsx: forms, `tickets` (the imported ticket list; may be empty) and
    every revision of the period's answers."""
    regime = workspace.settings.regime
    zone = ZoneInfo(regime.timezone)
    names = {u.code: u.name for u in workspace.units}
    owed = obligations_owed(workspace.units, period, period_window(period, regime)[1])
    book = XlsxWriter()
    unit_head = [
        text("report.export.col_unit_code"),
        text("report.export.col_unit"),
        text("report.export.col_state"),
        text("report.export.col_submitted"),
    ]
    async with db.read() as view:
        for form in workspace.forms.values():
            mine = [o for o in owed if o.form_code == form.code]
            rows = await _form_rows(view, form, period, mine, names, zone)
            header = unit_head + [f.title for f in form.fields]
            book.sheet(form.title, header, rows, (*_UNIT_WIDTHS, *[18] * len(form.fields)))
        book.sheet(
            text("report.export.sheet_tickets"),
            [text(f"report.export.col_{key}") for key in _TICKET_COLUMNS],
            _ticket_rows(tickets, names),
            (14, 36, 18, 14, 14, 16, 60),
        )
        revisions: list[list[Cell]] = []
        stored = await view.obligations.list_for_period(period)
        for obligation in stored:
            known = workspace.forms.get(obligation.form_code)
            for rev in await view.answers.revisions(
                obligation.unit_code, obligation.form_code, period
            ):
                title = (
                    known.field(rev.field_key).title
                    if known and known.has_field(rev.field_key)
                    else rev.field_key
                )
                revisions.append(
                    [
                        rev.unit_code,
                        names.get(rev.unit_code, rev.unit_code),
                        known.title if known else rev.form_code,
                        title,
                        rev.old_value,
                        rev.new_value,
                        _when(rev.changed_at, zone),
                        rev.changed_by,
                        rev.source_message,
                        rev.explanation,
                    ]
                )
    book.sheet(
        text("report.export.sheet_revisions"),
        unit_head[:2]
        + [
            text(f"report.export.col_{key}")
            for key in (
                "form",
                "field",
                "old",
                "new",
                "changed_at",
                "changed_by",
                "source",
                "explanation",
            )
        ],
        revisions,
        (12, 36, 28, 36, 18, 18, 20, 18, 20, 40),
    )
    return book.finish()
