"""A unit's answers about its tickets: the expected date it types, answered since, tokens."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.ticket_answers import (
    TOKEN_LENGTH,
    DateProblem,
    find_by_token,
    parse_expected,
    ticket_token,
)
from domain.tickets import ID_MAX, Ticket

TODAY = date(2022, 2, 11)


def test_an_expected_date_is_a_real_day_from_today_within_a_year() -> None:
    assert parse_expected("28/02/2022", TODAY) == date(2022, 2, 28)
    assert parse_expected(" 1-3-2022 ", TODAY) == date(2022, 3, 1)
    assert parse_expected("11.02.2022", TODAY) == TODAY
    assert parse_expected("30/02/2022", TODAY) is DateProblem.NOT_A_DATE
    assert parse_expected("mai", TODAY) is DateProblem.NOT_A_DATE
    assert parse_expected("2022-02-28", TODAY) is DateProblem.NOT_A_DATE
    assert parse_expected("10/02/2022", TODAY) is DateProblem.IN_THE_PAST
    assert parse_expected("13/02/2023", TODAY) is DateProblem.TOO_FAR


def test_an_expected_date_may_leave_out_the_year_or_shorten_it() -> None:
    assert parse_expected("28/2", TODAY) == date(2022, 2, 28)
    assert parse_expected("28/2/22", TODAY) == date(2022, 2, 28)
    assert parse_expected("5/1", TODAY) == date(2023, 1, 5)  # the next 5 January
    assert parse_expected("11/2", TODAY) == TODAY
    assert parse_expected("10/2/22", TODAY) is DateProblem.IN_THE_PAST
    assert parse_expected("30/2", TODAY) is DateProblem.NOT_A_DATE
    assert parse_expected("28/2/022", TODAY) is DateProblem.NOT_A_DATE


def test_answered_counts_only_answers_since_the_prompt() -> None:
    prompt = datetime(2022, 2, 10, 2, tzinfo=UTC)
    never = Ticket("A", TODAY)
    before = Ticket("B", TODAY, reported_at=datetime(2022, 1, 20, tzinfo=UTC), reported_by="x")
    after = Ticket("C", TODAY, reported_at=datetime(2022, 2, 10, 3, tzinfo=UTC), reported_by="x")
    assert [t.answered_since(prompt) for t in (never, before, after)] == [False, False, True]
    assert [t.answered_since(None) for t in (never, before, after)] == [False, True, True]


def test_a_token_fits_button_data_and_finds_only_its_ticket() -> None:
    longest = "9" * ID_MAX
    assert len(ticket_token(longest)) == TOKEN_LENGTH
    assert len(f"tkd:{'U' * 40}:{ticket_token(longest)}".encode()) <= 64
    tickets = [Ticket("PA-1", TODAY), Ticket("PA-2", TODAY)]
    assert find_by_token(tickets, ticket_token("PA-2")) == tickets[1]
    assert find_by_token(tickets, ticket_token("PA-3")) is None
