"""A form asked quarterly is prompted once in its quarter, in the quarter's last month, on
the timetable's own calendar; months that do not ask it owe nothing of it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.runtime.build import catalog_of
from bot.workspace.load import load_workspace
from handlers.context import HandlerContext
from handlers.schedule import run_due_steps
from tests.support.harness import OFFICE_USER
from tests.support.offices import BC_FORM, write_office
from tests.support.world import World

VP = 1003  # the focal point of VP, which owes cts (monthly) and ghichu (quarterly here)


async def test_a_quarterly_form_is_prompted_once_in_its_quarter(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        note = tmp_path / "forms" / "ghichu.toml"
        source = note.read_text(encoding="utf-8")
        note.write_text(
            source.replace('title = "Ghi chú"', 'title = "Ghi chú"\nfrequency = "quarterly"')
        )
        world.catalog = catalog_of(load_workspace(tmp_path / "config.toml"))
        assert world.catalog.forms["ghichu"].frequency == "quarterly"
        await world.register(VP, "VP")
        prompts: dict[str, list[str]] = {}
        for month in (1, 2, 3, 4):
            # 08:00 on the 10th: the month's period opens (four days before the 14th).
            world.now = datetime(2022, month, 10, 1, tzinfo=UTC)
            async with world.db.write() as tx:
                outcome = await run_due_steps(
                    HandlerContext(world.office, world.catalog, world.now, tx)
                )
            prompts[f"{month:02d}"] = [r.text for r in outcome.replies if r.chat_id == str(VP)]
        asked_notes = [
            month for month, texts in prompts.items() if any("Ghi chú" in t for t in texts)
        ]
        assert asked_notes == ["03"]  # once, in the quarter's last month
        assert all(any("Chứng thư số" in t for t in texts) for texts in prompts.values())
        owed = sorted((r[0], r[1]) for r in world.rows()["obligations"] if r[2] == "VP")
        assert ("2022-03", "ghichu") in owed
        assert ("2022-01", "ghichu") not in owed and ("2022-02", "ghichu") not in owed
        # /trangthai of February knows VP owed only the certificates then.
        world.now = datetime(2022, 2, 11, 3, tzinfo=UTC)
        status = "\n".join(r.text for r in await world.command(OFFICE_USER, "trangthai", "02/2022"))
        assert "Ghi chú" not in status
    finally:
        await world.close()


def test_check_says_when_a_form_is_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = "mã đơn vị,tên đơn vị,nhóm,biểu mẫu\nA,Phòng A,Phòng,bc\n"
    config = write_office(
        tmp_path,
        units,
        BC_FORM.replace('title = "Báo cáo"', 'title = "Báo cáo"\nfrequency = "yearly"'),
    )
    assert main(["check", "--config", str(config), "--today", "12/02/2022"]) == 0
    out = capsys.readouterr().out
    assert (
        "  bc (Báo cáo): 2 câu hỏi, 1 bắt buộc; 1 đơn vị phải nộp; hỏi hằng năm (tháng 12)" in out
    )
