"""Imported tickets (and the units' answers about them) are the hotline figures of the draft,
from /tonghop (the compile job) and from `baocao report` alike."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli.main import main
from bot.runtime.clock import Clock
from bot.runtime.jobs import JobsChannel
from bot.tickets.saving import import_tickets
from bot.workspace.answers_file import load_answers, read_answers_file
from bot.workspace.load import Workspace
from domain.periods import Period
from domain.tickets import TicketStatus
from storage import Database
from tests.support.docx_reading import full_text, open_docx
from tests.support.sample_data import TICKETS_CSV

FEBRUARY = Period(2022, 2)
COMPILED_AT = datetime(2022, 2, 17, 8, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

EXPECTED = [
    "Tổng số phản ánh đã tiếp nhận trong tháng: 6",
    "+ Qua tổng đài 1022: 3;",
    "+ Trực tiếp: 1;",
    "+ Zalo: 1;",
    "+ Facebook: 1.",
    "đến 16 giờ ngày 14/02/2022 tiếp nhận: 7",
    "+ Văn phòng UBND tỉnh: 1;",
]
# Overdue is judged on the day of compiling, and the tickets taken as they are, while units
# still answer the period: 17/02/2022 in the job (T1, T3, T4 overdue; T2 answered handled).
ON_17_FEBRUARY = [
    "+ Đã xử lý: 3 phản ánh;",
    "+ Đang xử lý: 4 (trong đó: 3 phiếu trễ hạn);",
    "+ Sở Y tế: 2.",
]
# From the command line years later, as the period closed (03/2022 opened on 10/03/2022):
# T2's answer of 17/02 counts, and T6, due 28/02 and still in progress then, is overdue.
LATER = [
    "+ Đã xử lý: 3 phản ánh;",
    "+ Đang xử lý: 4 (trong đó: 4 phiếu trễ hạn);",
    "+ Sở Y tế: 3.",
]
# The list was imported during the period (an import is stamped with the database's clock).
IMPORTED_AT = datetime(2022, 2, 11, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


async def _tickets_with_an_answer(db: Database, workspace: Workspace) -> None:
    async with db.write() as tx:
        await import_tickets(
            tx,
            TICKETS_CSV,
            "phieu.csv",
            settings=workspace.settings.tickets,
            today=date(2022, 2, 17),
            changed_by="test",
            units=workspace.units,
        )
        await tx.tickets.report_status(
            "T2", TicketStatus.HANDLED, "telegram:1", unit_code="SYT", at=COMPILED_AT
        )


async def test_the_compile_job_uses_the_imported_tickets(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    await _tickets_with_an_answer(sample_db, sample_workspace)
    clock: Clock = lambda: COMPILED_AT  # noqa: E731
    jobs = JobsChannel(sample_db, sample_workspace, clock, lambda: None)
    payload = {"job": "compile", "period": "2022-02", "reply_channel": "telegram", "by": "t:1"}
    await jobs.send("900", payload)
    async with sample_db.read() as view:
        draft = await view.drafts.latest(FEBRUARY)
    assert draft is not None
    body = full_text(open_docx(draft.content))
    for line in EXPECTED + ON_17_FEBRUARY:
        assert line in body
    assert "Sở Y tế: 69" not in body  # the forms' figures are not used


def test_baocao_report_uses_the_imported_tickets(
    sample_dir: Path, sample_workspace: Workspace
) -> None:
    async def prepare() -> None:
        db = await Database.open(sample_dir / "baocao.sqlite3", clock=lambda: IMPORTED_AT)
        try:
            for name in ("2022-01.toml", "2022-02.toml"):
                answers = read_answers_file(sample_dir / "answers" / name)
                await load_answers(db, sample_workspace, answers)
            await _tickets_with_an_answer(db, sample_workspace)
        finally:
            await db.close()

    asyncio.run(prepare())
    out = sample_dir / "draft.md"
    config = str(sample_dir / "config.toml")
    assert main(["report", "--config", config, "--period", "2022-02", "--out", str(out)]) == 0
    body = out.read_text(encoding="utf-8")
    for line in EXPECTED + LATER:
        assert line in body
