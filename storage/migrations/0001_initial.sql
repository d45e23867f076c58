-- baocao schema version 1.
--
-- Encodings, chosen to stay portable to PostgreSQL:
--   timestamps  ISO-8601 UTC text 'YYYY-MM-DDTHH:MM:SS.ffffffZ'; fixed width, so text order is
--               time order and range queries compare text;
--   dates       'YYYY-MM-DD';   periods 'YYYY-MM';
--   figures     canonical decimal text (never REAL: 0.1 + 0.2 must stay exact);
--   JSON        TEXT;   booleans INTEGER 0/1.
-- SQLite-specific parts a PostgreSQL migration must translate: INTEGER PRIMARY KEY row ids
-- (identity columns there), BLOB (bytea) and the trigger syntax on revisions.
--
-- Keys that lead with period_key and form_code let one index serve both "one unit's form"
-- and "every unit's form for the period" lookups.
--
-- The runner splits this file into statements at lines ending a complete statement:
-- keep one statement per terminating line.

CREATE TABLE units (
    code           TEXT    NOT NULL PRIMARY KEY,
    name           TEXT    NOT NULL,
    group_name     TEXT    NOT NULL DEFAULT '',
    forms          TEXT    NOT NULL DEFAULT '[]',  -- JSON array of form codes
    aliases        TEXT    NOT NULL DEFAULT '[]',  -- JSON array of other names users type
    sort_order     INTEGER NOT NULL DEFAULT 0,
    effective_from TEXT,
    effective_to   TEXT,
    synced_at      TEXT    NOT NULL,
    -- Units that vanish from the units file stay here because answers reference them.
    removed_at     TEXT
);

CREATE TABLE focal_points (
    id             INTEGER NOT NULL PRIMARY KEY,
    unit_code      TEXT    NOT NULL REFERENCES units (code),
    channel        TEXT    NOT NULL CHECK (channel IN ('telegram', 'zalo', 'console')),
    user_id        TEXT    NOT NULL,
    chat_id        TEXT    NOT NULL,
    display_name   TEXT    NOT NULL DEFAULT '',
    registered_at  TEXT    NOT NULL,
    removed_at     TEXT,
    unreachable_at TEXT    -- the platform refused delivery (user blocked the bot)
);

-- A person is focal point of a unit at most once at a time; removed rows stay as history.
CREATE UNIQUE INDEX focal_points_active
    ON focal_points (unit_code, channel, user_id) WHERE removed_at IS NULL;

CREATE INDEX focal_points_by_user ON focal_points (channel, user_id);

CREATE INDEX focal_points_by_chat ON focal_points (channel, chat_id);

CREATE TABLE invites (
    code       TEXT NOT NULL PRIMARY KEY,
    unit_code  TEXT NOT NULL REFERENCES units (code),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    used_by    TEXT,
    CHECK ((used_at IS NULL) = (used_by IS NULL))
);

CREATE INDEX invites_by_unit ON invites (unit_code);

CREATE TABLE failed_logins (
    id      INTEGER NOT NULL PRIMARY KEY,
    channel TEXT    NOT NULL,
    chat_id TEXT    NOT NULL,
    at      TEXT    NOT NULL
);

CREATE INDEX failed_logins_by_chat ON failed_logins (channel, chat_id, at);

CREATE TABLE periods (
    key       TEXT NOT NULL PRIMARY KEY CHECK (length(key) = 7 AND substr(key, 5, 1) = '-'),
    opened_at TEXT,
    locked_at TEXT
);

CREATE TABLE obligations (
    period_key   TEXT NOT NULL REFERENCES periods (key),
    form_code    TEXT NOT NULL,
    unit_code    TEXT NOT NULL REFERENCES units (code),
    state        TEXT NOT NULL DEFAULT 'not_started' CHECK (state IN (
                     'not_started', 'in_progress', 'submitted', 'submitted_late',
                     'reopened', 'locked')),
    started_at   TEXT,
    submitted_at TEXT,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (period_key, form_code, unit_code)
);

CREATE INDEX obligations_by_unit ON obligations (unit_code);

CREATE TABLE answers (
    period_key  TEXT NOT NULL,
    form_code   TEXT NOT NULL,
    unit_code   TEXT NOT NULL,
    field_key   TEXT NOT NULL,
    value       TEXT,  -- canonical text; NULL when the unit cleared the answer
    explanation TEXT,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    PRIMARY KEY (period_key, form_code, unit_code, field_key),
    FOREIGN KEY (period_key, form_code, unit_code)
        REFERENCES obligations (period_key, form_code, unit_code)
);

-- The full history of answers: append-only (enforced by the triggers below).
CREATE TABLE revisions (
    id             INTEGER NOT NULL PRIMARY KEY,
    period_key     TEXT    NOT NULL,
    form_code      TEXT    NOT NULL,
    unit_code      TEXT    NOT NULL,
    field_key      TEXT    NOT NULL,
    old_value      TEXT,
    new_value      TEXT,
    changed_at     TEXT    NOT NULL,
    changed_by     TEXT    NOT NULL,
    source_message TEXT,
    explanation    TEXT,
    FOREIGN KEY (period_key, form_code, unit_code)
        REFERENCES obligations (period_key, form_code, unit_code)
);

CREATE INDEX revisions_by_answer ON revisions (period_key, form_code, unit_code, field_key, id);

CREATE TRIGGER revisions_no_update BEFORE UPDATE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'revisions are append-only');
END;

CREATE TRIGGER revisions_no_delete BEFORE DELETE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'revisions are append-only');
END;

-- Updates from the chat platforms, stored before the platform is told they arrived.
CREATE TABLE inbox (
    id          INTEGER NOT NULL PRIMARY KEY,
    channel     TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    payload     TEXT    NOT NULL,  -- JSON object
    received_at TEXT    NOT NULL,
    handled_at  TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    error       TEXT,
    UNIQUE (channel, external_id)
);

CREATE INDEX inbox_unhandled ON inbox (id) WHERE handled_at IS NULL;

-- Messages to send; written in the same transaction as the state change they announce.
CREATE TABLE outbox (
    id              INTEGER NOT NULL PRIMARY KEY,
    channel         TEXT    NOT NULL,
    chat_id         TEXT    NOT NULL,
    payload         TEXT    NOT NULL,  -- JSON object
    priority        INTEGER NOT NULL DEFAULT 0 CHECK (priority >= 0),  -- 0 reply, 10 bulk
    dedup_key       TEXT    UNIQUE,
    created_at      TEXT    NOT NULL,
    not_before      TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    sent_at         TEXT,
    failed_at       TEXT,
    last_error      TEXT,
    -- The send timed out: it may or may not have arrived, so it is not retried blindly.
    unknown_outcome INTEGER NOT NULL DEFAULT 0 CHECK (unknown_outcome IN (0, 1))
);

CREATE INDEX outbox_queue ON outbox (priority, id)
    WHERE sent_at IS NULL AND failed_at IS NULL AND unknown_outcome = 0;

CREATE TABLE conversations (
    channel    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    state      TEXT NOT NULL,  -- JSON object
    updated_at TEXT NOT NULL,
    PRIMARY KEY (channel, user_id)
);

-- Scheduler steps already carried out, so a restart never repeats one.
CREATE TABLE schedule_steps (
    period_key TEXT NOT NULL,
    unit_code  TEXT NOT NULL DEFAULT '',  -- '' for office-wide steps
    step_key   TEXT NOT NULL,
    done_at    TEXT NOT NULL,
    PRIMARY KEY (period_key, unit_code, step_key)
);

CREATE TABLE drafts (
    id         INTEGER NOT NULL PRIMARY KEY,
    period_key TEXT    NOT NULL REFERENCES periods (key),
    version    INTEGER NOT NULL CHECK (version >= 1),
    created_at TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    stale      INTEGER NOT NULL DEFAULT 0 CHECK (stale IN (0, 1)),
    file_name  TEXT    NOT NULL,
    content    BLOB    NOT NULL,
    UNIQUE (period_key, version)
);
