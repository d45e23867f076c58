"""Tokens and webhook secrets never reach a log line or the terminal.

The bot runs with every logger at DEBUG (python-telegram-bot and httpx then log each request
URL, which holds the token) while errors are provoked: a wrong webhook secret, 5xx and 401
answers, a rejected token and a refused connection at start, a config with the token pasted
into it. Everything written is searched for the Telegram token, the Zalo token and the
webhook secret.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.channels.telegram import TelegramChannel
from bot.cli.main import main
from bot.demo.telegram_api import FakeTelegramServer
from bot.runtime.logs import configured_secrets, setup_logging
from bot.workspace.load import load_workspace
from tests.support.clock import FakeClock
from tests.support.harness import start_bot, stop_or_explain, write_workspace
from tests.support.ports import free_port

SECRET = "s3cret-Webhook_value-123"
ZALO_TOKEN = "8765432109:zalo-Secret-Token-abcdefghijklmnop"
WRONG_TOKEN = "654321:AAWrongTokenWrongTokenWrongToken9"


def _leaks(written: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s in written]


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """setup_logging changes the root logger; put it back for the other tests."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {n: logging.getLogger(n).level for n in ("httpx", "httpcore", "telegram")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


@pytest.mark.slow
async def test_running_bot_at_debug_logs_no_secret(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    restore_logging: None,
) -> None:
    monkeypatch.setenv("BAOCAO_TEST_TOKEN", fake_telegram.token)
    monkeypatch.setenv("BAOCAO_TEST_SECRET", SECRET)
    monkeypatch.setenv("BAOCAO_ZALO_TOKEN", ZALO_TOKEN)
    port = free_port()
    config = write_workspace(tmp_path, fake_telegram.base_url, "webhook", port)
    secrets = configured_secrets(load_workspace(config).settings)
    assert sorted(secrets) == sorted([fake_telegram.token, SECRET, ZALO_TOKEN])
    setup_logging(secrets, level=logging.DEBUG)
    for name in ("aiohttp", "httpx", "httpcore", "telegram"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    written = io.StringIO()
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(written)

    running = await start_bot(tmp_path, fake_telegram, clock, mode="webhook", port=port)
    try:
        url = f"http://127.0.0.1:{port}/telegram"
        update = fake_telegram.update(fake_telegram.user_sends_command(2001, "start"))
        fake_telegram.fail_next("sendMessage", 502)
        fake_telegram.fail_next("sendMessage", 401, "Unauthorized")
        async with httpx.AsyncClient() as client:
            wrong = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"}
            )
            good = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            )
        assert (wrong.status_code, good.status_code) == (403, 200)
        for _ in range(200):  # move the clock past each retry's back-off until it is sent
            if fake_telegram.sent_to(2001):
                break
            clock.advance(minutes=5)
            await asyncio.sleep(0.05)
        await fake_telegram.wait_for_messages(2001, 1, timeout=15)
        # A channel with a rejected token, logged with its traceback as a crash would be.
        bad = TelegramChannel(WRONG_TOKEN, fake_telegram.base_url)
        try:
            await bad.start()
        except Exception:
            logging.getLogger("bot.app").exception("start failed")
        await bad.stop()
    finally:
        await stop_or_explain(running)
    text = written.getvalue()
    # The URLs with the token were logged (so this test can fail), and redacted.
    assert "[REDACTED]" in text and "/setWebhook" in text and "rejected" in text
    assert _leaks(text, [fake_telegram.token, SECRET, ZALO_TOKEN, WRONG_TOKEN]) == []
    lines = text.count("\n")
    print(f"\nsecrets in logs: {lines} log lines at DEBUG, {text.count('[REDACTED]')} redactions")


@pytest.mark.parametrize("fault", ["rejected token", "connection refused"])
def test_baocao_run_failing_at_start_prints_no_secret(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    fault: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restore_logging: None,
) -> None:
    base = fake_telegram.base_url
    token = WRONG_TOKEN
    if fault == "connection refused":
        base, token = f"http://127.0.0.1:{free_port()}/bot", fake_telegram.token
    config = write_workspace(tmp_path, base)
    monkeypatch.setenv("BAOCAO_TEST_TOKEN", token)
    monkeypatch.setenv("BAOCAO_TEST_SECRET", SECRET)
    monkeypatch.setenv("BAOCAO_ZALO_TOKEN", ZALO_TOKEN)
    # `baocao run` itself (main thread: it installs its signal handlers), its log included.
    assert main(["run", "--config", str(config)]) == 1
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert _leaks(output, [token, SECRET, ZALO_TOKEN]) == []
    if fault == "rejected token":
        assert "Telegram từ chối mã bot trong biến môi trường BAOCAO_TEST_TOKEN" in output
    else:
        # The traceback went to the log, without the token that was in its URLs.
        assert "baocao dừng vì một lỗi" in output and "NetworkError" in output


def test_check_with_the_token_pasted_into_the_config_prints_no_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_workspace(tmp_path, "https://api.telegram.org/bot")
    source = config.read_text(encoding="utf-8")
    # The classic mistake: the token itself where the name of its variable belongs, and
    # pasted into the API address and an unknown key as well.
    source = source.replace('token_env = "BAOCAO_TEST_TOKEN"', f'token_env = "{WRONG_TOKEN}"')
    source = source.replace(
        'webhook_secret_env = "BAOCAO_TEST_SECRET"', f'webhook_secret_env = "{SECRET}"'
    )
    source += f'\n[zalo]\ntoken_env = "{ZALO_TOKEN}"\ntoken = "{ZALO_TOKEN}"\n'
    config.write_text(source, encoding="utf-8")
    assert main(["check", "--config", str(config)]) == 1
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "token_env" in output
    assert _leaks(output, [WRONG_TOKEN, SECRET, ZALO_TOKEN]) == []
