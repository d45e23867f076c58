"""Office commands that take a unit code answer a missing or unknown code with their own
example (/mokhoa, /daumoi were told «ví dụ: /moi BDT»)."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e.harness import OFFICE_USER
from world import World


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
