"""/sua opens a report the unit has sent, even while it is filling in its next form, and
any of its forms by code or by a choice; looking leaves it sent, a change takes it back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from handlers.events import Reply
from templates.catalog import text
from tests.support.harness import OFFICE_USER
from tests.support.world import World

A = 1001  # a focal point of VP, which owes two forms: cts, then ghichu


def _said(replies: list[object]) -> str:
    return "\n".join(getattr(r, "text", "") for r in replies)


async def test_edit_on_the_next_form_reopens_the_sent_one_not_the_blank_one(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "VP")
        await world.command(A, "baocao")
        await world.say(A, "1: 10\n2: 30\n3: 10\n4: 20")  # cts answered, summary shown
        await world.press(A, "sum:send")
        following = _said(await world.command(A, "baocao"))  # on to the second form
        edit = _said(await world.command(A, "sua"))
        rows = world.rows()
    finally:
        await world.close()
    assert "Ghi chú" in following
    assert text("chat.reopened", form_title="Chứng thư số", period="02/2022") in edit
    assert "Tóm tắt: Chứng thư số" in edit
    assert "Ghi chú" not in edit
    # Looking is not changing: the report is still sent.
    assert ("2022-02", "cts", "VP", "submitted") in {r[:4] for r in rows["obligations"]}


async def test_edit_before_anything_was_sent_says_there_is_nothing_to_edit(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "VP")
        await world.command(A, "baocao")
        edit = _said(await world.command(A, "sua"))
    finally:
        await world.close()
    assert edit == text("chat.nothing_to_edit", period="02/2022")


def _states(world: World) -> dict[str, object]:
    return {r[1]: r[3] for r in world.rows()["obligations"] if r[2] == "VP"}


def _choices(replies: list[Reply]) -> list[tuple[str, str]]:
    return [(c.label, c.data) for r in replies for c in r.all_choices()]


async def test_edit_offers_every_sent_form_and_a_change_takes_one_back(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "VP")
        await world.command(A, "baocao")
        await world.say(A, "1: 10\n2: 30\n3: 10\n4: 20")
        await world.press(A, "sum:send")
        await world.command(A, "baocao")
        await world.say(A, "Không có gì mới")
        await world.press(A, "sum:send")
        assert _states(world) == {"cts": "submitted", "ghichu": "submitted"}

        offered = await world.command(A, "sua")
        assert text("chat.edit_pick", period="02/2022") in _said(offered)
        assert _choices(offered) == [
            ("✅ Chứng thư số (cts)", "edit:VP:1:2022-02"),
            ("✅ Ghi chú (ghichu)", "edit:VP:2:2022-02"),
        ]
        # The form sent first, by its button; then the one sent last, by its code.
        first = _said(await world.press(A, "edit:VP:1:2022-02"))
        assert "Tóm tắt: Chứng thư số" in first
        by_code = _said(await world.command(A, "sua", "GHICHU"))
        assert "Tóm tắt: Ghi chú" in by_code
        unknown = _said(await world.command(A, "sua", "dvc"))
        assert unknown == text(
            "chat.edit_unknown_form", typed="dvc", codes=["cts", "ghichu"], period="02/2022"
        )
        assert _states(world) == {"cts": "submitted", "ghichu": "submitted"}

        # A change to the first form takes it back, and the office sees it.
        world.now += timedelta(hours=1)
        await world.command(A, "sua", "cts")
        await world.press(A, "sum:edit")
        await world.say(A, "1")
        await world.say(A, "12")
        assert _states(world) == {"cts": "reopened", "ghichu": "submitted"}
        status = _said(await world.command(OFFICE_USER, "trangthai"))
        assert "Văn phòng UBND tỉnh – 5/6 câu (sửa sau khi gửi: 1 thay đổi" in status
        resent = _said(await world.press(A, "sum:send"))
        assert "Đã nhận báo cáo «Chứng thư số»" in resent
        assert _states(world) == {"cts": "submitted", "ghichu": "submitted"}
    finally:
        await world.close()


async def test_a_forged_edit_button_opens_nothing(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "VP")
        other = _said(await world.press(A, "edit:SYT:1"))
        unknown = _said(await world.press(A, "edit:VP:9"))
        not_open = _said(await world.press(A, "edit:VP:1:2022-01"))
    finally:
        await world.close()
    assert other == text("chat.not_your_unit")
    assert unknown == not_open == text("chat.stale_button")


async def test_sending_again_ends_the_edit_an_old_button_changes_nothing(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "VP")
        await world.command(A, "baocao")
        await world.say(A, "1: 10\n2: 30\n3: 10\n4: 20")
        await world.press(A, "sum:send")
        await world.command(A, "sua")
        await world.say(A, "1: 11")  # a change: the report is taken back
        assert _states(world)["cts"] == "reopened"
        await world.press(A, "sum:send")
        assert _states(world)["cts"] == "submitted"
        # Sent again, the edit is over: an old message's button must not reopen it.
        await world.press(A, "nav:back")
        await world.say(A, "12")
        answers = {r[3]: r[4] for r in world.rows()["answers"] if r[1] == "cts" and r[2] == "VP"}
        states = _states(world)
    finally:
        await world.close()
    assert states["cts"] == "submitted"
    assert answers["ca_nhan"] == "20"
