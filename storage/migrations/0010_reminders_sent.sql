-- The last reminder each unit was sent for a period, and how many it was sent: by the
-- timetable, /nhacnho, `baocao remind` or the dashboard. The outbox forgets its messages
-- after a while and does not say which of them were reminders; the office's overview shows
-- this.

CREATE TABLE reminders_sent (
    period_key TEXT    NOT NULL,
    unit_code  TEXT    NOT NULL,
    last_at    TEXT    NOT NULL,
    times      INTEGER NOT NULL DEFAULT 1 CHECK (times >= 1),
    PRIMARY KEY (period_key, unit_code)
);
