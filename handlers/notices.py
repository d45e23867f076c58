"""Short notices instead of a conversation: group chats and messages the bot cannot read.

Focal points work with the bot in private chats only: a group's members must not see a
unit's figures, and an invite code typed in a group would register the group. Photos,
stickers and voice messages are answered with what the bot can read. Each person gets at
most one such notice a minute, so a busy group or a burst of stickers gets one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from handlers.context import HandlerContext
from handlers.conversation import ConversationState
from handlers.events import EventKind, Incoming, Reply
from storage import FocalPoint
from templates.catalog import text

NOTICE_GAP = timedelta(minutes=1)


def in_group(event: Incoming, ctx: HandlerContext, state: ConversationState) -> list[Reply] | None:
    """The answer to an event from a group chat, or None where it is handled as usual: in the
    office's configured chat, for office staff."""
    sender = event.sender
    if sender.private:
        return None
    if event.kind is EventKind.COMMAND and event.command == "start" and event.argument:
        # Refused before the code is looked at: it stays valid for the private chat.
        return [Reply(chat_id=sender.chat_id, text=text("chat.start_in_group"))]
    office_chat = sender.chat_id == ctx.office.drafts_chat
    if office_chat and ctx.is_office(sender.channel, sender.user_id):
        return None
    return throttled(event, ctx, state, text("chat.write_privately"))


def unreadable(event: Incoming, ctx: HandlerContext, state: ConversationState) -> list[Reply]:
    """One line saying what the bot reads, for a photo, sticker, voice or other message."""
    return throttled(event, ctx, state, text("chat.unreadable", kind=event.text))


def throttled(
    event: Incoming, ctx: HandlerContext, state: ConversationState, notice: str
) -> list[Reply]:
    """`notice` to the sender, unless they had a notice less than a minute ago."""
    if state.notice_at:
        try:
            if ctx.now - datetime.fromisoformat(state.notice_at) < NOTICE_GAP:
                return []
        except (ValueError, TypeError):
            pass  # an unreadable stored time: send the notice and store a good one
    state.notice_at = ctx.now.isoformat()
    return [Reply(chat_id=event.sender.chat_id, text=notice)]


def in_private(people: Sequence[FocalPoint], ctx: HandlerContext) -> list[FocalPoint]:
    """The focal points reachable in their private chat, whose id is the person's own on
    Telegram and Zalo alike: a group registered before groups were refused gets nothing
    of its unit (the office's configured chat excepted)."""
    return [p for p in people if p.chat_id in (p.user_id, ctx.office.drafts_chat)]


async def reachable_in_private(ctx: HandlerContext, unit_code: str) -> list[FocalPoint]:
    """A unit's focal points that can be reached, each in their private chat."""
    listed = await ctx.tx.focal_points.list_for_unit(unit_code)
    return [p for p in in_private(listed, ctx) if p.unreachable_at is None]
