"""What a `db.read()` / `db.write()` block hands out: the repositories, bound to one session.

Write methods exist only on `WriteTransaction`'s repositories, so a state change and the
outbox message announcing it can only be written together, inside one transaction.
"""

from __future__ import annotations

from storage.repos.answers import AnswersReader, AnswersWriter
from storage.repos.conversations import ConversationsReader, ConversationsWriter
from storage.repos.drafts import DraftsReader, DraftsWriter
from storage.repos.failed_logins import FailedLoginsReader, FailedLoginsWriter
from storage.repos.focal_points import FocalPointsReader, FocalPointsWriter
from storage.repos.inbox import InboxReader, InboxWriter
from storage.repos.invites import InvitesReader, InvitesWriter
from storage.repos.obligations import ObligationsReader, ObligationsWriter
from storage.repos.office_people import OfficePeopleReader, OfficePeopleWriter
from storage.repos.outbox import OutboxReader, OutboxWriter
from storage.repos.periods import PeriodsReader, PeriodsWriter
from storage.repos.schedule import ScheduleReader, ScheduleWriter
from storage.repos.ticket_imports import TicketsWriter
from storage.repos.tickets import TicketsReader
from storage.repos.units import UnitsReader, UnitsWriter
from storage.repos.web import WebReader, WebWriter
from storage.session import Session


class ReadView:
    """Read-only repositories sharing one consistent snapshot of the database."""

    __slots__ = (
        "answers",
        "conversations",
        "drafts",
        "failed_logins",
        "focal_points",
        "inbox",
        "invites",
        "obligations",
        "office_people",
        "outbox",
        "periods",
        "schedule",
        "tickets",
        "units",
        "web",
    )

    def __init__(self, session: Session) -> None:
        self.units = UnitsReader(session)
        self.focal_points = FocalPointsReader(session)
        self.invites = InvitesReader(session)
        self.failed_logins = FailedLoginsReader(session)
        self.periods = PeriodsReader(session)
        self.obligations = ObligationsReader(session)
        self.office_people = OfficePeopleReader(session)
        self.answers = AnswersReader(session)
        self.inbox = InboxReader(session)
        self.outbox = OutboxReader(session)
        self.conversations = ConversationsReader(session)
        self.schedule = ScheduleReader(session)
        self.drafts = DraftsReader(session)
        self.tickets = TicketsReader(session)
        self.web = WebReader(session)


class WriteTransaction:
    """Read-write repositories inside one transaction: all their writes commit or none."""

    __slots__ = (
        "answers",
        "conversations",
        "drafts",
        "failed_logins",
        "focal_points",
        "inbox",
        "invites",
        "obligations",
        "office_people",
        "outbox",
        "periods",
        "schedule",
        "tickets",
        "units",
        "web",
    )

    def __init__(self, session: Session) -> None:
        self.units = UnitsWriter(session)
        self.focal_points = FocalPointsWriter(session)
        self.invites = InvitesWriter(session)
        self.failed_logins = FailedLoginsWriter(session)
        self.periods = PeriodsWriter(session)
        self.obligations = ObligationsWriter(session)
        self.office_people = OfficePeopleWriter(session)
        self.answers = AnswersWriter(session)
        self.inbox = InboxWriter(session)
        self.outbox = OutboxWriter(session)
        self.conversations = ConversationsWriter(session)
        self.schedule = ScheduleWriter(session)
        self.drafts = DraftsWriter(session)
        self.tickets = TicketsWriter(session)
        self.web = WebWriter(session)
