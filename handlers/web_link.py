"""One-time login links to the office's web dashboard, for `/web` in chat and `baocao
web-link`: signed with the dashboard's secret (kept in the database, made on first use)."""

from __future__ import annotations

import secrets
from datetime import datetime

from domain.web_login import LINK_VALID, LOGIN_PATH, sign
from handlers.context import HandlerContext
from handlers.events import Incoming, Reply
from handlers.jobs import remember_name
from storage import WriteTransaction
from templates.catalog import text


async def login_link(
    tx: WriteTransaction, admin_id: str, base_url: str, now: datetime
) -> tuple[str, datetime]:
    """A link that signs `admin_id` ("channel:user_id") in once, and when it expires."""
    secret = await tx.web.keep_secret(secrets.token_hex(32), now)
    expires = now + LINK_VALID
    link = sign(secret, admin_id, int(expires.timestamp()), secrets.token_hex(16))
    return f"{base_url.rstrip('/')}{LOGIN_PATH}?{link.query()}", expires


def admin_key(given: str) -> str:
    """An admin's id as the office lists them: "telegram:123" or "zalo:abc"; a bare number
    is a Telegram id."""
    return given if ":" in given else f"telegram:{given}"


async def web_command(ctx: HandlerContext, event: Incoming) -> list[Reply]:
    """/web: a one-time login link to the dashboard, in the admin's private chat only (a
    group's members must not see it)."""
    sender = event.sender
    if not sender.private:
        return [Reply(chat_id=sender.chat_id, text=text("chat.web_private_only"))]
    if not ctx.office.web_url:
        return [Reply(chat_id=sender.chat_id, text=text("chat.web_no_address"))]
    admin = f"{sender.channel}:{sender.user_id}"
    link, expires = await login_link(ctx.tx, admin, ctx.office.web_url, ctx.now)
    await remember_name(ctx, event)  # the dashboard's drafts page names who asked
    body = text("chat.web_link", address=link, expires=expires, zone=ctx.catalog.zone)
    return [Reply(chat_id=sender.chat_id, text=body)]
