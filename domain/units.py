"""Units: the subordinate bodies that owe figures to the office."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# A unit's code travels in chat buttons, whose data Telegram limits to 64 bytes; the tightest,
# "giao:<12-character ticket token>:<code>", leaves this many bytes of UTF-8 for the code.
CODE_MAX_BYTES = 46


@dataclass(frozen=True, slots=True)
class Unit:
    """A reporting unit as configured in the units file."""

    code: str
    name: str
    group: str
    forms: tuple[str, ...]
    order: int = 0
    aliases: tuple[str, ...] = ()
    effective_from: date | None = None
    effective_to: date | None = None

    def in_force(self, on: date) -> bool:
        """Whether the unit exists on the given day (units merge and vanish)."""
        if self.effective_from is not None and on < self.effective_from:
            return False
        return not self.has_ended(on)

    def has_ended(self, on: date) -> bool:
        """Whether the unit ceased to exist before the given day (merged or dissolved)."""
        return self.effective_to is not None and on > self.effective_to

    def owes(self, form_code: str) -> bool:
        """Whether this unit reports on the given form."""
        return form_code in self.forms


def units_in_force(units: tuple[Unit, ...] | list[Unit], on: date) -> list[Unit]:
    """The units in force on a day, in their configured order."""
    return sorted((u for u in units if u.in_force(on)), key=lambda u: u.order)
