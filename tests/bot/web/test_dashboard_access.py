"""Only the office gets into the dashboard: one-time links, sessions, tokens on every action.

The dashboard runs in-process on a real SQLite file (a World: units BDT, SYT and VP, office
staff 900); a focal point, a stranger, an old or reused link, a forged cookie and a form
without its session's token get nothing of any unit and change nothing.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.web.auth import COOKIE
from domain.web_login import LINK_VALID, SESSION_VALID
from tests.support.dashboard import ADMIN, dashboard_client, link_for, outbox
from tests.support.world import World

FOCAL_POINT = 1001
UNIT_NAMES = ("Sở Y tế", "Văn phòng UBND tỉnh", "Bưu điện tỉnh")


@pytest.fixture
async def world(tmp_path: Path) -> World:
    opened = await World.open(tmp_path)
    await opened.register(FOCAL_POINT, "SYT")
    yield opened  # type: ignore[misc]
    await opened.close()


def _no_unit_data(page: str) -> None:
    for name in UNIT_NAMES:
        assert name not in page


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


async def test_without_a_session_every_page_redirects_to_the_welcome_page(world: World) -> None:
    async with dashboard_client(world) as client:
        response = await client.get("/web/", allow_redirects=False)
        assert (response.status, response.headers["Location"]) == (303, "/web/welcome")
        welcome = await client.get("/web/")
        page = await welcome.text()
        assert welcome.status == 200 and "Cần đăng nhập" in page
        _no_unit_data(page)
        action = await client.post(
            "/web/units/SYT/remind", data={"csrf": "x"}, allow_redirects=False
        )
        assert action.status == 303
    assert outbox(world) == []


async def test_a_link_opens_a_session_once_with_a_strict_cookie(world: World) -> None:
    link = await link_for(world)
    async with dashboard_client(world) as client:
        signed = await client.get(link)
        assert signed.status == 200
        cookie = signed.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/web" in cookie
        assert "Secure" not in cookie  # plain http on 127.0.0.1
        assert f"Max-Age={int(SESSION_VALID.total_seconds())}" in cookie
        page = await (await client.get("/web/")).text()
        for name in UNIT_NAMES:
            assert name in page
        assert "&lt;Trà Vinh&gt; &amp; Co" in page  # a unit's name is text, never markup
    async with dashboard_client(world) as again:
        second = await again.get(link)
        assert second.status == 403 and 'data-reason="used"' in await second.text()
        _no_unit_data(await (await again.get("/web/")).text())


async def test_behind_https_the_cookie_is_secure(world: World) -> None:
    async with dashboard_client(world) as client:
        signed = await client.get(await link_for(world), headers={"X-Forwarded-Proto": "https"})
        assert "Secure" in signed.headers["Set-Cookie"]


async def test_an_expired_link_is_refused(world: World) -> None:
    link = await link_for(world)
    world.now += LINK_VALID + LINK_VALID / 10
    async with dashboard_client(world) as client:
        response = await client.get(link)
        page = await response.text()
        assert response.status == 403 and 'data-reason="expired"' in page
        _no_unit_data(page)
        assert COOKIE not in response.cookies


async def test_a_focal_points_id_gets_no_session(world: World) -> None:
    link = await link_for(world, f"telegram:{FOCAL_POINT}")
    async with dashboard_client(world) as client:
        response = await client.get(link)
        assert response.status == 403 and 'data-reason="not_office"' in await response.text()
        _no_unit_data(await (await client.get("/web/")).text())


@pytest.mark.parametrize(
    "change",
    [
        {"a": f"telegram:{FOCAL_POINT}"},  # someone else's id on an office link
        {"e": "99999999999"},  # a later expiry
        {"s": "0" * 64},
        {"s": ""},
        {"n": ""},
        {"e": "²"},
    ],
)
async def test_a_tampered_link_is_refused(world: World, change: dict[str, str]) -> None:
    path, _, query = (await link_for(world)).partition("?")
    tampered = f"{path}?{urlencode({**dict(parse_qsl(query)), **change})}"
    async with dashboard_client(world) as client:
        response = await client.get(tampered)
        assert response.status == 403 and 'data-reason="forged"' in await response.text()


async def test_no_link_works_before_the_office_made_one(world: World) -> None:
    async with dashboard_client(world) as client:
        response = await client.get("/web/login?a=telegram:900&e=99999999999&n=x&s=")
        assert response.status == 403


async def test_a_forged_cookie_opens_nothing(world: World) -> None:
    await link_for(world)  # a secret exists
    async with dashboard_client(world) as client:
        client.session.cookie_jar.update_cookies({COOKIE: "A" * 43})
        response = await client.get("/web/", allow_redirects=False)
        assert response.status == 303
        _no_unit_data(await (await client.get("/web/")).text())


async def test_a_session_ends_after_a_working_day_and_on_logout(world: World) -> None:
    async with dashboard_client(world) as client:
        await client.get(await link_for(world))
        world.now += SESSION_VALID
        assert (await client.get("/web/", allow_redirects=False)).status == 303
    world.now -= SESSION_VALID
    async with dashboard_client(world) as client:
        await client.get(await link_for(world))
        csrf = _csrf(await (await client.get("/web/")).text())
        cookie = client.session.cookie_jar.filter_cookies(client.make_url("/web/"))[COOKIE].value
        out = await client.post("/web/logout", data={"csrf": csrf})
        assert out.status == 200 and "Đã đăng xuất" in await out.text()
        client.session.cookie_jar.update_cookies({COOKIE: cookie})  # kept by a thief
        assert (await client.get("/web/", allow_redirects=False)).status == 303


@pytest.mark.parametrize("form", [{}, {"csrf": ""}, {"csrf": "not-the-token"}])
async def test_an_action_without_the_sessions_token_is_refused(
    world: World, form: dict[str, str]
) -> None:
    async with dashboard_client(world) as client:
        await client.get(await link_for(world))
        response = await client.post("/web/units/SYT/remind", data=form)
        assert response.status == 403 and 'data-reason="token"' in await response.text()
    assert outbox(world) == []


async def test_remind_queues_the_reminder_of_nhacnho_and_logs_who(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    async with dashboard_client(world) as client:
        await client.get(await link_for(world))
        csrf = _csrf(await (await client.get("/web/")).text())
        with caplog.at_level(logging.INFO, logger="bot.web"):
            done = await client.post("/web/units/SYT/remind", data={"csrf": csrf})
        assert done.status == 200 and "Đã xếp 1 tin nhắc cho Sở Y tế" in await done.text()
    ((chat, payload),) = outbox(world)
    assert chat == str(FOCAL_POINT) and "Sở Y tế" in json.loads(payload)["text"]
    assert any(ADMIN in r.getMessage() and "SYT" in r.getMessage() for r in caplog.records)


async def test_remind_of_an_unknown_unit_is_refused(world: World) -> None:
    async with dashboard_client(world) as client:
        await client.get(await link_for(world))
        csrf = _csrf(await (await client.get("/web/")).text())
        response = await client.post("/web/units/NOPE/remind", data={"csrf": csrf})
        assert response.status == 403 and 'data-reason="unknown_unit"' in await response.text()
    assert outbox(world) == []


async def test_a_session_ends_when_its_holder_leaves_the_office(world: World) -> None:
    async with dashboard_client(world) as client:
        await client.get(await link_for(world))
        world.office = replace(world.office, admins=frozenset())
        async with dashboard_client(world) as later:
            later.session.cookie_jar.update_cookies(
                {
                    COOKIE: client.session.cookie_jar.filter_cookies(client.make_url("/web/"))[
                        COOKIE
                    ].value
                }
            )
            assert (await later.get("/web/", allow_redirects=False)).status == 303


async def test_the_overview_shows_each_units_state_and_filters_by_it(world: World) -> None:
    async with dashboard_client(world) as client:
        await client.get(await link_for(world))
        page = await (await client.get("/web/")).text()
        assert page.count('data-state="not_started"') == 3 and "0/3" in page
        assert "Chưa có đầu mối" in page  # BDT and VP have no focal point yet
        world.now += timedelta(days=6)  # past the 15th's deadline
        await client.get(await link_for(world))  # the session of the 11th has ended
        late = await (await client.get("/web/?state=late")).text()
        assert late.count('data-state="late"') == 3 and "Quá hạn (3)" in late
        none = await (await client.get("/web/?state=submitted")).text()
        assert "data-state=" not in none and "Không có đơn vị nào" in none
