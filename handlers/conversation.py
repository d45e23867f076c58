"""A person's place in a conversation, kept in SQLite so a restart resumes it exactly."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any


class Awaiting(StrEnum):
    """What the bot expects from the person next."""

    NOTHING = "nothing"
    UNIT_CHOICE = "unit_choice"  # a focal point of several units picks one
    VALUE = "value"  # the answer to the current question
    EXPLANATION = "explanation"  # why a flagged figure is right after all
    FLAGGED = "flagged"  # a flagged value: kept (explained) or fixed before going on
    EDIT_NUMBER = "edit_number"  # which question to change, from the summary
    CONFIRM_SUBMIT = "confirm_submit"  # the summary is shown
    REPEAT_CHOICE = "repeat_choice"  # which question a value equal to the one before is for
    TICKETS = "tickets"  # the unit's overdue tickets are shown (handlers/tickets.py)
    TICKET_DATE = "ticket_date"  # when an in-progress ticket is expected to be done
    TICKET_REASON = "ticket_reason"  # why it is late (optional)


# While these are awaited a typed number is an answer, never a choice.
_NUMBERS_ARE_ANSWERS = (
    Awaiting.VALUE,
    Awaiting.EXPLANATION,
    Awaiting.EDIT_NUMBER,
    Awaiting.FLAGGED,
)


@dataclass(slots=True)
class ConversationState:
    """Where a person is: which obligation, which question, what is expected."""

    awaiting: Awaiting = Awaiting.NOTHING
    unit: str = ""
    form: str = ""
    period: str = ""
    index: int = 0  # 0-based position of the current question in the form
    # After answering an edited question, go back to the summary instead of onwards.
    back_to_summary: bool = False
    # The field whose flagged value is being explained.
    explain_field: str = ""
    # The field whose value is questioned (Awaiting.FLAGGED): kept or fixed before going on.
    flagged: str = ""
    # The person opened a sent report to change it (/sua, or its summary's edit button): a
    # change then takes it back until sent again; merely looking leaves it sent.
    revising: bool = False
    # Optional questions the person chose to skip (not asked again unless they go back).
    skipped: list[str] = field(default_factory=list)
    # A question whose message may have reached the chat twice (queued before a restart,
    # not known to be sent): a value equal to its answer, sent for the next question, may
    # be the person answering it again (handlers/repeats.py).
    maybe_twice: str = ""
    # The text of such a value, held while the person says which question it is for.
    held_text: str = ""
    # What a typed number picks: the data of the numbered choices last shown to the person.
    choices: list[str] = field(default_factory=list)
    # The overdue-tickets conversation, apart from the obligation: whose tickets, which
    # page of them, and the ticket being answered.
    ticket_unit: str = ""
    ticket_page: int = 1
    ticket_id: str = ""
    # When the person was last sent a notice (handlers/notices.py), ISO time; "" never.
    notice_at: str = ""

    @property
    def numbers_are_answers(self) -> bool:
        """Whether a typed number answers the question asked, rather than picking a choice."""
        return self.awaiting in _NUMBERS_ARE_ANSWERS

    @property
    def in_obligation(self) -> bool:
        """Whether the person is working on an obligation."""
        return bool(self.unit and self.form and self.period)

    def reset(self) -> None:
        """Forget the obligation and what was expected: a fresh start."""
        fresh = ConversationState()
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))

    def to_dict(self) -> dict[str, Any]:
        """For storage as a JSON object."""
        # By hand rather than dataclasses.asdict, whose deep copy took a tenth of the CPU of
        # handling an answer; the lists are copied, so the dict shares nothing with the state.
        data: dict[str, Any] = {}
        for name in _FIELD_NAMES:
            value = getattr(self, name)
            data[name] = list(value) if isinstance(value, list) else value
        data["awaiting"] = self.awaiting.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ConversationState:
        """Read stored state; an empty or unreadable record is a fresh start."""
        if not data:
            return cls()
        try:
            known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
            known["awaiting"] = Awaiting(known.get("awaiting", Awaiting.NOTHING))
            return cls(**known)
        except (ValueError, TypeError):
            return cls()


_FIELD_NAMES = tuple(f.name for f in fields(ConversationState))
