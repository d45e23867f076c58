"""`baocao doctor` against real files and the fake Bot API on 127.0.0.1: OK, or what to fix."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

import bot.doctor.checks
from bot.cli.main import main
from bot.cli.running import warn_about_orphans
from bot.demo.telegram_api import FakeTelegramServer
from bot.workspace.load import load_workspace
from domain.answers import Answer
from domain.obligations import Obligation
from domain.periods import parse_period
from storage import Database
from tests.support.offices import init_office
from tests.support.ports import free_port
from tests.support.zalo_server import FakeZaloServer

TOKEN_ENV = "BAOCAO_TELEGRAM_TOKEN"
PERIOD = parse_period("2022-02")


def _office(tmp_path: Path, base_url: str, mode: str = "polling") -> Path:
    config = init_office(tmp_path / "office")
    source = config.read_text(encoding="utf-8")
    source = source.replace('"https://api.telegram.org/bot"', f'"{base_url}"')
    if mode == "webhook":
        source = source.replace('mode = "polling"', 'mode = "webhook"', 1)
        source = source.replace('webhook_url = ""', 'webhook_url = "https://bc.example.vn/tg"')
    config.write_text(source, encoding="utf-8")
    return config


async def _database(config: Path, *, clock: datetime | None = None) -> Database:
    workspace = load_workspace(config)
    db = await Database.open(
        workspace.settings.storage.path,
        clock=(lambda: clock) if clock else (lambda: datetime.now(UTC)),
    )
    async with db.write() as tx:
        await tx.units.sync_all(list(workspace.units))
        await tx.obligations.ensure([Obligation("SYT", "dvc", PERIOD)])
        await tx.answers.set(Answer("SYT", "dvc", PERIOD.key, "hs_tiep_nhan", "120"), "u")
    return db


def _doctor(config: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["doctor", "--config", str(config), *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture(autouse=True)
def _room(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's free space must not decide these tests; one test lowers it on purpose."""
    monkeypatch.setattr(bot.doctor.checks, "MIN_FREE_MB", 0)


def test_all_well_online(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = _office(tmp_path, fake_telegram.base_url)
    monkeypatch.setenv(TOKEN_ENV, fake_telegram.token)
    asyncio.run(_close(_database(config)))
    code, out = _doctor(config, capsys)
    assert code == 0, out
    assert "[OK] Mã bot Telegram: hợp lệ, bot @baocao_test_bot" in out
    assert "[OK] Nhận tin Telegram: chế độ polling; 0 tin đang chờ bot nhận" in out
    assert "[OK] Cơ sở dữ liệu:" in out and "quick_check: ok" in out
    assert re.search(r"baocao\.sqlite3 \(\d+,\d MB\): toàn vẹn", out), out
    assert "[OK] Tin chờ gửi: không có tin nào chờ gửi" in out
    assert "[OK] Dung lượng đĩa: còn trống" in out
    assert out.rstrip().endswith("Không có gì cần sửa.")
    assert fake_telegram.token not in out


def test_a_bad_token_is_reported_never_printed(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = _office(tmp_path, fake_telegram.base_url)
    bad = "123456:AAWrongTokenWrongTokenWrongToken999"
    monkeypatch.setenv(TOKEN_ENV, bad)
    code, out = _doctor(config, capsys)
    assert code == 1
    assert "[CẦN SỬA] Mã bot Telegram: Telegram từ chối mã bot" in out
    assert TOKEN_ENV in out and "@BotFather" in out
    assert bad not in out and "AAWrongToken" not in out
    # No database yet: a note, not a fault.
    assert "[LƯU Ý] Cơ sở dữ liệu: chưa có tệp" in out


def test_connection_refused_names_the_host_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()  # nothing listens there
    config = _office(tmp_path, f"http://127.0.0.1:{port}/bot")
    token = "123456:AASecretSecretSecretSecretSecret000"
    monkeypatch.setenv(TOKEN_ENV, token)
    code, out = _doctor(config, capsys)
    assert code == 1
    assert f"không kết nối được tới 127.0.0.1:{port} (ConnectError)" in out
    assert token not in out


def test_webhook_pointing_elsewhere_or_failing(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = _office(tmp_path, fake_telegram.base_url, mode="webhook")
    monkeypatch.setenv(TOKEN_ENV, fake_telegram.token)
    code, out = _doctor(config, capsys, "--offline")
    assert code == 1 and "biến môi trường BAOCAO_TELEGRAM_WEBHOOK_SECRET chưa có" in out
    monkeypatch.setenv("BAOCAO_TELEGRAM_WEBHOOK_SECRET", "a-webhook-secret-0123")
    fake_telegram.make_bot()  # (unused) proves the fake is up before we call it
    fake_telegram._api_setWebhook({"url": "https://old.example.vn/hook"})
    code, out = _doctor(config, capsys)
    assert code == 1
    assert "Telegram đang gửi tin tới https://old.example.vn/hook" in out
    assert "cấu hình ghi https://bc.example.vn/tg" in out

    fake_telegram._api_setWebhook({"url": "https://bc.example.vn/tg"})
    original = fake_telegram._api_getWebhookInfo

    def failing(params: dict[str, object]) -> dict[str, object]:
        info = original(params)
        stamp = int(datetime(2022, 2, 11, 2, 30, tzinfo=UTC).timestamp())
        info.update(last_error_date=stamp, last_error_message="Connection timed out")
        info["pending_update_count"] = 7
        return info

    monkeypatch.setattr(fake_telegram, "_api_getWebhookInfo", failing)
    code, out = _doctor(config, capsys)
    assert code == 1
    assert "Telegram không gửi được tin tới https://bc.example.vn/tg" in out
    assert "09:30 11/02/2022: Connection timed out); 7 tin đang chờ" in out


def test_stuck_outbox_unreachable_people_and_low_disk_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _office(tmp_path, "https://api.telegram.org/bot")
    past = datetime.now(UTC) - timedelta(hours=2)

    async def setup() -> None:
        db = await _database(config, clock=past)
        async with db.write() as tx:
            await tx.outbox.enqueue("telegram", "77", {"text": "hello"})
            await tx.outbox.enqueue("telegram", "78", {"text": "hello"})
            # Held for the morning (quiet hours): waiting, but not late.
            later = datetime.now(UTC) + timedelta(hours=8)
            await tx.outbox.enqueue("telegram", "79", {"text": "hi"}, not_before=later)
            await tx.focal_points.add("SYT", "telegram", "77", "77", "Nguyễn Văn B")
            await tx.focal_points.mark_unreachable("telegram", "77", past)
        await db.close()

    asyncio.run(setup())
    monkeypatch.setattr(bot.doctor.checks, "MIN_FREE_MB", 10**12)
    code, out = _doctor(config, capsys, "--offline")
    assert code == 1
    assert "[BỎ QUA] Mã bot Telegram: bỏ qua (--offline)" in out
    assert "[CẦN SỬA] Tin chờ gửi: 2 tin đã đến giờ gửi mà chưa đi, tin chờ lâu nhất" in out
    assert "đã chờ 120 phút" in out and "tổng cộng 3 tin chờ gửi" in out
    assert "SYT – Nguyễn Văn B (telegram, từ" in out and "baocao invite" in out
    assert "[CẦN SỬA] Dung lượng đĩa: chỉ còn trống" in out
    assert "Có 3 mục cần sửa" in out


def test_answers_of_a_removed_unit_and_field_are_noted_not_lost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _office(tmp_path, "https://api.telegram.org/bot")

    async def setup() -> None:
        db = await _database(config)
        async with db.write() as tx:
            await tx.obligations.ensure([Obligation("BDT", "buuchinh", PERIOD)])
            await tx.answers.set(Answer("BDT", "buuchinh", PERIOD.key, "gone", "5"), "u")
        await db.close()

    asyncio.run(setup())
    units = config.parent / "units.csv"
    units.write_text(
        "\n".join(
            line
            for line in units.read_text(encoding="utf-8-sig").splitlines()
            if not line.startswith("SYT,")
        )
        + "\n",
        encoding="utf-8",
    )
    database = config.parent / "baocao.sqlite3"
    before = database.read_bytes()
    code, out = _doctor(config, capsys, "--offline")
    assert code == 0, out
    assert "[LƯU Ý] Số liệu đã lưu:" in out
    assert "đơn vị SYT (không còn trong danh sách đơn vị): 1 số liệu" in out
    assert "câu hỏi buuchinh.gone của đơn vị BDT (không còn trong biểu mẫu): 1 số liệu" in out
    assert "không bị xóa" in out
    assert database.read_bytes() == before
    # `baocao check` says it too (and still passes: nothing to fix in the files).
    capsys.readouterr()
    assert main(["check", "--config", str(config)]) == 0
    assert "đơn vị SYT (không còn trong danh sách đơn vị)" in capsys.readouterr().out
    # `baocao run` says the same at start, and starts anyway.
    capsys.readouterr()
    assert warn_about_orphans(load_workspace(config))
    assert "đơn vị SYT (không còn trong danh sách đơn vị)" in capsys.readouterr().err
    assert database.read_bytes() == before
    # And the export still carries them, in its sheet of every revision.
    book = tmp_path / "export.xlsx"
    args = ["export", "--config", str(config), "--period", "2022-02", "--out", str(book)]
    assert main(args) == 0
    cells = {
        str(cell)
        for sheet in openpyxl.load_workbook(book, read_only=True).worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    }
    assert {"SYT", "gone", "120", "5"} <= cells


async def _close(opening: object) -> None:
    db = await opening  # type: ignore[misc]
    await db.close()


def _zalo_office(tmp_path: Path, base_url: str, mode: str) -> Path:
    """An office on Zalo only (Telegram off), pointed at the fake Zalo server."""
    config = _office(tmp_path, "https://api.telegram.org/bot")
    source = config.read_text(encoding="utf-8")
    head, zalo_table = source.split("[zalo]", 1)
    head = head.replace("enabled = true", "enabled = false", 1)
    zalo_table = zalo_table.replace("enabled = false", "enabled = true", 1)
    zalo_table = zalo_table.replace('"https://bot-api.zaloplatforms.com/bot"', f'"{base_url}"')
    if mode == "webhook":
        zalo_table = zalo_table.replace('mode = "polling"', 'mode = "webhook"', 1)
        zalo_table = zalo_table.replace('webhook_url = ""', 'webhook_url = "https://bc.vn/zalo"', 1)
    config.write_text(f"{head}[zalo]{zalo_table}", encoding="utf-8")
    return config


def test_zalo_webhook_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeZaloServer() as fake:
        monkeypatch.setenv("BAOCAO_ZALO_TOKEN", fake.token)
        config = _zalo_office(tmp_path, fake.base_url, "webhook")
        # No secret: the bot could not start; said offline too.
        code, out = _doctor(config, capsys, "--offline")
        assert code == 1
        assert "[CẦN SỬA] Nhận tin Zalo: chế độ webhook nhưng biến môi trường" in out
        assert "BAOCAO_ZALO_WEBHOOK_SECRET" in out
        monkeypatch.setenv("BAOCAO_ZALO_WEBHOOK_SECRET", "zalo-secret-0123")
        code, out = _doctor(config, capsys)
        assert code == 1
        assert "[OK] Mã bot Zalo: hợp lệ, bot baocao_bot" in out
        assert "[CẦN SỬA] Nhận tin Zalo: Zalo đang gửi tin tới (chưa đặt webhook)" in out
        assert "cấu hình ghi https://bc.vn/zalo" in out
        fake._call("setWebhook", {"url": "https://bc.vn/zalo", "secret_token": "x" * 8})
        code, out = _doctor(config, capsys)
        assert code == 0, out
        assert "[OK] Nhận tin Zalo: webhook tới https://bc.vn/zalo" in out
        # Polling while a webhook is set: the bot deletes it when it starts.
        config = _zalo_office(tmp_path / "polling", fake.base_url, "polling")
        code, out = _doctor(config, capsys)
        assert code == 0, out
        assert "[LƯU Ý] Nhận tin Zalo: chế độ polling nhưng Zalo đang có webhook" in out
        fake._call("deleteWebhook", {})
        code, out = _doctor(config, capsys)
        assert "[OK] Nhận tin Zalo: chế độ polling, Zalo không đặt webhook" in out
        assert fake.token not in out and "zalo-secret-0123" not in out
        assert "getWebhookInfo" in fake.methods_called()


def test_database_line_counts_what_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _office(tmp_path, "https://api.telegram.org/bot")

    async def setup() -> None:
        db = await _database(config)
        async with db.write() as tx:
            await tx.inbox.store("telegram", "1", {"update_id": 1})
            for n in range(3):
                await tx.outbox.enqueue("telegram", "77", {"text": "x" * 300_000 + str(n)})
        async with db.write() as tx:
            for message in await tx.outbox.due():
                await tx.outbox.mark_sent(message.id)
            await tx.outbox.purge_settled(datetime.now(UTC) + timedelta(days=1), limit=2)
        await db.close()

    asyncio.run(setup())
    code, out = _doctor(config, capsys, "--offline")
    assert code == 0, out
    assert "Đang lưu 1 tin đã nhận và 1 tin gửi đi" in out
    assert "quá 90 ngày được xóa mỗi ngày" in out
    assert "MB trống trong tệp được dùng lại" in out
