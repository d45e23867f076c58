"""Persistence of baocao on SQLite: `Database.open(path)`, then `db.write()` / `db.read()`."""

from storage.database import Database
from storage.errors import (
    ConstraintError,
    CorruptDatabaseError,
    DatabaseBusyError,
    DatabaseClosedError,
    DatabaseFileError,
    DiskFullError,
    EmptyDatabaseError,
    ForeignDatabaseError,
    MigrationError,
    NewerSchemaError,
    NotFoundError,
    StorageError,
    TransactionClosedError,
)
from storage.records import (
    Draft,
    FocalPoint,
    InboxItem,
    Invite,
    OutboxMessage,
    PeriodRecord,
    RevisionRow,
    UnitSyncResult,
    UnitValues,
)
from storage.repos.answers import unit_values_of
from storage.repos.invites import InviteOutcome, Redemption
from storage.repos.outbox import PRIORITY_BULK, PRIORITY_REPLY
from storage.repos.schedule import OFFICE_WIDE
from storage.views import ReadView, WriteTransaction

__all__ = [
    "OFFICE_WIDE",
    "PRIORITY_BULK",
    "PRIORITY_REPLY",
    "ConstraintError",
    "CorruptDatabaseError",
    "Database",
    "DatabaseBusyError",
    "DatabaseClosedError",
    "DatabaseFileError",
    "DiskFullError",
    "Draft",
    "EmptyDatabaseError",
    "FocalPoint",
    "ForeignDatabaseError",
    "InboxItem",
    "Invite",
    "InviteOutcome",
    "MigrationError",
    "NewerSchemaError",
    "NotFoundError",
    "OutboxMessage",
    "PeriodRecord",
    "ReadView",
    "Redemption",
    "RevisionRow",
    "StorageError",
    "TransactionClosedError",
    "UnitSyncResult",
    "UnitValues",
    "WriteTransaction",
    "unit_values_of",
]
