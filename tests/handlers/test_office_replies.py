"""Office commands that take a unit code answer a missing or unknown code with their own
example (/mokhoa, /daumoi were told «ví dụ: /moi BDT»); /nhacnho and /mo name the units
no message can reach."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.support.harness import OFFICE_USER
from tests.support.world import World


@pytest.mark.parametrize("command", ["moi", "mokhoa", "daumoi"])
async def test_a_missing_or_unknown_unit_code_gets_this_commands_example(
    tmp_path: Path, command: str
) -> None:
    world = await World.open(tmp_path)
    try:
        (missing,) = await world.command(OFFICE_USER, command)
        (unknown,) = await world.command(OFFICE_USER, command, "XYZ")
    finally:
        await world.close()
    assert missing.text == f"Hãy ghi mã đơn vị sau lệnh, ví dụ: /{command} BDT"
    assert unknown.text == (
        f"Không có đơn vị mã «XYZ». Hãy gửi đúng mã đơn vị, ví dụ: /{command} BDT"
    )


async def test_remind_and_open_name_the_units_without_a_focal_point(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(1001, "SYT")
        await world.command(OFFICE_USER, "nhacnho")
        (reminded, *_) = await world.press(OFFICE_USER, "nhac:2022-02")
        (opened, *_) = await world.command(OFFICE_USER, "mo", "03/2022")
    finally:
        await world.close()
    nobody = (
        "2 đơn vị chưa có đầu mối nên không nhận được tin: Bưu điện tỉnh &lt;Trà Vinh&gt; &amp; Co,"
        " Văn phòng UBND tỉnh. Gõ /moi MÃ_ĐƠN_VỊ để tạo lời mời."
    )
    assert reminded.text.startswith("Đã xếp 1 tin nhắc tới 1 đầu mối (kỳ 02/2022).")
    assert reminded.text.endswith(nobody)
    assert opened.text.startswith("Đã mở kỳ báo cáo 03/2022: xếp 1 tin")
    assert opened.text.endswith(nobody)


async def test_without_a_telegram_username_the_invite_is_the_code_to_send(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    world.office = replace(world.office, bot_username="")  # a Zalo-only bot, the console
    try:
        (nobody,) = await world.command(OFFICE_USER, "daumoi", "SYT")
        (invite,) = await world.command(OFFICE_USER, "moi", "SYT")
        code = invite.text.rsplit("/start ", 1)[-1]
        (welcome,) = await world.command(1001, "start", code)
    finally:
        await world.close()
    assert "Chưa có đầu mối nào. Gõ /moi SYT để tạo lời mời." in nobody.text
    assert "https://t.me/" not in invite.text
    assert invite.text.startswith("Mã mời đầu mối của <b>Sở Y tế</b>")
    assert "Sở Y tế" in welcome.text
