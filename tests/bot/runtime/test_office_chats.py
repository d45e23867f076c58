"""Where the office hears of a full disk: its Telegram drafts chat and its Zalo admins."""

from __future__ import annotations

from pathlib import Path

from bot.runtime.build import office_chats
from bot.workspace.config import load_settings
from tests.support.offices import init_office


def test_the_office_chats_follow_the_config(tmp_path: Path) -> None:
    config = init_office(tmp_path / "office")
    source = config.read_text(encoding="utf-8")
    source = source.replace("zalo_admins = []", 'zalo_admins = ["z1", "z2"]')
    config.write_text(source, encoding="utf-8")
    # Zalo off: its admins are not reachable there.
    assert office_chats(load_settings(config)) == [("telegram", "-1001234567890")]
    head, zalo_table = source.split("[zalo]", 1)
    zalo_table = zalo_table.replace("enabled = false", "enabled = true", 1)
    head = head.replace("drafts_chat = -1001234567890\n", "")
    config.write_text(f"{head}[zalo]{zalo_table}", encoding="utf-8")
    assert office_chats(load_settings(config)) == [("zalo", "z1"), ("zalo", "z2")]
