"""GET /metrics: the Prometheus text format with the bot's backlog, polls, progress, disk."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.runtime.build import catalog_of
from bot.runtime.health import Reachability
from bot.runtime.metrics import Metrics
from bot.runtime.webhook import WebhookServer
from bot.workspace.load import load_workspace
from handlers.context import Catalog
from storage import Database
from tests.support.clock import FakeClock
from tests.support.offices import init_office

_SAMPLE = re.compile(r"^([a-z_]+)(\{[^}]*\})? (\S+)$")


def parse(text: str) -> dict[str, float]:
    """name{labels} -> value; every sample's metric has its HELP and TYPE lines before it."""
    values: dict[str, float] = {}
    described: set[str] = set()
    for line in text.splitlines():
        if line.startswith("# HELP "):
            described.add(line.split()[2])
            continue
        if line.startswith("# TYPE "):
            assert line.split()[3] == "gauge"
            continue
        match = _SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        assert match[1] in described, f"{match[1]} has no HELP"
        values[match[1] + (match[2] or "")] = float(match[3])
    return values


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    """The starter office's units and forms: 5 units owe forms each period."""
    return catalog_of(load_workspace(init_office(tmp_path / "office")))


async def test_the_metrics_count_what_waits_and_what_is_done(
    db: Database, clock: FakeClock, catalog: Catalog
) -> None:
    async with db.write() as tx:
        await tx.inbox.store("telegram", "u1", {"update_id": 1})
        await tx.inbox.store("telegram", "u2", {"update_id": 2})
        await tx.outbox.enqueue("telegram", "77", {"text": "due"})
        later = clock() + timedelta(hours=8)
        await tx.outbox.enqueue("telegram", "78", {"text": "held"}, not_before=later)
        await tx.outbox.enqueue("telegram", "79", {"text": "held"}, not_before=later)
        job = await tx.outbox.enqueue("jobs", "office", {"job": "compile", "period": "2022-02"})
        assert job is not None
        await tx.outbox.quarantine(job, "crashed 3 times")
    reach = Reachability(clock=clock)
    reach.polled("telegram")
    polled_at = clock().timestamp()
    clock.advance(minutes=3)
    reach.failed("zalo", ConnectionError("refused"))
    values = parse(await Metrics(db, reach, clock, catalog, ("telegram", "zalo")).text())
    assert values["baocao_inbox_backlog"] == 2
    assert values["baocao_outbox_due"] == 1
    assert values["baocao_outbox_held"] == 2
    assert values["baocao_outbox_oldest_due_timestamp_seconds"] == polled_at
    assert values["baocao_jobs_quarantined"] == 1
    assert values['baocao_last_poll_success_timestamp_seconds{channel="telegram"}'] == polled_at
    assert values['baocao_last_poll_success_timestamp_seconds{channel="zalo"}'] == 0
    assert values['baocao_platform_reachable{channel="telegram"}'] == 1
    assert values['baocao_platform_reachable{channel="zalo"}'] == 0
    assert values['baocao_period_units{period="2022-02"}'] == 5
    assert values['baocao_period_units_submitted{period="2022-02"}'] == 0
    assert values["baocao_disk_free_bytes"] > 0
    assert values["baocao_database_readable"] == 1


async def test_an_unreadable_database_is_a_metric_not_an_error(
    clock: FakeClock, catalog: Catalog, tmp_path: Path
) -> None:
    gone = await Database.open(tmp_path / "gone.sqlite3", clock=clock)
    await gone.close()
    (tmp_path / "gone.sqlite3").unlink()
    metrics = Metrics(gone, Reachability(clock=clock), clock, catalog, ("telegram",))
    values = parse(await metrics.text())
    assert values["baocao_database_readable"] == 0
    assert "baocao_outbox_due" not in values
    assert values["baocao_disk_free_bytes"] > 0


@pytest.fixture
async def server(db: Database, clock: FakeClock, catalog: Catalog) -> AsyncIterator[WebhookServer]:
    metrics = Metrics(db, Reachability(clock=clock), clock, catalog, ("telegram",))
    web = WebhookServer("127.0.0.1", 0, [], metrics=metrics.text)
    await web.start()
    yield web
    await web.stop()


async def test_get_metrics_serves_the_text_format(server: WebhookServer) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{server.port}/metrics") as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        values = parse(await response.text())
    assert values["baocao_outbox_due"] == 0 and values["baocao_database_readable"] == 1
