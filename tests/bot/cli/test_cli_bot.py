"""`baocao invite`, `baocao status`, `baocao remind` against a real database file."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.workspace.load import load_workspace
from domain.answers import Answer
from domain.obligations import Obligation, ObligationState
from domain.periods import Period
from storage import Database


def test_invite_prints_links_and_writes_qr_codes(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    out_dir = tmp_path / "qr"
    args = ["invite", "--config", str(office), "bdt", "SYT", "--bot-username", "so_bot"]
    assert main([*args, "--json", "--out", str(out_dir)]) == 0
    made = json.loads(capsys.readouterr().out)
    assert [m["unit"] for m in made] == ["BDT", "SYT"]
    for item in made:
        assert item["telegram"]["link"].startswith("https://t.me/so_bot?start=")
        assert len(item["telegram"]["link"].split("start=")[1]) <= 64
        assert item["telegram"]["link"].endswith(item["code"]) and "zalo" not in item
        png = Path(item["telegram"]["qr"]).read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 200
    codes = {m["code"] for m in made}
    assert len(codes) == 2

    async def stored() -> set[str]:
        db = await Database.open(office.parent / "baocao.sqlite3")
        try:
            async with db.read() as r:
                return {i.code for u in ("BDT", "SYT") for i in await r.invites.open_for_unit(u)}
        finally:
            await db.close()

    assert asyncio.run(stored()) == codes


def test_invite_refuses_unknown_units(office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["invite", "--config", str(office), "XYZ", "--bot-username", "b"]) == 2
    err = capsys.readouterr().err
    assert "Không có đơn vị: XYZ." in err and "BDT" in err


def test_status_and_remind_on_a_fresh_database(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def register() -> None:
        db = await Database.open(office.parent / "baocao.sqlite3")
        try:
            async with db.write() as tx:
                await tx.units.sync_all(list(load_workspace(office).units))
                await tx.focal_points.add("SYT", "telegram", "77", "77", "Chị Lan")
        finally:
            await db.close()

    asyncio.run(register())
    capsys.readouterr()
    assert main(["status", "--config", str(office), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["total"] == 5 and len(status["not_started"]) == 5
    assert status["period"] != ""
    assert main(["remind", "--config", str(office), "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert "sẽ nhắc 5 đơn vị (1 tin nhắn)" in dry and "Chưa gửi gì" in dry

    async def pending() -> int:
        db = await Database.open(office.parent / "baocao.sqlite3")
        try:
            async with db.read() as r:
                return await r.outbox.pending_count()
        finally:
            await db.close()

    assert asyncio.run(pending()) == 0
    assert main(["remind", "--config", str(office)]) == 0
    assert "đã xếp 1 tin nhắc cho 5 đơn vị" in capsys.readouterr().out
    assert asyncio.run(pending()) == 1


def test_remind_lists_the_units_reminded_about_their_overdue_tickets_alone(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A unit created far ahead owes no form today, but holds an overdue ticket.
    with (office.parent / "units.csv").open("a", encoding="utf-8") as units:
        units.write("TTMOI,Trung tâm mới,Đơn vị trực thuộc Sở,cntt,,01/01/2999,\n")
    tickets = tmp_path / "phieu.csv"
    tickets.write_text(
        "Mã phiếu,Ngày tiếp nhận,Hạn xử lý,Đơn vị xử lý,Nội dung,Trạng thái\n"
        "PA-1,05/01/2020,20/01/2020,TTMOI,Mạng chậm,Đang xử lý\n",
        encoding="utf-8",
    )
    assert main(["tickets", "import", str(tickets), "--config", str(office)]) == 0

    async def register() -> None:
        db = await Database.open(office.parent / "baocao.sqlite3")
        try:
            async with db.write() as tx:
                await tx.focal_points.add("TTMOI", "telegram", "78", "78", "Anh Minh")
        finally:
            await db.close()

    asyncio.run(register())
    capsys.readouterr()
    assert main(["remind", "--config", str(office), "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert "sẽ nhắc 6 đơn vị (1 tin nhắn)" in dry
    assert "  Trung tâm mới (trả lời phiếu phản ánh quá hạn)" in dry
    assert main(["remind", "--config", str(office)]) == 0
    assert "đã xếp 1 tin nhắc cho 6 đơn vị" in capsys.readouterr().out


def test_status_shows_a_sent_report_changed_since_as_the_chat_does(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sent, changed = datetime(2022, 3, 3, 2, 0, tzinfo=UTC), datetime(2022, 3, 4, 3, 30, tzinfo=UTC)

    async def send_then_change() -> None:
        db = await Database.open(office.parent / "baocao.sqlite3")
        try:
            async with db.write() as tx:
                await tx.units.sync_all(list(load_workspace(office).units))
                await tx.obligations.ensure([Obligation("BDT", "buuchinh", Period(2022, 2))])
                first = Answer("BDT", "buuchinh", "2022-02", "san_luong", "12", updated_at=sent)
                await tx.answers.set(first, "telegram:77")
                await tx.obligations.set_state(
                    "BDT", "buuchinh", "2022-02", ObligationState.SUBMITTED, sent, sent
                )
                again = replace(first, value="13", updated_at=changed)
                await tx.answers.set(again, "telegram:77")
                await tx.obligations.set_state(
                    "BDT", "buuchinh", "2022-02", ObligationState.REOPENED, changed, sent
                )
        finally:
            await db.close()

    asyncio.run(send_then_change())
    capsys.readouterr()
    assert main(["status", "--config", str(office), "--period", "2022-02"]) == 0
    shown = capsys.readouterr().out
    note = "(sửa sau khi gửi: 1 thay đổi, lần cuối 10:30 04/03/2022; chưa gửi lại)"
    assert f"Đang nhập: 1 – Bưu điện tỉnh Trà Vinh {note}" in shown
    assert main(["status", "--config", str(office), "--period", "2022-02", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["changed_after_submission"] == {
        "BDT": {"changes": 1, "last_change": "2022-03-04T03:30:00+00:00"}
    }
