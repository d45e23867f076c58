"""Drafts: numbered versions per period, staleness, content round trip."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.periods import Period
from storage import ConstraintError, Database
from tests.support.clock import FakeClock
from tests.support.storage_helpers import PERIOD, START

DOCX = b"PK\x03\x04" + bytes(range(256)) * 40


async def test_versions_count_up_per_period(db: Database, clock: FakeClock) -> None:
    async with db.write() as tx:
        await tx.periods.ensure(PERIOD)
        await tx.periods.ensure(Period(2024, 6))
        first = await tx.drafts.add(PERIOD, "bao-cao-05-2024.docx", DOCX, "telegram:office")
        clock.advance(hours=1)
        second = await tx.drafts.add(PERIOD, "bao-cao-05-2024-v2.docx", b"v2", "cli")
        june = await tx.drafts.add("2024-06", "bao-cao-06-2024.docx", b"june", "cli")
    assert (first.version, second.version, june.version) == (1, 2, 1)
    assert first.content == DOCX and first.created_at == START and not first.stale
    async with db.read() as r:
        assert await r.drafts.latest(PERIOD) == second
        assert await r.drafts.get(PERIOD, 1) == first
        assert await r.drafts.get(PERIOD, 3) is None
        assert await r.drafts.latest(Period(2024, 7)) is None


async def test_the_next_version_is_one_past_the_latest(db: Database) -> None:
    async with db.write() as tx:
        await tx.periods.ensure(PERIOD)
        assert await tx.drafts.next_version(PERIOD) == 1
        await tx.drafts.add(PERIOD, "a.docx", b"a", "cli")
        await tx.drafts.add(PERIOD, "b.docx", b"b", "cli")
        assert await tx.drafts.next_version(PERIOD) == 3
        assert await tx.drafts.next_version(Period(2024, 7)) == 1


async def test_mark_stale(db: Database) -> None:
    async with db.write() as tx:
        await tx.periods.ensure(PERIOD)
        await tx.drafts.add(PERIOD, "a.docx", b"a", "cli")
        await tx.drafts.add(PERIOD, "b.docx", b"b", "cli")
        assert await tx.drafts.mark_stale(PERIOD) == 2
        assert await tx.drafts.mark_stale(PERIOD) == 0
        latest = await tx.drafts.latest(PERIOD)
    assert latest is not None and latest.stale and latest.version == 2


async def test_a_draft_needs_its_period(db: Database) -> None:
    with pytest.raises(ConstraintError):
        async with db.write() as tx:
            await tx.drafts.add(Period(2031, 1), "x.docx", b"x", "cli")


async def test_versions_are_listed_without_their_documents(db: Database) -> None:
    async with db.write() as tx:
        await tx.periods.ensure(PERIOD)
        await tx.periods.ensure(Period(2024, 6))
        first = await tx.drafts.add(PERIOD, "a.docx", DOCX, "cli")
        await tx.drafts.mark_stale(PERIOD)
        second = await tx.drafts.add(PERIOD, "b.docx", b"b", "telegram:office")
        june = await tx.drafts.add("2024-06", "c.docx", b"june", "cli")
    async with db.read() as r:
        listed = await r.drafts.versions(PERIOD)
        assert [(v.version, v.file_name, v.stale, v.size) for v in listed] == [
            (2, "b.docx", False, 1),
            (1, "a.docx", True, len(DOCX)),
        ]
        assert listed[0].id == second.id and listed[0].created_by == "telegram:office"
        assert await r.drafts.versions(Period(2024, 7)) == []
        assert await r.drafts.by_id(june.id) == june
        assert await r.drafts.by_id(first.id) == replace(first, stale=True)
        assert await r.drafts.by_id(june.id + 1) is None


async def test_a_review_sheet_is_kept_with_its_draft_or_not_at_all(db: Database) -> None:
    async with db.write() as tx:
        await tx.periods.ensure(PERIOD)
        old = await tx.drafts.add(PERIOD, "v1.docx", b"v1", "cli")  # stored before reviews
        kept = await tx.drafts.add(PERIOD, "v2.docx", b"v2", "cli")
        await tx.drafts.keep_review(kept.id, "v2_ra-soat.docx", DOCX)
    with pytest.raises(RuntimeError):  # the draft's transaction fails: neither is stored
        async with db.write() as tx:
            lost = await tx.drafts.add(PERIOD, "v3.docx", b"v3", "cli")
            await tx.drafts.keep_review(lost.id, "v3_ra-soat.docx", b"r3")
            raise RuntimeError("the compile failed")
    async with db.read() as r:
        listed = await r.drafts.versions(PERIOD)
        review = await r.drafts.review(kept.id)
        assert await r.drafts.review(old.id) is None
        assert await r.drafts.review(lost.id) is None
    assert [(v.version, v.review_name, v.review_size) for v in listed] == [
        (2, "v2_ra-soat.docx", len(DOCX)),
        (1, "", 0),
    ]
    assert review is not None and review.content == DOCX
