"""User text in a reply is escaped exactly once, however the reply is put together: what a
person typed comes back on Telegram as they typed it."""

from __future__ import annotations

from pathlib import Path

from bot.demo.telegram_api import parse_html
from templates.catalog import text
from tests.support.world import World

A = 1001
TYPED = "<b>z</b> & 1<2"


def _plain(reply_text: str) -> str:
    return parse_html(reply_text)[0]  # as Telegram shows it (raises if not valid HTML)


def test_a_taken_line_nested_in_the_paste_report_is_escaped_once() -> None:
    taken = text("chat.paste_taken_line", number=6, label="ghi chú", value=TYPED)
    report = text("chat.paste_report", taken=[taken], refused=[])
    assert f"6. ghi chú: {TYPED}" in _plain(report)
    # The same value answered alone.
    assert _plain(text("chat.recorded", value=TYPED)) == f"✓ Đã ghi: {TYPED}"


async def test_a_refused_pasted_line_is_shown_as_typed(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "BDT")
        await world.command(A, "baocao")
        refused = await world.say(A, "1: <i>x</i> & 2\n2: 25")
    finally:
        await world.close()
    shown = _plain(refused[0].text)
    assert "<i>x</i> & 2" in shown, shown
    assert "&lt;" not in shown and "&amp;" not in shown
