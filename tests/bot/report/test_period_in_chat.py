"""/tonghop and /xuat take the longer periods people type («quý 1/2022», «6 tháng 2022»), and
their jobs compile the quarter's draft and export; a wrong period is answered plainly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.runtime.jobs import job_documents
from bot.workspace.load import load_workspace
from handlers.jobs import JOBS_CHANNEL
from templates.catalog import text
from tests.support.harness import OFFICE_USER
from tests.support.world import World


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    opened = await World.open(tmp_path)
    yield opened
    await opened.close()


@pytest.mark.parametrize(
    ("command", "typed", "key"),
    [
        ("tonghop", "quý 1/2022", "2022-Q1"),
        ("tonghop", "quý I/2022", "2022-Q1"),
        ("xuat", "6 tháng đầu năm 2022", "2022-H1"),
        ("tonghop", "9 tháng 2022", "2022-9M"),
        ("xuat", "năm 2022", "2022"),
        ("tonghop", "02/2022", "2022-02"),
    ],
)
async def test_a_longer_period_is_asked_for(
    world: World, command: str, typed: str, key: str
) -> None:
    replies = await world.command(OFFICE_USER, command, typed)
    jobs = [r for r in replies if r.channel == JOBS_CHANNEL]
    assert [job.extra["period"] for job in jobs] == [key]


async def test_a_wrong_period_says_what_to_type(world: World) -> None:
    replies = await world.command(OFFICE_USER, "tonghop", "quý 5/2022")
    assert [r.text for r in replies] == [text("chat.bad_report_period", typed="quý 5/2022")]


async def test_the_jobs_make_the_quarters_files(world: World, tmp_path: Path) -> None:
    workspace = load_workspace(tmp_path / "config.toml")
    for kind, suffix in (("compile", ".docx"), ("export", ".xlsx")):
        payload = {"job": kind, "period": "2022-Q1", "reply_channel": "telegram", "by": "t"}
        document = (await job_documents(world.db, workspace, payload, world.now))[0]
        assert document.file_name.endswith(f"_2022-Q1{suffix}")
        assert document.content[:2] == b"PK"
