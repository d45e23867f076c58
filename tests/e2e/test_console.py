"""`baocao chat`: the bot in a terminal, against a real SQLite workspace."""

from __future__ import annotations

import asyncio
import getpass
import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from bot.channels.console import ConsoleIdentity
from bot.cli.main import main
from bot.workspace.load import load_workspace
from handlers.registration import create_invite
from storage import Database
from tests.support.clock import START, FakeClock
from tests.support.harness import write_workspace

BAOCAO = Path(sys.executable).parent / ("baocao.exe" if os.name == "nt" else "baocao")
FOCAL = "4242"  # a Telegram focal point of BDT, registered the real way


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The e2e workspace (3 units, the digital-certificate form); its config path."""
    return write_workspace(tmp_path, "http://127.0.0.1:9/bot")


def _rows(config: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(config.parent / "baocao.sqlite3") as db:
        return db.execute(sql).fetchall()


@pytest.mark.slow
def test_a_unit_answers_a_form_through_a_pipe(workspace: Path) -> None:
    typed = "/baocao\n259\n2.386\n472\n1.914\nbỏ qua\ngửi\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")}
    done = subprocess.run(
        [str(BAOCAO), "chat", "--unit", "syt", "--config", str(workspace)],
        input=typed,
        capture_output=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    out = done.stdout
    assert "với tư cách đầu mối của Sở Y tế (SYT)" in out
    assert "Câu 1/5" in out and "Gõ: «Tạm dừng»" in out
    assert "Gõ: «Gửi báo cáo» · «Sửa»" in out  # the summary's actions as words to type
    assert "1. ✅" not in out  # a number on the summary is a question's
    assert "Đã nhận báo cáo «Chứng thư số»" in out
    assert out.rstrip().endswith("Đã thoát. Mọi câu trả lời đã được lưu.")  # end of input
    values = _rows(workspace, "SELECT field_key, value FROM answers WHERE unit_code = 'SYT'")
    assert {str(k): v for k, v in values} == {
        "cap_moi": "259",
        "tong": "2386",
        "to_chuc": "472",
        "ca_nhan": "1914",
    }
    authors = {a for (a,) in _rows(workspace, "SELECT changed_by FROM revisions")}
    assert authors == {f"console:{getpass.getuser()}@SYT"}
    states = _rows(workspace, "SELECT state FROM obligations WHERE unit_code = 'SYT'")
    assert states and states[0][0] in ("submitted", "submitted_late")
    # Nobody was registered, and nothing waits for delivery to the console.
    assert _rows(workspace, "SELECT * FROM focal_points") == []
    assert _rows(workspace, "SELECT * FROM outbox") == []


def test_an_unknown_unit_code_is_refused_with_where_to_find_codes(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["chat", "--unit", "XYZ", "--config", str(workspace)]) == 2
    err = capsys.readouterr().err
    assert "Không có đơn vị mã «XYZ»" in err
    assert "cột «mã đơn vị»" in err and "Các mã hiện có: BDT, SYT, VP" in err
    assert main(["chat", "--config", str(workspace)]) == 2
    assert "--unit MÃ_ĐƠN_VỊ" in capsys.readouterr().err


def test_a_unit_code_is_matched_ignoring_case_as_units_csv_spells_it(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    units = workspace.parent / "units.csv"
    units.write_text(units.read_text(encoding="utf-8").replace("\nVP,", "\nVp,"), "utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["chat", "--unit", "vp", "--config", str(workspace)]) == 0
    assert "đầu mối của Văn phòng UBND tỉnh (Vp)" in capsys.readouterr().out


def _converse(
    config: Path, identity: ConsoleIdentity, lines: Iterator[str] | list[str], out_dir: Path
) -> str:
    # Imported here: importing bot.cli.chat registers `chat`, and the CLI's help test expects
    # the commands in the order main() registers them.
    from bot.cli.chat import run_console

    out = io.StringIO()
    workspace = load_workspace(config)
    code = run_console(workspace, identity, out_dir, iter(lines), out, "so_bot", FakeClock(START))
    assert code == 0
    return out.getvalue()


async def _register_focal_point(config: Path) -> str:
    """BDT's focal point on Telegram (a real registration); a fresh SYT invite code."""
    db = await Database.open(config.parent / "baocao.sqlite3")
    try:
        async with db.write() as tx:
            await tx.units.sync_all(list(load_workspace(config).units))
            await tx.focal_points.add("BDT", "telegram", FOCAL, FOCAL, "Minh", START)
            return await create_invite(tx, "SYT", START, 14)
    finally:
        await db.close()


def test_the_office_reminds_and_drafts_from_the_console(workspace: Path, tmp_path: Path) -> None:
    code = asyncio.run(_register_focal_point(workspace))
    files = tmp_path / "files"
    out = _converse(
        workspace,
        ConsoleIdentity("thu", None),
        ["/trangthai", "/nhacnho", "1", "/tonghop", f"/start {code}"],
        files,
    )
    assert "Tiến độ báo cáo kỳ 02/2022" in out
    assert "1. 🔔 Nhắc ngay" in out
    assert "Đã xếp 1 tin nhắc tới 1 đầu mối" in out
    # The reminder waits in the outbox for `baocao run`; the console's own replies do not.
    queued = _rows(workspace, "SELECT channel, chat_id, payload FROM outbox")
    assert [(c, chat) for c, chat, _ in queued] == [("telegram", FOCAL)]
    assert "02/2022" in json.loads(str(queued[0][2]))["text"]
    # The draft is written to a file whose path is printed, and it opens.
    draft = files / "BC-STTTT-VP_2022-02_v1.docx"
    assert f"📎 Đã ghi tệp: {draft.resolve()}" in out
    body = "\n".join(p.text for p in docx.Document(str(draft)).paragraphs)
    assert "BÁO CÁO" in body.upper() and "Sở Y tế" in body
    drafts = _rows(workspace, "SELECT created_by FROM drafts")
    assert drafts == [("console:thu@office",)]
    # Invite codes are not redeemed from the console.
    assert "không dùng mã mời" in out
    used = _rows(workspace, "SELECT used_at FROM invites")
    assert used == [(None,)]
    assert _rows(workspace, "SELECT unit_code, channel FROM focal_points") == [("BDT", "telegram")]


def test_ctrl_c_ends_the_conversation_cleanly(workspace: Path, tmp_path: Path) -> None:
    def typed() -> Iterator[str]:
        yield "/baocao"
        raise KeyboardInterrupt

    out = _converse(workspace, ConsoleIdentity("lan", "SYT"), typed(), tmp_path)
    assert "Câu 1/5" in out
    assert out.rstrip().endswith("Đã thoát. Mọi câu trả lời đã được lưu.")
    stored = _rows(workspace, "SELECT user_id FROM conversations")
    assert stored == [("lan@SYT",)]


def test_a_line_that_fails_is_rolled_back_and_the_console_goes_on(
    workspace: Path, tmp_path: Path
) -> None:
    def typed() -> Iterator[str]:
        yield "/baocao"
        # The database is damaged under the console: storing an answer now fails.
        with sqlite3.connect(workspace.parent / "baocao.sqlite3") as db:
            db.execute("DROP TABLE revisions")
        yield "259"
        yield "/baocao"

    out = _converse(workspace, ConsoleIdentity("lan", "SYT"), typed(), tmp_path)
    assert "Xin lỗi, bot gặp lỗi khi xử lý tin nhắn này." in out
    assert out.count("Câu 1/5") == 2  # asked again: the failed answer was not kept
    assert _rows(workspace, "SELECT * FROM answers") == []
    assert out.rstrip().endswith("Đã thoát. Mọi câu trả lời đã được lưu.")


def test_a_unit_gets_its_form_sheet_in_the_console(workspace: Path, tmp_path: Path) -> None:
    asyncio.run(_register_focal_point(workspace))
    files = tmp_path / "files"
    out = _converse(workspace, ConsoleIdentity("thu", "SYT"), ["/mau"], files)
    sheet = files / "mau_SYT_2022-02.xlsx"
    assert f"📎 Đã ghi tệp: {sheet.resolve()}" in out
    page = load_workbook(sheet)["cts"]
    assert (page["B3"].value, page["B4"].value, page["B5"].value) == ("SYT", "cts", "2022-02")
