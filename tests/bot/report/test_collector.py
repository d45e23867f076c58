"""The cyclic garbage collector is held off while a draft or an export is made, and comes
back afterwards whatever happened, however the blocks nest or overlap."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

import bot.report.compile as compile_module
from bot.report import compile_draft
from bot.report.collector import collector_paused, without_collector
from bot.report.compile import export_workbook
from bot.report.xlsx_writer import XlsxWriter
from bot.workspace.load import Workspace
from domain.periods import Period
from domain.report_periods import parse_report_period
from storage import Database
from tests.support.sample_data import COMPILED_AT

FEBRUARY = Period(2022, 2)


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_nested_and_overlapping_blocks_keep_it_off_until_the_last_one_ends() -> None:
    with ExitStack() as first:
        first.enter_context(collector_paused())
        assert not gc.isenabled()
        second = ExitStack()
        second.enter_context(collector_paused())
        first.close()  # the first draft ends while the second still runs
        assert not gc.isenabled()
        second.close()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


async def test_a_paused_coroutine_gives_it_back_even_when_it_fails() -> None:
    seen: list[bool] = []

    @without_collector
    async def draft(fail: bool) -> str:
        await asyncio.sleep(0)
        seen.append(gc.isenabled())
        if fail:
            raise ValueError("broken report.toml")
        return "done"

    assert await draft(False) == "done"
    with pytest.raises(ValueError):
        await draft(True)
    # Two at once: still off while either runs.
    assert await asyncio.gather(draft(False), draft(False)) == ["done", "done"]
    assert seen == [False, False, False, False]
    assert gc.isenabled()


async def test_a_draft_and_an_export_are_made_with_the_collector_off(
    sample_db: Database, sample_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, bool] = {}
    real_render = compile_module.render_docx

    def render(*args: Any) -> bytes:
        seen["render"] = gc.isenabled()
        return real_render(*args)

    monkeypatch.setattr(compile_module, "render_docx", render)
    draft = await compile_draft(sample_db, sample_workspace, FEBRUARY, COMPILED_AT)
    assert draft.docx and seen == {"render": False}
    assert gc.isenabled()
    real_write = XlsxWriter.finish

    def finish(self: XlsxWriter) -> bytes:
        seen["export"] = gc.isenabled()
        return real_write(self)

    monkeypatch.setattr(XlsxWriter, "finish", finish)
    for period in (FEBRUARY, parse_report_period("2022-Q1")):
        seen.pop("export", None)
        assert await export_workbook(sample_db, sample_workspace, period, COMPILED_AT)
        assert seen["export"] is False
    assert gc.isenabled()
