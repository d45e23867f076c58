"""A full disk for the bot's database: SQLite's page cap on the writer, and space freed again.

The disk is "filled" with `PRAGMA max_page_count` on the bot's writer connection, capped at
the file's current size; `fill_database` also packs the inbox table's last pages with handled
filler rows, so that no update fits anywhere. Raising the cap frees the space again.
"""

from __future__ import annotations

from storage import Database

# What people and the office are told while nothing can be stored.
USER_NOTICE = "chưa lưu được tin nhắn"
OFFICE_NOTICE = "hết chỗ lưu trữ"


async def cap_at_current_size(db: Database) -> None:
    """Cap the database file at its current size: what needs a new page fails as disk full."""
    # The writer connection is private: the cap is a per-connection setting and only the
    # writer writes. Taking the write lock keeps the bot's transactions out meanwhile.
    writer = db._writer
    async with db.write():
        pages = next(iter(await writer.execute_fetchall("PRAGMA page_count")))[0]
        await writer.execute(f"PRAGMA max_page_count = {pages}")


async def fill_database(db: Database) -> None:
    """Cap the file at its size and pack the inbox's free space, so no update fits."""
    await cap_at_current_size(db)
    writer = db._writer
    serial = 0
    for size in (60000, 4000, 1000, 200, 40, 1):
        while True:
            serial += 1
            try:
                async with db.write():
                    await writer.execute(
                        "INSERT INTO inbox (channel, external_id, payload, received_at, "
                        "handled_at) VALUES ('filler', ?, ?, 'x', 'x')",
                        (str(serial), "x" * size),
                    )
            except Exception as error:
                assert "full" in str(error)
                break


async def free_space(db: Database) -> None:
    """Space returns (an administrator deleted old files)."""
    async with db.write():
        await db._writer.execute("PRAGMA max_page_count = 1073741823")
