-- Ticket imports saved in short transactions yet all-or-nothing to the office.
--
-- An import writes its tickets as new versions, rows of `tickets` carrying its import_id,
-- in batches of short transactions (so other people's replies are written between them).
-- Nobody sees them until one small final transaction publishes the import (gives it a
-- published_seq): every reader reads `shown_tickets`, the version of each ticket from the
-- latest published import. The versions it replaced are deleted afterwards (state
-- 'settled'); an import that failed or was killed while 'saving' is deleted, rows and
-- revisions, when it fails or when the program starts again.
--
-- The tables are rebuilt: a ticket's key becomes (id, import_id), and ticket_revisions,
-- which referenced tickets (id), gets import_id instead (NULL: a change made in chat).
-- Import 0 holds every ticket stored before this version.

CREATE TABLE ticket_imports (
    id            INTEGER NOT NULL PRIMARY KEY,
    file_name     TEXT    NOT NULL DEFAULT '',
    changed_by    TEXT    NOT NULL DEFAULT '',
    started_at    TEXT    NOT NULL,
    pid           INTEGER NOT NULL DEFAULT 0,  -- the process saving it, to tell leftovers
    base_seq      INTEGER NOT NULL DEFAULT 0,  -- the latest published_seq when it started
    state         TEXT    NOT NULL CHECK (state IN ('saving', 'published', 'settled')),
    published_seq INTEGER UNIQUE,
    published_at  TEXT,
    CHECK ((state = 'saving') = (published_seq IS NULL))
);

INSERT INTO ticket_imports (id, started_at, state, published_seq, published_at)
VALUES (0, '1970-01-01T00:00:00.000000Z', 'settled', 0, '1970-01-01T00:00:00.000000Z');

DROP TRIGGER ticket_revisions_no_update;

DROP TRIGGER ticket_revisions_no_delete;

CREATE TABLE ticket_revisions_new (
    id             INTEGER NOT NULL PRIMARY KEY,
    ticket_id      TEXT    NOT NULL,
    field          TEXT    NOT NULL CHECK (field IN (
                       'status', 'unit_code', 'due_on', 'expected_on', 'reason')),
    old_value      TEXT,
    new_value      TEXT,
    changed_at     TEXT    NOT NULL,
    changed_by     TEXT    NOT NULL,
    source_message TEXT,  -- the chat message, or the imported file's name
    import_id      INTEGER REFERENCES ticket_imports (id)  -- NULL: not made by an import
);

INSERT INTO ticket_revisions_new
    (id, ticket_id, field, old_value, new_value, changed_at, changed_by, source_message)
SELECT id, ticket_id, field, old_value, new_value, changed_at, changed_by, source_message
FROM ticket_revisions;

DROP TABLE ticket_revisions;

ALTER TABLE ticket_revisions_new RENAME TO ticket_revisions;

CREATE INDEX ticket_revisions_by_ticket ON ticket_revisions (ticket_id, id);

CREATE INDEX ticket_revisions_by_import ON ticket_revisions (import_id)
WHERE import_id IS NOT NULL;

CREATE TABLE tickets_new (
    id            TEXT NOT NULL,
    import_id     INTEGER NOT NULL DEFAULT 0 REFERENCES ticket_imports (id),
    received_on   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('in_progress', 'handled')),
    channel       TEXT NOT NULL DEFAULT '',
    due_on        TEXT,
    unit_code     TEXT REFERENCES units (code),
    unit_text     TEXT NOT NULL DEFAULT '',
    suggestion    TEXT,
    summary       TEXT NOT NULL DEFAULT '',
    source_status TEXT NOT NULL DEFAULT '',
    expected_on   TEXT,
    reason        TEXT,
    reported_at   TEXT,
    reported_by   TEXT,
    imported_at   TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    PRIMARY KEY (id, import_id),
    CHECK ((reported_at IS NULL) = (reported_by IS NULL))
);

INSERT INTO tickets_new
SELECT id, 0, received_on, status, channel, due_on, unit_code, unit_text, suggestion, summary,
       source_status, expected_on, reason, reported_at, reported_by, imported_at, updated_at,
       updated_by
FROM tickets;

DROP TABLE tickets;

ALTER TABLE tickets_new RENAME TO tickets;

CREATE INDEX tickets_by_unit ON tickets (unit_code, status, due_on);

CREATE INDEX tickets_by_received ON tickets (received_on);

CREATE INDEX tickets_by_import ON tickets (import_id, id);

-- Changes made in chat while an import is saving are found by time when it publishes.
CREATE INDEX tickets_by_update ON tickets (updated_at);

CREATE VIEW shown_tickets AS
SELECT t.* FROM tickets AS t
JOIN ticket_imports AS i ON i.id = t.import_id AND i.published_seq IS NOT NULL
WHERE NOT EXISTS (
    SELECT 1 FROM tickets AS n
    JOIN ticket_imports AS j ON j.id = n.import_id
    WHERE n.id = t.id AND j.published_seq > i.published_seq
);

-- History is append-only once shown: an unpublished import's revisions go with it.
CREATE TRIGGER ticket_revisions_no_update BEFORE UPDATE ON ticket_revisions
BEGIN
    SELECT RAISE(ABORT, 'ticket revisions are append-only');
END;

CREATE TRIGGER ticket_revisions_no_delete BEFORE DELETE ON ticket_revisions
WHEN OLD.import_id IS NULL OR EXISTS (
    SELECT 1 FROM ticket_imports WHERE id = OLD.import_id AND published_seq IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'ticket revisions are append-only');
END;
