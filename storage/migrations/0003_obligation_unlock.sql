-- The office may reopen one unit's obligations in a locked period for a late correction
-- (/mokhoa): the period stays locked for everyone else.
ALTER TABLE obligations ADD COLUMN unlocked_at TEXT;
