"""The chat protocol: every kind of button the bot sends, packed into its data and read back.

Telegram returns a button's data (at most 64 bytes) when it is pressed; Zalo and the console
keep the same data behind a typed number. Each kind is a small frozen dataclass that packs
itself (refusing data over the limit, or that would not read back the same), and `parse` is
the one way back from data to a button: None for anything the bot could not have sent
(forged, malformed, or of a kind that no longer exists), which callers answer as stale.
Whether the presser may use what a button names is the handler's check, never the data's.

The wire format is the one version 1 sent ("prefix:value[:value]"), so buttons already in
chats before an upgrade keep working. The kinds live by who presses them:
handlers/unit_buttons.py (a unit's focal point) and handlers/office_buttons.py (the office).
"""

from __future__ import annotations

from typing import cast

from handlers.button_kind import read_known
from handlers.office_buttons import OfficeButton
from handlers.unit_buttons import UnitButton

Button = UnitButton | OfficeButton


def parse(data: str) -> Button | None:
    """The button `data` packs; None for data the bot could not have sent."""
    # Both kinds' modules are imported above, so every kind is known here.
    return cast("Button | None", read_known(data))
