"""Focal points: registration, several units per person, removal, unreachable chats."""

from __future__ import annotations

import pytest

from storage import ConstraintError, Database
from tests.support.clock import FakeClock
from tests.support.storage_helpers import START


async def test_add_and_list(seeded: Database, clock: FakeClock) -> None:
    async with seeded.write() as tx:
        first = await tx.focal_points.add("UBND_A", "telegram", "111", "111", "Chị Lan")
        clock.advance(minutes=1)
        second = await tx.focal_points.add("UBND_A", "zalo", "z-9", "z-9", "Anh Minh")
    assert first.id != second.id
    assert (first.unit_code, first.channel, first.user_id, first.chat_id) == (
        "UBND_A",
        "telegram",
        "111",
        "111",
    )
    assert first.display_name == "Chị Lan"
    assert first.registered_at == START
    assert first.removed_at is None and first.unreachable_at is None
    async with seeded.read() as r:
        assert await r.focal_points.list_for_unit("UBND_A") == [first, second]
        assert await r.focal_points.list_for_unit("UBND_B") == []


async def test_a_person_can_answer_for_several_units(seeded: Database) -> None:
    async with seeded.write() as tx:
        await tx.focal_points.add("UBND_A", "telegram", "111", "111")
        await tx.focal_points.add("UBND_B", "telegram", "111", "111")
        await tx.focal_points.add("UBND_B", "telegram", "222", "222")
    async with seeded.read() as r:
        # In the units' configured order: B (order 1) before A (order 2).
        assert await r.focal_points.units_of("telegram", "111") == ["UBND_B", "UBND_A"]
        assert await r.focal_points.units_of("telegram", "222") == ["UBND_B"]
        assert await r.focal_points.units_of("zalo", "111") == []
        by_chat = await r.focal_points.by_chat("telegram", "111")
        assert [fp.unit_code for fp in by_chat] == ["UBND_A", "UBND_B"]


async def test_registering_again_refreshes_instead_of_duplicating(
    seeded: Database, clock: FakeClock
) -> None:
    async with seeded.write() as tx:
        first = await tx.focal_points.add("UBND_A", "telegram", "111", "111", "Lan")
        await tx.focal_points.mark_unreachable("telegram", "111")
        again = await tx.focal_points.add("UBND_A", "telegram", "111", "555", "Nguyễn Thị Lan")
    assert again.id == first.id
    assert (again.chat_id, again.display_name, again.unreachable_at) == (
        "555",
        "Nguyễn Thị Lan",
        None,
    )
    async with seeded.read() as r:
        assert len(await r.focal_points.list_for_unit("UBND_A")) == 1


async def test_remove_keeps_history_and_allows_re_registration(
    seeded: Database, clock: FakeClock
) -> None:
    async with seeded.write() as tx:
        fp = await tx.focal_points.add("UBND_A", "telegram", "111", "111")
        clock.advance(days=1)
        assert await tx.focal_points.remove(fp.id) is True
        assert await tx.focal_points.remove(fp.id) is False
        assert await tx.focal_points.list_for_unit("UBND_A") == []
        assert await tx.focal_points.units_of("telegram", "111") == []
        back = await tx.focal_points.add("UBND_A", "telegram", "111", "111")
        assert back.id != fp.id
        assert await tx.focal_points.remove_user("UBND_A", "telegram", "111") is True
        assert await tx.focal_points.remove_user("UBND_A", "telegram", "111") is False


async def test_unreachable_chats_are_flagged_and_cleared(
    seeded: Database, clock: FakeClock
) -> None:
    async with seeded.write() as tx:
        await tx.focal_points.add("UBND_A", "telegram", "111", "111")
        await tx.focal_points.add("UBND_B", "telegram", "111", "111")
        when = clock.advance(hours=2)
        assert await tx.focal_points.mark_unreachable("telegram", "111") == 2
        assert await tx.focal_points.mark_unreachable("telegram", "111") == 0
    async with seeded.read() as r:
        flagged = await r.focal_points.by_chat("telegram", "111")
        assert [fp.unreachable_at for fp in flagged] == [when, when]
    async with seeded.write() as tx:
        assert await tx.focal_points.mark_reachable("telegram", "111") == 2
        assert all(
            fp.unreachable_at is None for fp in await tx.focal_points.by_chat("telegram", "111")
        )


async def test_unknown_channels_and_units_are_refused(seeded: Database) -> None:
    with pytest.raises(ConstraintError, match="CHECK"):
        async with seeded.write() as tx:
            await tx.focal_points.add("UBND_A", "whatsapp", "1", "1")
    with pytest.raises(ConstraintError, match="FOREIGN KEY"):
        async with seeded.write() as tx:
            await tx.focal_points.add("UBND_Z", "telegram", "1", "1")


async def test_current_by_unit_in_one_read(seeded: Database, clock: FakeClock) -> None:
    async with seeded.write() as tx:
        first = await tx.focal_points.add("UBND_A", "telegram", "111", "111", "Lan")
        clock.advance(minutes=1)
        second = await tx.focal_points.add("UBND_A", "zalo", "z-9", "z-9", "Minh")
        gone = await tx.focal_points.add("UBND_B", "telegram", "222", "222")
        await tx.focal_points.remove(gone.id)
        other = await tx.focal_points.add("UBND_B", "telegram", "333", "333")
    async with seeded.read() as r:
        found = await r.focal_points.current_by_unit()
        assert found == {"UBND_A": [first, second], "UBND_B": [other]}
        assert found["UBND_A"] == await r.focal_points.list_for_unit("UBND_A")
