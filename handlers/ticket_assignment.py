"""Giving a ticket to a unit: the one use case behind /giao (typed or its buttons) and
`baocao tickets assign`. Each caller says the outcome in its own words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.tickets import Ticket
from domain.unit_matching import UnitMatch, UnitMatcher
from domain.units import Unit
from storage import WriteTransaction
from storage.repos.tickets import AssignOutcome


@dataclass(frozen=True, slots=True)
class TicketAssignment:
    """How an assignment ended, and what its callers need to say so.

    NO_TICKET: the ticket is unknown. NO_UNIT: the name matches no unit, or several
    (`suggestion` is then the closest unit, if any), or the unit `unit` is configured but not
    stored yet. ASSIGNED and UNCHANGED: `ticket` is the ticket afterwards, `unit` its unit,
    `previous` the unit it was taken from (None if unmatched before, or unchanged).
    """

    outcome: AssignOutcome
    ticket: Ticket | None = None
    unit: Unit | None = None
    suggestion: Unit | None = None
    previous: Unit | None = None


async def assign_ticket(
    tx: WriteTransaction,
    units: Sequence[Unit],
    ticket_id: str,
    unit_named: str,
    changed_by: str,
    *,
    source_message: str | None = None,
    at: datetime | None = None,
) -> TicketAssignment:
    """Give a ticket to the unit `unit_named` names: its code, or a name or an alias matched
    as the import matches them ("UBND P.6"); the ticket is looked up first."""
    ticket = await tx.tickets.get(ticket_id)
    if ticket is None:
        return TicketAssignment(AssignOutcome.NO_TICKET)
    by_code = {u.code: u for u in units}
    # A code as written is that unit, even where two codes fold alike ("D1", "Đ1"): the
    # list's buttons carry it.
    exact = unit_named in by_code
    match = UnitMatch(unit_named) if exact else UnitMatcher(units).match(unit_named)
    code = match.unit_code
    if code is None:
        suggestion = by_code.get(match.suggestion or "")
        return TicketAssignment(AssignOutcome.NO_UNIT, ticket, suggestion=suggestion)
    unit = by_code[code]
    done = await tx.tickets.assign(
        ticket.id, code, changed_by, source_message=source_message, at=at
    )
    if done.outcome is AssignOutcome.NO_UNIT:  # in the files, not yet in the database
        return TicketAssignment(AssignOutcome.NO_UNIT, ticket, unit)
    previous = by_code.get(ticket.unit_code or "") if ticket.unit_code != code else None
    return TicketAssignment(done.outcome, done.ticket, unit, previous=previous)
