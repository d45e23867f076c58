"""A unit's answers about its overdue tickets in chat: the expected date it types, and the
short token that names a ticket on a button.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from domain.tickets import Ticket

# Telegram allows 64 bytes of button data and a ticket id may be 64 characters long: a
# button names its ticket by a digest instead, looked up among the unit's own tickets.
TOKEN_LENGTH = 12
# An expected date further ahead than this is surely a typing mistake (a wrong year).
EXPECTED_MAX_DAYS = 366

# Day and month, then the year in full, in two digits, or left out (a phone's keyboard).
_DAY = re.compile(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?")


def ticket_token(ticket_id: str) -> str:
    """A short, stable name of a ticket for button data."""
    return hashlib.sha256(ticket_id.encode("utf-8")).hexdigest()[:TOKEN_LENGTH]


def find_by_token(tickets: Iterable[Ticket], token: str) -> Ticket | None:
    """The ticket among `tickets` whose token is `token`, or None."""
    return next((t for t in tickets if ticket_token(t.id) == token), None)


class DateProblem(StrEnum):
    """Why a typed expected date was refused."""

    NOT_A_DATE = "not_a_date"
    IN_THE_PAST = "in_the_past"
    TOO_FAR = "too_far"


def parse_expected(typed: str, today: date) -> date | DateProblem:
    """The expected date typed as dd/mm/yyyy (also with - or ., a two-digit year, or none:
    the next such day from today), from today on and within a year; otherwise what is wrong
    with it."""
    match = _DAY.fullmatch(typed.strip())
    if match is None:
        return DateProblem.NOT_A_DATE
    day_number, month = int(match[1]), int(match[2])
    try:
        if match[3] is None:
            day = date(today.year, month, day_number)
            if day < today:  # "5/1" typed in December: January next year
                day = date(today.year + 1, month, day_number)
        else:
            year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
            day = date(year, month, day_number)
    except ValueError:  # 31/02/2022: no such day
        return DateProblem.NOT_A_DATE
    if day < today:
        return DateProblem.IN_THE_PAST
    if (day - today).days > EXPECTED_MAX_DAYS:
        return DateProblem.TOO_FAR
    return day
