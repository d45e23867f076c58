-- baocao schema version 2: citizen-feedback tickets (phiếu phản ánh, kiến nghị) imported from
-- the feedback system's export, and the history of their status.
--
-- Same encodings as version 1: dates 'YYYY-MM-DD' (text order is date order, so "overdue" is
-- a text comparison), timestamps fixed-width ISO-8601 UTC text. SQLite-specific parts: the
-- INTEGER PRIMARY KEY row id and the trigger syntax of ticket_revisions.
-- One statement per terminating line (see 0001_initial.sql).

CREATE TABLE tickets (
    id            TEXT NOT NULL PRIMARY KEY,  -- the feedback system's number ("Mã phiếu")
    received_on   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('in_progress', 'handled')),
    channel       TEXT NOT NULL DEFAULT '',  -- receiving channel, as the export writes it
    due_on        TEXT,
    -- NULL until the unit named in the export is matched, or the office assigns one.
    unit_code     TEXT REFERENCES units (code),
    unit_text     TEXT NOT NULL DEFAULT '',  -- the unit in charge, as the export writes it
    suggestion    TEXT,  -- closest unit code while unmatched: a hint, not a reference
    summary       TEXT NOT NULL DEFAULT '',
    source_status TEXT NOT NULL DEFAULT '',  -- the export's status text at the last import
    expected_on   TEXT,  -- the unit's answer: when it expects to finish
    reason        TEXT,  -- the unit's answer: why it is late
    reported_at   TEXT,  -- when the unit last answered about this ticket
    reported_by   TEXT,
    imported_at   TEXT NOT NULL,  -- the last import that listed the ticket
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    CHECK ((reported_at IS NULL) = (reported_by IS NULL))
);

CREATE INDEX tickets_by_unit ON tickets (unit_code, status, due_on);

CREATE INDEX tickets_by_received ON tickets (received_on);

-- Every change to a ticket's status, unit, due date, expected date or reason: append-only.
CREATE TABLE ticket_revisions (
    id             INTEGER NOT NULL PRIMARY KEY,
    ticket_id      TEXT    NOT NULL REFERENCES tickets (id),
    field          TEXT    NOT NULL CHECK (field IN (
                       'status', 'unit_code', 'due_on', 'expected_on', 'reason')),
    old_value      TEXT,
    new_value      TEXT,
    changed_at     TEXT    NOT NULL,
    changed_by     TEXT    NOT NULL,
    source_message TEXT  -- the chat message, or the imported file's name
);

CREATE INDEX ticket_revisions_by_ticket ON ticket_revisions (ticket_id, id);

CREATE TRIGGER ticket_revisions_no_update BEFORE UPDATE ON ticket_revisions
BEGIN
    SELECT RAISE(ABORT, 'ticket revisions are append-only');
END;

CREATE TRIGGER ticket_revisions_no_delete BEFORE DELETE ON ticket_revisions
BEGIN
    SELECT RAISE(ABORT, 'ticket revisions are append-only');
END;
