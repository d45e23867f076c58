-- A job (an outbox message to the "jobs" channel: a ticket import, the draft, the export)
-- records each run before it starts and clears the count when the run ends: a count left
-- over means runs were cut short (the process killed, out of memory), and past the limit
-- the job is quarantined instead of run again at every restart. A quarantined job is given
-- up on (failed_at) and marked, kept until someone retries or drops it.
ALTER TABLE outbox ADD COLUMN runs INTEGER NOT NULL DEFAULT 0 CHECK (runs >= 0);
ALTER TABLE outbox ADD COLUMN quarantined_at TEXT;
CREATE INDEX outbox_quarantined ON outbox (id) WHERE quarantined_at IS NOT NULL;
