"""The catalog keeps no time zone: a text that shows a time is given the office's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from templates.catalog import MissingZoneError, text

AT = datetime(2022, 2, 16, 1, 0, tzinfo=UTC)


def test_a_time_is_shown_in_the_zone_given() -> None:
    tokyo = text("chat.period_already_locked", period="02/2022", at=AT, zone=ZoneInfo("Asia/Tokyo"))
    hanoi = text("chat.period_already_locked", period="02/2022", at=AT, zone=ZoneInfo("Etc/GMT-7"))
    assert tokyo == "Kỳ 02/2022 đã khóa từ 10:00 16/02/2022."
    assert hanoi == "Kỳ 02/2022 đã khóa từ 08:00 16/02/2022."


def test_a_time_without_a_zone_is_refused_naming_the_text() -> None:
    with pytest.raises(MissingZoneError, match=r"chat\.period_already_locked"):
        text("chat.period_already_locked", period="02/2022", at=AT)


def test_a_day_needs_no_zone() -> None:
    shown = text("chat_tickets.ask_reason", id="PA-1", expected=date(2022, 2, 18))
    assert "18/02/2022" in shown
