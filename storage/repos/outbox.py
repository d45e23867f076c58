"""The outbox: messages written with the change they announce, sent afterwards in order."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime

from storage import codec
from storage.codec import JsonObject
from storage.records import OutboxMessage
from storage.repos.base import Repository
from storage.session import Session

PRIORITY_REPLY = 0  # an answer in a live conversation: goes first
PRIORITY_BULK = 10  # prompts, reminders, broadcasts

_COLUMNS = (
    "id, channel, chat_id, payload, priority, dedup_key, created_at, not_before, attempts, "
    "sent_at, failed_at, last_error, unknown_outcome, runs, quarantined_at, platform_ref"
)
_QUEUED = "sent_at IS NULL AND failed_at IS NULL AND unknown_outcome = 0"

_ENQUEUE = """
INSERT INTO outbox (channel, chat_id, payload, priority, dedup_key, created_at, not_before)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (dedup_key) DO NOTHING
RETURNING id
"""
_SELECT = f"SELECT {_COLUMNS} FROM outbox WHERE id = ?"
_SELECT_DUE = f"""
SELECT {_COLUMNS} FROM outbox
WHERE {_QUEUED} AND (not_before IS NULL OR not_before <= ?)
ORDER BY priority, id LIMIT ?
"""
_SELECT_UNKNOWN = f"""
SELECT {_COLUMNS} FROM outbox
WHERE unknown_outcome = 1 AND sent_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT ?
"""
# Queued messages whose payload holds a text under a key (a JSON path '$.key').
_SELECT_QUEUED_WITH = (
    f"SELECT {_COLUMNS} FROM outbox WHERE {_QUEUED} AND json_type(payload, ?) = 'text' "
    "ORDER BY id LIMIT ?"
)
_COUNT_PENDING = f"SELECT COUNT(*) FROM outbox WHERE {_QUEUED}"
_OLDEST_DUE = f"SELECT MIN(COALESCE(not_before, created_at)) FROM outbox WHERE {_QUEUED}"
_UNSETTLED = "id = ? AND sent_at IS NULL AND failed_at IS NULL"
_MARK_SENT = (
    "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, unknown_outcome = 0, "
    f"platform_ref = COALESCE(?, platform_ref) WHERE {_UNSETTLED}"
)
# A sent message by the id its platform gave it (the partial index outbox_by_platform_ref).
_SELECT_SENT_AS = (
    f"SELECT {_COLUMNS} FROM outbox WHERE chat_id = ? AND platform_ref = ? AND channel = ? "
    "ORDER BY id DESC LIMIT 1"
)
_MARK_FAILED = (
    f"UPDATE outbox SET failed_at = ?, last_error = ?, attempts = attempts + 1 WHERE {_UNSETTLED}"
)
_RESCHEDULE = (
    "UPDATE outbox SET not_before = ?, last_error = COALESCE(?, last_error), "
    f"attempts = attempts + 1, unknown_outcome = 0 WHERE {_UNSETTLED}"
)
_MARK_UNKNOWN = (
    "UPDATE outbox SET unknown_outcome = 1, last_error = ?, attempts = attempts + 1 "
    f"WHERE {_UNSETTLED}"
)
# Settled messages only (sent, or given up on), a batch at a time: see the inbox's purge.
# The expression is the one indexed by outbox_settled_at (NULL, unsettled, is never < ?).
# A quarantined job stays until someone retries or drops it.
_PURGE = """
DELETE FROM outbox WHERE id IN (
    SELECT id FROM outbox WHERE COALESCE(sent_at, failed_at) < ? AND quarantined_at IS NULL
    LIMIT ?
)
"""
_START_RUN = f"UPDATE outbox SET runs = runs + 1 WHERE {_UNSETTLED} RETURNING runs"
_END_RUN = "UPDATE outbox SET runs = 0 WHERE id = ?"
_QUARANTINE = (
    f"UPDATE outbox SET failed_at = ?, quarantined_at = ?, last_error = ? WHERE {_UNSETTLED}"
)
_SELECT_QUARANTINED = f"SELECT {_COLUMNS} FROM outbox WHERE quarantined_at IS NOT NULL ORDER BY id"
_RELEASE = (
    "UPDATE outbox SET failed_at = NULL, quarantined_at = NULL, runs = 0, not_before = NULL "
    "WHERE id = ? AND quarantined_at IS NOT NULL"
)
_DROP = "UPDATE outbox SET quarantined_at = NULL WHERE id = ? AND quarantined_at IS NOT NULL"


def _message(row: sqlite3.Row) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        channel=row["channel"],
        chat_id=row["chat_id"],
        payload=codec.load_json(row["payload"]),
        priority=row["priority"],
        dedup_key=row["dedup_key"],
        created_at=codec.parse_timestamp(row["created_at"]),
        not_before=codec.optional_parse_timestamp(row["not_before"]),
        attempts=row["attempts"],
        sent_at=codec.optional_parse_timestamp(row["sent_at"]),
        failed_at=codec.optional_parse_timestamp(row["failed_at"]),
        last_error=row["last_error"],
        unknown_outcome=bool(row["unknown_outcome"]),
        runs=row["runs"],
        quarantined_at=codec.optional_parse_timestamp(row["quarantined_at"]),
        platform_ref=row["platform_ref"],
    )


class OutboxReader(Repository):
    """Looking at queued messages."""

    __slots__ = ()

    async def get(self, message_id: int) -> OutboxMessage | None:
        """One message."""
        row = await self._s.row(_SELECT, (message_id,))
        return None if row is None else _message(row)

    async def due(self, now: datetime | None = None, limit: int = 50) -> list[OutboxMessage]:
        """Messages to send now: replies before bulk, then oldest first."""
        when = codec.timestamp(now or self._s.now())
        return [_message(r) for r in await self._s.rows(_SELECT_DUE, (when, limit))]

    async def waiting_with(self, key: str, limit: int = 10_000) -> list[OutboxMessage]:
        """Messages waiting to be sent (now or later) whose payload has a text under `key`,
        oldest first: picked by the database, not by loading every queued payload."""
        rows = await self._s.rows(_SELECT_QUEUED_WITH, (f"$.{key}", limit))
        return [_message(r) for r in rows]

    async def sent_as(self, channel: str, chat_id: str, platform_ref: str) -> OutboxMessage | None:
        """The message sent to a chat that its platform knows by `platform_ref` (None: not
        known, or purged)."""
        row = await self._s.row(_SELECT_SENT_AS, (chat_id, platform_ref, channel))
        return None if row is None else _message(row)

    async def pending_count(self) -> int:
        """How many messages wait to be sent (now or later), not counting unknown outcomes."""
        return int(await self._s.scalar(_COUNT_PENDING))

    async def oldest_due(self) -> datetime | None:
        """Since when the longest-waiting queued message has been due (None: none queued)."""
        return codec.optional_parse_timestamp(await self._s.scalar(_OLDEST_DUE))

    async def unknown(self, limit: int = 100) -> list[OutboxMessage]:
        """Messages whose delivery is uncertain, for a person (or a policy) to decide on."""
        return [_message(r) for r in await self._s.rows(_SELECT_UNKNOWN, (limit,))]

    async def quarantined(self) -> list[OutboxMessage]:
        """Jobs set aside after crashing too often, oldest first."""
        return [_message(r) for r in await self._s.rows(_SELECT_QUARANTINED)]


class OutboxWriter(OutboxReader):
    """Queuing messages and recording how sending went."""

    __slots__ = ("queued",)

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        # What this transaction queued, as the outbox will hold it once committed: the
        # inbox worker hands it to delivery, which then need not read it back.
        self.queued: list[OutboxMessage] = []

    async def enqueue(
        self,
        channel: str,
        chat_id: str,
        payload: JsonObject,
        priority: int = PRIORITY_REPLY,
        dedup_key: str | None = None,
        not_before: datetime | None = None,
        once_a_minute: str | None = None,
    ) -> int | None:
        """Queue a message; None (nothing queued) if `dedup_key` was queued before, or a
        message with the same `once_a_minute` key in this minute of the database's clock."""
        stored, now = codec.dump_json(payload), self._s.now()
        if once_a_minute is not None:
            dedup_key = f"{once_a_minute}@{now:%Y-%m-%dT%H:%M}"
        params = (
            channel,
            chat_id,
            stored,
            priority,
            dedup_key,
            codec.timestamp(now),
            codec.optional_timestamp(not_before),
        )
        new_id = await self._s.scalar(_ENQUEUE, params)
        if new_id is None:
            return None
        message = OutboxMessage(
            int(new_id), channel, chat_id, codec.load_json(stored), priority, dedup_key, now,
            not_before,
        )  # fmt: skip
        self.queued.append(message)
        return message.id

    async def mark_sent(
        self, message_id: int, at: datetime | None = None, platform_ref: str | None = None
    ) -> bool:
        """Record delivery (with the platform's id of the message, if it gave one); False if
        the message was unknown or already settled."""
        when = codec.timestamp(at or self._s.now())
        return await self._s.run(_MARK_SENT, (when, platform_ref, message_id)) > 0

    async def mark_sent_many(
        self,
        message_ids: list[int],
        at: datetime | None = None,
        platform_refs: Mapping[int, str] | None = None,
    ) -> int:
        """Record the delivery of several messages in one statement round, each with the
        platform's id of it found in `platform_refs`; how many changed."""
        when = codec.timestamp(at or self._s.now())
        refs = platform_refs or {}
        return await self._s.run_many(_MARK_SENT, [(when, refs.get(i), i) for i in message_ids])

    async def mark_failed(self, message_id: int, error: str, at: datetime | None = None) -> bool:
        """Give up on a message for good (e.g. the chat no longer exists)."""
        when = codec.timestamp(at or self._s.now())
        return await self._s.run(_MARK_FAILED, (when, error, message_id)) > 0

    async def reschedule(
        self, message_id: int, not_before: datetime, error: str | None = None
    ) -> bool:
        """Try again at `not_before` (rate limit, network error); also re-queues an unknown."""
        params = (codec.timestamp(not_before), error, message_id)
        return await self._s.run(_RESCHEDULE, params) > 0

    async def mark_unknown(self, message_id: int, error: str | None = None) -> bool:
        """The send may or may not have arrived: hold it out of `due` instead of risking a
        duplicate."""
        return await self._s.run(_MARK_UNKNOWN, (error, message_id)) > 0

    async def start_run(self, message_id: int) -> int | None:
        """Record that a job's run starts (before it does); the runs so far not ended, this
        one included, or None if the job is settled already."""
        runs = await self._s.scalar(_START_RUN, (message_id,))
        return None if runs is None else int(runs)

    async def end_run(self, message_id: int) -> None:
        """Record that a job's run ended (whatever its outcome): it did not crash."""
        await self._s.run(_END_RUN, (message_id,))

    async def quarantine(self, message_id: int, error: str, at: datetime | None = None) -> bool:
        """Set a job aside: never run again unless released; False if already settled."""
        when = codec.timestamp(at or self._s.now())
        return await self._s.run(_QUARANTINE, (when, when, error, message_id)) > 0

    async def release(self, message_id: int) -> bool:
        """Queue a quarantined job again, its runs counted from zero; False if it is not
        quarantined."""
        return await self._s.run(_RELEASE, (message_id,)) > 0

    async def drop(self, message_id: int) -> bool:
        """Give a quarantined job up for good (purged with the other settled messages);
        False if it is not quarantined."""
        return await self._s.run(_DROP, (message_id,)) > 0

    async def purge_settled(self, before: datetime, limit: int = 500) -> int:
        """Delete at most `limit` messages sent or given up on before `before`; rows deleted.

        Queued messages and those of unknown outcome (waiting for a person to decide) stay.
        A deleted message's dedup key is free again.
        """
        return await self._s.run(_PURGE, (codec.timestamp(before), limit))
