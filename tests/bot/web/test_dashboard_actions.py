"""The overview's actions go through the chat's use cases: remind every laggard (/nhacnho),
compile a draft now (/tonghop's job), lock the period (/khoa, confirmed first) and reopen
one unit (/mokhoa, confirmed first); each needs the session's token and is logged with who
did it.

A World (units BDT, SYT, VP; period 02/2022, office staff 900) on a real SQLite file: SYT
and BDT have a focal point each, BDT sent its figures.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from domain.obligations import Obligation, ObligationState
from domain.periods import Period
from tests.support.dashboard import ADMIN, dashboard_client, link_for
from tests.support.harness import OFFICE_USER
from tests.support.world import World

FEBRUARY = Period(2022, 2)
SYT_PERSON, BDT_PERSON = 1001, 1002


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    opened = await World.open(tmp_path)
    await opened.register(SYT_PERSON, "SYT")
    await opened.register(BDT_PERSON, "BDT")
    async with opened.db.write() as tx:
        await tx.obligations.ensure([Obligation("BDT", "cts", FEBRUARY)])
        await tx.obligations.set_state(
            "BDT", "cts", FEBRUARY, ObligationState.SUBMITTED, opened.now, opened.now
        )
    yield opened
    await opened.close()


def _outbox(world: World) -> list[tuple[str, str, dict[str, object]]]:
    with sqlite3.connect(world.path) as con:
        rows = con.execute("SELECT channel, chat_id, payload FROM outbox ORDER BY id")
        return [(channel, chat, json.loads(payload)) for channel, chat, payload in rows]


def _locked(world: World) -> bool:
    with sqlite3.connect(world.path) as con:
        row = con.execute("SELECT locked_at FROM periods WHERE key = '2022-02'").fetchone()
    return row is not None and row[0] is not None


async def _signed_in(client: TestClient, world: World) -> str:  # type: ignore[type-arg]
    """Sign in; the session's token, read off the overview."""
    await client.get(await link_for(world))
    page = await (await client.get("/web/")).text()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


async def test_remind_all_asks_first_then_queues_exactly_the_laggards_reminders(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    async with dashboard_client(world) as client:
        csrf = await _signed_in(client, world)
        asked = await (await client.get("/web/remind-all")).text()
        assert "Nhắc các đơn vị chưa gửi báo cáo kỳ 02/2022?" in asked
        assert "<li>Sở Y tế</li>" in asked and "<li>Văn phòng UBND tỉnh</li>" in asked
        assert "Bưu điện" not in asked
        assert _outbox(world) == []
        unconfirmed = await client.post(
            "/web/remind-all", data={"csrf": csrf}, allow_redirects=False
        )
        assert unconfirmed.headers["Location"] == "/web/remind-all"
        assert _outbox(world) == []
        form = {"csrf": csrf, "period": "2022-02", "confirmed": "yes"}
        with caplog.at_level(logging.INFO, logger="bot.web"):
            done = await client.post("/web/remind-all", data=form)
        page = await done.text()
    assert done.status == 200 and "Đã xếp 1 tin nhắc tới đầu mối các đơn vị" in page
    # SYT's focal point alone: BDT sent, VP has nobody to reach.
    ((channel, chat, payload),) = _outbox(world)
    assert (channel, chat) == ("telegram", str(SYT_PERSON)) and "Sở Y tế" in str(payload["text"])
    assert any(
        ADMIN in r.getMessage() and "every laggard" in r.getMessage() for r in caplog.records
    )


@pytest.mark.parametrize("rehearsal", [False, True])
async def test_a_dashboard_with_no_bot_beside_it_says_nothing_will_be_sent(
    world: World, rehearsal: bool
) -> None:
    async with dashboard_client(world, rehearsal=rehearsal) as client:
        csrf = await _signed_in(client, world)
        form = {"csrf": csrf, "period": "2022-02", "confirmed": "yes"}
        reminded = await (await client.post("/web/remind-all", data=form)).text()
        compiled = await (await client.post("/web/compile", data=form)).text()
    said = "Đây là bản chạy thử: không có bot nào chạy kèm"
    assert (said in reminded, said in compiled) == (rehearsal, rehearsal)
    assert len(_outbox(world)) == 2  # queued all the same: the rule is the chat's


async def test_remind_all_confirmed_for_an_ended_period_does_nothing(world: World) -> None:
    async with dashboard_client(world) as client:
        csrf = await _signed_in(client, world)
        form = {"csrf": csrf, "period": "2022-01", "confirmed": "yes"}
        response = await client.post("/web/remind-all", data=form)
        assert response.status == 403 and 'data-reason="bad_period"' in await response.text()
    assert _outbox(world) == []


async def test_compile_queues_the_draft_job_of_tonghop_for_the_asker(world: World) -> None:
    async with dashboard_client(world) as client:
        csrf = await _signed_in(client, world)
        done = await client.post("/web/compile", data={"csrf": csrf, "period": "2022-02"})
        assert "Đã yêu cầu tổng hợp dự thảo báo cáo kỳ 02/2022" in await done.text()
    ((channel, chat, payload),) = _outbox(world)
    assert (channel, chat) == ("jobs", str(OFFICE_USER))
    assert payload == {
        "job": "compile",
        "period": "2022-02",
        "reply_channel": "telegram",
        "by": ADMIN,
    }


async def test_locking_needs_the_confirmation_then_locks(world: World) -> None:
    async with dashboard_client(world) as client:
        csrf = await _signed_in(client, world)
        asked = await client.get("/web/lock?period=2022-02")
        page = await asked.text()
        assert "Khóa kỳ 02/2022?" in page and '<strong id="late">2</strong>' in page
        assert not _locked(world)
        bare = await client.post(
            "/web/lock", data={"csrf": csrf, "period": "2022-02"}, allow_redirects=False
        )
        assert (bare.status, bare.headers["Location"]) == (303, "/web/lock?period=2022-02")
        assert not _locked(world)
        form = {"csrf": csrf, "period": "2022-02", "confirmed": "yes"}
        done = await (await client.post("/web/lock", data=form)).text()
        assert "Đã khóa kỳ 02/2022" in done and 'id="locked"' in done
        assert _locked(world)
        again = await (await client.get("/web/lock?period=2022-02")).text()
        assert "đã khóa rồi" in again and "confirm-button" not in again


@pytest.mark.parametrize("period", ["", "2022-13", "2150-01", "tháng hai"])
async def test_a_period_the_chat_would_refuse_is_refused(world: World, period: str) -> None:
    async with dashboard_client(world) as client:
        csrf = await _signed_in(client, world)
        asked = await client.get(f"/web/lock?period={period}")
        assert asked.status == 403 and 'data-reason="bad_period"' in await asked.text()
        form = {"csrf": csrf, "period": period, "confirmed": "yes"}
        for path in ("/web/lock", "/web/compile"):
            response = await client.post(path, data=form)
            assert response.status == 403 and 'data-reason="bad_period"' in await response.text()
    assert _outbox(world) == [] and not _locked(world)
    with sqlite3.connect(world.path) as con:
        assert con.execute("SELECT COUNT(*) FROM periods WHERE key > '2100'").fetchone() == (0,)


async def test_reopening_a_unit_of_a_locked_period_tells_its_focal_point(world: World) -> None:
    async with dashboard_client(world) as client:
        csrf = await _signed_in(client, world)
        lock = {"csrf": csrf, "period": "2022-02", "confirmed": "yes"}
        overview = await (await client.post("/web/lock", data=lock)).text()
        assert 'href="/web/reopen?period=2022-02&amp;unit=BDT"' in overview
        asked = await (await client.get("/web/reopen?period=2022-02&unit=BDT")).text()
        assert "Mở lại kỳ 02/2022 cho Bưu điện tỉnh &lt;Trà Vinh&gt; &amp; Co?" in asked
        form = {**lock, "unit": "BDT"}
        done = await (await client.post("/web/reopen", data=form)).text()
        assert "Đã mở lại kỳ 02/2022 cho Bưu điện" in done
    ((channel, chat, payload),) = _outbox(world)
    assert (channel, chat) == ("telegram", str(BDT_PERSON))
    assert "Văn phòng đã mở lại báo cáo kỳ 02/2022" in str(payload["text"])
    with sqlite3.connect(world.path) as con:
        (state,) = con.execute("SELECT state FROM obligations WHERE unit_code = 'BDT'").fetchone()
    assert state == "reopened"


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/web/remind-all", {"period": "2022-02", "confirmed": "yes"}),
        ("/web/compile", {"period": "2022-02"}),
        ("/web/lock", {"period": "2022-02", "confirmed": "yes"}),
        ("/web/reopen", {"period": "2022-02", "confirmed": "yes", "unit": "BDT"}),
        ("/web/remind", {"unit": "SYT"}),
    ],
)
@pytest.mark.parametrize("token", [None, "", "not-the-token"])
async def test_an_action_without_the_sessions_token_does_nothing(
    world: World, path: str, form: dict[str, str], token: str | None
) -> None:
    async with dashboard_client(world) as client:
        await _signed_in(client, world)
        sent = form if token is None else {**form, "csrf": token}
        response = await client.post(path, data=sent)
        assert response.status == 403 and 'data-reason="token"' in await response.text()
    assert _outbox(world) == [] and not _locked(world)
    with sqlite3.connect(world.path) as con:
        (state,) = con.execute("SELECT state FROM obligations WHERE unit_code = 'BDT'").fetchone()
    assert state == "submitted"
