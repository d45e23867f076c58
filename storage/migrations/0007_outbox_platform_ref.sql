-- The id the platform gave a sent message (Telegram's message_id): a person's reply to a
-- question message names that id, and the bot finds the question it asked by it.
ALTER TABLE outbox ADD COLUMN platform_ref TEXT;
CREATE INDEX outbox_by_platform_ref ON outbox (chat_id, platform_ref)
    WHERE platform_ref IS NOT NULL;
