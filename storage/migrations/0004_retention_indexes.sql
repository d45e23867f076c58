-- The daily purge of old traffic records (bot/housekeeping.py) finds the settled rows by
-- these indexes: without them each batch would read the whole table, payloads included,
-- while holding the write lock.
CREATE INDEX inbox_handled_at ON inbox (handled_at) WHERE handled_at IS NOT NULL;
CREATE INDEX outbox_settled_at ON outbox (COALESCE(sent_at, failed_at));
