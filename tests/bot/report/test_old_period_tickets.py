"""A period's report compiled again once the period has closed (a later period opened) counts
the tickets as they stood when it closed, as the last draft before then did: the answers and
imports of the days after its last day (the deadline's) count; answers, hand-offs and
re-imports made since, and tickets first imported since, change nothing. /tonghop (the
compile job), `baocao report`, `baocao tickets figures` and `baocao export` alike; a real
SQLite file, the .docx read back."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.cli.main import main
from bot.report.tickets_source import period_tickets
from bot.runtime.jobs import JobsChannel
from bot.tickets.saving import import_tickets
from bot.workspace.answers_file import load_answers, read_answers_file
from bot.workspace.load import Workspace
from domain.periods import Period
from domain.tickets import TicketStatus
from storage import Database
from tests.support.clock import FakeClock
from tests.support.docx_reading import full_text, open_docx
from tests.support.sample_data import TICKETS_CSV

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FEBRUARY = Period(2022, 2)  # 15/01 to 14/02/2022; 03/2022 opens on 10/03/2022 at 08:00
# Imported on 11/02: four overdue on 14/02 (T1-T3 of SYT, T4 of VPUBND), T5 and T0 handled,
# T6 not yet due.
FIRST = TICKETS_CSV.decode()
# Imported on the deadline's day, 15/02: T8, received on the period's last day.
DEADLINE_DAY = FIRST + "T8,Tổng đài 1022,14/02/2022,14/02/2022,Sở Y tế,i,Đang xử lý\n"
# Imported in March, after 03/2022 opened: T3 handled, T6's due date moved, and T7 (received
# in February, overdue then) listed for the first time.
MARCH = FIRST.replace("c,Đang xử lý", "c,Đã xử lý").replace("28/02/2022", "20/03/2022") + (
    "T7,Tổng đài 1022,12/02/2022,13/02/2022,Sở Y tế,h,Đang xử lý\n"
)
UNITS_LINE = "- Các đơn vị đang xử lý trễ hạn:"
# As compiled on 09/03, the eve of the close, and as it must read whenever compiled again.
FEBRUARY_BLOCK = [
    "Tổng số phản ánh đã tiếp nhận trong tháng: 7",
    "+ Qua tổng đài 1022: 4;",
    "+ Trực tiếp: 1;",
    "+ Qua app: 0;",
    "+ Qua web: 0;",
    "+ Qua mail: 0;",
    "+ Zalo: 1;",
    "+ Facebook: 1.",
    "- Từ 16 giờ ngày 03/12/2021 đến 16 giờ ngày 14/02/2022 tiếp nhận: 8",
    "- Kết quả giải quyết:",
    "+ Đã xử lý: 3 phản ánh;",
    "+ Đang xử lý: 5 (trong đó: 5 phiếu trễ hạn);",
    UNITS_LINE,
    "+ Văn phòng UBND tỉnh: 1;",
    "+ Sở Y tế: 4.",
]


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2022, month, day, hour, tzinfo=VN)


def hotline_block(docx: bytes) -> list[str]:
    """The hotline block of a draft: from its first figure to the units holding overdue ones."""
    lines = full_text(open_docx(docx)).splitlines()
    first = next(i for i, line in enumerate(lines) if "đã tiếp nhận trong tháng" in line)
    block = [lines[first][lines[first].index("Tổng số") :]]
    for line in lines[first + 1 :]:
        if UNITS_LINE in block and not line.startswith("+ "):
            break
        block.append(line)
    return block


class Office:
    """The sample office's database on a clock the test moves, and its /tonghop job."""

    def __init__(self, db: Database, workspace: Workspace, clock: FakeClock) -> None:
        self.db, self.workspace, self.clock = db, workspace, clock

    async def import_list(self, csv: str, when: datetime) -> None:
        self.clock.now = when  # an import is stamped with the database's clock
        async with self.db.write() as tx:
            await import_tickets(
                tx,
                csv.encode(),
                "phieu.csv",
                settings=self.workspace.settings.tickets,
                today=when.date(),
                changed_by="cli:office",
                units=self.workspace.units,
            )

    async def tonghop(self, when: datetime) -> bytes:
        """February's draft as /tonghop compiles it at `when`."""
        jobs = JobsChannel(self.db, self.workspace, lambda: when, lambda: None)
        payload = {"job": "compile", "period": "2022-02", "reply_channel": "telegram", "by": "t"}
        await jobs.send("900", payload)
        async with self.db.read() as view:
            draft = await view.drafts.latest(FEBRUARY)
        assert draft is not None
        return draft.content


async def february_then_march(db: Database, workspace: Workspace, clock: FakeClock) -> bytes:
    """February's tickets and answers, its draft on 09/03 (returned), then the changes made
    after 03/2022 opened (10/03 08:00)."""
    office = Office(db, workspace, clock)
    await office.import_list(FIRST, at(2, 11))
    async with db.write() as tx:  # as a unit's answer in chat: still in progress, a reason
        await tx.tickets.report_status(
            "T2",
            TicketStatus.IN_PROGRESS,
            "telegram:1",
            unit_code="SYT",
            expected_on=date(2022, 2, 20),
            reason="chờ kinh phí",
            at=at(2, 14, 15),
        )
    await office.import_list(DEADLINE_DAY, at(2, 15))  # after the last day: counts
    async with db.write() as tx:  # answered late, before the close: counts too
        await tx.tickets.report_status(
            "T1", TicketStatus.HANDLED, "telegram:1", unit_code="SYT", at=at(2, 17)
        )
    compiled_then = await office.tonghop(at(3, 9, 22))
    await office.import_list(MARCH, at(3, 15))
    async with db.write() as tx:  # /giao: handed to another unit in March
        done = await tx.tickets.assign("T4", "SYT", "telegram:9", at=at(3, 16))
        await tx.tickets.report_status(
            "T2", TicketStatus.HANDLED, "telegram:1", unit_code="SYT", at=at(3, 17)
        )
    assert done.ticket is not None and done.ticket.unit_code == "SYT"
    return compiled_then


async def test_tonghop_in_april_counts_februarys_tickets_as_they_stood(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    clock = FakeClock(at(2, 11))
    db = await Database.open(sample_db.path, synchronous="OFF", clock=clock)
    try:
        compiled_then = await february_then_march(db, sample_workspace, clock)
        again = await Office(db, sample_workspace, clock).tonghop(at(4, 5))
    finally:
        await db.close()
    assert hotline_block(compiled_then) == FEBRUARY_BLOCK
    assert hotline_block(again) == FEBRUARY_BLOCK


async def test_a_locked_period_still_follows_its_tickets_until_the_next_opens(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    """/khoa stops the units' figures, not their answers about tickets, nor an import the
    office makes before compiling: until the next period opens its drafts take the tickets
    as they stand."""
    clock = FakeClock(at(2, 11))
    db = await Database.open(sample_db.path, synchronous="OFF", clock=clock)
    try:
        await Office(db, sample_workspace, clock).import_list(FIRST, at(2, 11))
        async with db.write() as tx:
            await tx.periods.lock(FEBRUARY, datetime(2022, 2, 22, 0, 30, tzinfo=VN))
            await tx.tickets.report_status(  # answered after the lock: counted
                "T1", TicketStatus.HANDLED, "telegram:1", unit_code="SYT", at=at(2, 23)
            )
        await Office(db, sample_workspace, clock).import_list(DEADLINE_DAY, at(2, 24))
        async with db.read() as view:  # 02/2022 is still current: 03/2022 opens on 10/03
            counted = await period_tickets(view, sample_workspace, FEBRUARY, at(2, 25))
    finally:
        await db.close()
    assert counted.as_of == date(2022, 2, 25)
    statuses = {t.id: t.status for t in counted.tickets}
    assert statuses["T1"] is TicketStatus.HANDLED
    assert "T8" in statuses  # imported after the lock


def test_the_command_line_counts_februarys_tickets_as_they_stood(
    sample_dir: Path, sample_workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    async def prepare() -> None:
        clock = FakeClock(at(2, 11))
        db = await Database.open(sample_dir / "baocao.sqlite3", clock=clock)
        try:
            for name in ("2022-01.toml", "2022-02.toml"):
                answers = read_answers_file(sample_dir / "answers" / name)
                await load_answers(db, sample_workspace, answers)
            await february_then_march(db, sample_workspace, clock)
        finally:
            await db.close()

    asyncio.run(prepare())
    config = str(sample_dir / "config.toml")
    out = sample_dir / "draft.docx"
    assert main(["report", "--config", config, "--period", "2022-02", "--out", str(out)]) == 0
    assert hotline_block(out.read_bytes()) == FEBRUARY_BLOCK

    capsys.readouterr()
    figures = ["tickets", "figures", "--config", config, "--period", "2022-02", "--json"]
    assert main(figures) == 0
    february = json.loads(capsys.readouterr().out)
    assert february["as_of"] == "2022-03-10"  # the day it closed
    assert (february["period"]["received"], february["cumulative"]["handled"]) == (7, 3)
    assert february["cumulative"]["overdue"] == 5
    assert [(u["unit_code"], u["count"]) for u in february["overdue_units"]] == [
        ("VPUBND", 1),
        ("SYT", 4),
    ]

    sheet = sample_dir / "february.xlsx"
    assert main(["export", "--config", config, "--period", "2022-02", "--out", str(sheet)]) == 0
    book = load_workbook(io.BytesIO(sheet.read_bytes()))
    rows = list(book["Phiếu phản ánh"].iter_rows(min_row=2, values_only=True))
    # Due days are Excel dates (the office sorts and filters them).
    listed = {row[0]: (row[1], f"{row[4]:%d/%m/%Y}", row[5]) for row in rows}
    assert listed == {
        "T0": ("Sở Y tế", "20/12/2021", "đã xử lý"),
        "T1": ("Sở Y tế", "30/01/2022", "đã xử lý"),
        "T2": ("Sở Y tế", "31/01/2022", "đang xử lý"),
        "T3": ("Sở Y tế", "01/02/2022", "đang xử lý"),
        "T4": ("Văn phòng UBND tỉnh", "02/02/2022", "đang xử lý"),
        "T5": ("Sở Y tế", "03/02/2022", "đã xử lý"),
        "T6": ("Sở Y tế", "28/02/2022", "đang xử lý"),
        "T8": ("Sở Y tế", "14/02/2022", "đang xử lý"),
    }
