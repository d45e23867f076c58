"""config.toml's [web]: the dashboard's public address (else the webhook's) and how long a login
lasts; wrong values are problems saying what to write."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.cli.main import main
from bot.runtime.build import office_of, public_origin
from bot.web.dashboard import Dashboard
from bot.web.routes import mount
from bot.workspace.config import load_settings, read_settings
from bot.workspace.load import load_workspace
from tests.support.dashboard import link_for
from tests.support.offices import edit_file
from tests.support.paths import CONFIG_EXAMPLE
from tests.support.problem_lines import checked_lines
from tests.support.world import World

PUBLIC = 'public_url = ""'
HOURS = "session_hours = 10"


def write_config(folder: Path, edits: dict[str, str]) -> Path:
    """The example with some lines replaced (old line -> new text)."""
    source = CONFIG_EXAMPLE.read_text(encoding="utf-8")
    for old, new in edits.items():
        assert old in source, f"the example no longer has {old!r}"
        source = source.replace(old, new, 1)
    path = folder / "config.toml"
    path.write_text(source, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    """The file's problems, their lines checked and taken out."""
    return checked_lines(path, [str(problem) for problem in read_settings(path)[1]])


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        pytest.param(
            {PUBLIC: 'public_url = "baocao.so.vn"'},
            'config.toml: web.public_url: "baocao.so.vn" không phải địa chỉ web; hãy ghi địa '
            "chỉ cán bộ văn phòng mở được trên trình duyệt, bắt đầu bằng https:// (hoặc "
            'http:// trong mạng nội bộ), ví dụ "https://baocao.example.vn", hoặc "" để bot tự '
            "lấy từ địa chỉ webhook",
            id="no-scheme",
        ),
        pytest.param(
            {PUBLIC: 'public_url = "ftp://baocao.so.vn"'},
            'config.toml: web.public_url: "ftp://baocao.so.vn" không phải địa chỉ web',
            id="not-http",
        ),
        pytest.param(
            {PUBLIC: 'public_url = "https://baocao.so.vn:web"'},
            'config.toml: web.public_url: "https://baocao.so.vn:web" không phải địa chỉ web',
            id="bad-port",
        ),
        pytest.param(
            {PUBLIC: 'public_url = "https://baocao.so.vn/web/"'},
            'config.toml: web.public_url: "https://baocao.so.vn/web/" có thêm đường dẫn sau tên '
            'máy; hãy chỉ ghi phần đầu của địa chỉ, "https://baocao.so.vn": bảng theo dõi '
            "luôn ở /web/ của địa chỉ này",
            id="with-path",
        ),
        pytest.param(
            {HOURS: "session_hours = 0"},
            "config.toml: web.session_hours: 0 nằm ngoài khoảng cho phép; hãy ghi một số từ 1 "
            "đến 24",
            id="hours-zero",
        ),
        pytest.param(
            {HOURS: "session_hours = 240"},
            "config.toml: web.session_hours: 240 nằm ngoài khoảng cho phép",
            id="hours-too-many",
        ),
        pytest.param(
            {HOURS: 'session_hours = "10"'},
            'config.toml: web.session_hours: "10" là chuỗi chữ; hãy ghi một số nguyên',
            id="hours-as-text",
        ),
    ],
)
def test_a_wrong_web_setting_is_a_problem_saying_what_to_write(
    tmp_path: Path, edits: dict[str, str], expected: str
) -> None:
    problems = problems_of(write_config(tmp_path, edits))
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_the_public_address_is_the_one_for_web_links_before_the_webhooks(tmp_path: Path) -> None:
    webhook = {
        'mode = "polling"': 'mode = "webhook"',
        'webhook_url = ""': 'webhook_url = "https://hook.so.vn/telegram"',
    }
    settings = load_settings(write_config(tmp_path, webhook))
    assert settings.web.public_url == "" and public_origin(settings) == "https://hook.so.vn"
    chosen = {**webhook, PUBLIC: 'public_url = "http://10.0.0.5:8080/"', HOURS: "session_hours = 2"}
    settings = load_settings(write_config(tmp_path, chosen))
    assert public_origin(settings) == "http://10.0.0.5:8080"
    assert settings.web.session_hours == 2


def test_web_link_makes_its_link_at_the_public_address(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_file(office, PUBLIC, 'public_url = "https://bot.so.vn"')
    assert office_of(load_workspace(office)).web_url == "https://bot.so.vn"  # /web in chat
    assert main(["web-link", "--config", str(office), "123456789"]) == 0
    assert "https://bot.so.vn/web/login?a=telegram:123456789&e=" in capsys.readouterr().out


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    opened = await World.open(tmp_path)
    yield opened
    await opened.close()


async def test_a_login_lasts_the_configured_hours(world: World) -> None:
    two_hours = timedelta(hours=2)
    app = web.Application()
    dashboard = Dashboard(
        world.db, world.catalog, world.office, lambda: world.now, session_valid=two_hours
    )
    mount(app, dashboard)
    async with TestClient(TestServer(app)) as client:
        signed = await client.get(await link_for(world))
        assert "Max-Age=7200" in signed.headers["Set-Cookie"]
        world.now += two_hours - timedelta(minutes=1)
        assert (await client.get("/web/", allow_redirects=False)).status == 200
        world.now += timedelta(minutes=1)
        assert (await client.get("/web/", allow_redirects=False)).status == 303
