"""The receipt for a sent report says which of the unit's forms are still to send."""

from __future__ import annotations

from pathlib import Path

from tests.support.world import World

A = 1001  # a focal point of VP, which owes two forms: «Chứng thư số», then «Ghi chú»
B = 1002  # a focal point of SYT, which owes only «Chứng thư số»


async def test_the_receipt_names_the_form_still_to_send_and_the_last_one_does_not(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "VP")
        await world.register(B, "SYT")
        await world.command(A, "baocao")
        await world.say(A, "1: 10\n2: 30\n3: 10\n4: 20")
        (first,) = await world.press(A, "sum:send")
        await world.command(A, "baocao")
        await world.say(A, "Không có")
        (second,) = await world.press(A, "sum:send")
        await world.command(B, "baocao")
        await world.say(B, "1: 10\n2: 30\n3: 10\n4: 20")
        (only,) = await world.press(B, "sum:send")
    finally:
        await world.close()
    assert "Đơn vị còn 1 biểu mẫu chưa gửi: «Ghi chú». Gõ /baocao để nhập tiếp." in first.text
    assert "✅ Đã nhận báo cáo «Ghi chú»" in second.text and "chưa gửi" not in second.text
    assert "✅ Đã nhận báo cáo «Chứng thư số»" in only.text and "chưa gửi" not in only.text
