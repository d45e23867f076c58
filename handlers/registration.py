"""Joining as a unit's focal point with an invite code, and the office managing who is in."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from domain.calendar import current_period, deadline_at, period_containing, period_window
from handlers.context import HandlerContext
from handlers.events import Choice, Incoming, Reply
from handlers.office_buttons import RemoveFocalPoint
from storage import WriteTransaction
from templates.catalog import text

FAILED_LOGIN_WINDOW = timedelta(hours=1)
# Telegram deep-link payloads: at most 64 characters of A-Za-z0-9_-.
_CODE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def new_invite_code() -> str:
    """A random, unguessable code that fits a Telegram deep link (22 characters)."""
    return secrets.token_urlsafe(16)


def deep_link(bot_username: str, code: str) -> str:
    """The t.me link that opens the bot with the invite code."""
    return f"https://t.me/{bot_username}?start={code}"


async def create_invite(tx: WriteTransaction, unit_code: str, now: datetime, days: int) -> str:
    """Store a new single-use invite for a unit and return its code."""
    code = new_invite_code()
    await tx.invites.create(code, unit_code, now, now + timedelta(days=days))
    return code


async def start_with_code(ctx: HandlerContext, event: Incoming) -> list[Reply]:
    """/start CODE: register the sender as a focal point of the invite's unit."""
    sender = event.sender
    chat_id = sender.chat_id
    tx = ctx.tx
    since = ctx.now - FAILED_LOGIN_WINDOW
    failures = await tx.failed_logins.count_since(sender.channel, chat_id, since)
    if failures >= ctx.office.max_failed_logins:
        return [Reply(chat_id=chat_id, text=text("chat.invite_refused_for_now"))]
    code = event.argument.strip()
    outcome = "unknown"
    unit_code = None
    if _CODE_SHAPE.match(code):
        redemption = await tx.invites.consume(code, sender.person_key, ctx.now)
        outcome, unit_code = redemption.outcome.value, redemption.unit_code
    if unit_code is None:
        await tx.failed_logins.record(sender.channel, chat_id, ctx.now)
        left = ctx.office.max_failed_logins - failures - 1
        return [Reply(chat_id=chat_id, text=text(f"chat.invite_{outcome}", tries_left=left))]
    await tx.focal_points.add(
        unit_code, sender.channel, sender.user_id, chat_id, sender.display_name, ctx.now
    )
    return [Reply(chat_id=chat_id, text=greeting(ctx, unit_code))]


def greeting(ctx: HandlerContext, unit_code: str) -> str:
    """Welcome a new focal point: which unit, what the bot will ask, and when."""
    unit = ctx.catalog.units[unit_code]
    period = current_period(ctx.now, ctx.catalog.regime)
    forms = [ctx.catalog.forms[code] for code in unit.forms if code in ctx.catalog.forms]
    first, last = period_window(period, ctx.catalog.regime)
    # A unit set up ahead of its start (a merger taking effect next month) owes nothing yet:
    # "Gõ /baocao" would only meet "nothing to send".
    starts = unit.effective_from
    first_period = None
    if starts is not None and starts > last:
        first_period = period_containing(starts, ctx.catalog.regime).label
    return text(
        "chat.welcome",
        owes_now=unit.in_force(last),
        starts=starts,
        first_period=first_period,
        unit=unit.name,
        office=ctx.office.name,
        forms=[{"title": f.title, "count": len(f.fields)} for f in forms],
        period=period.label,
        deadline=deadline_at(period, ctx.catalog.regime),
        window_start_day=ctx.catalog.regime.window_start_day,
        first=first,
        last=last,
        zone=ctx.catalog.zone,
    )


def unknown_unit_reply(ctx: HandlerContext, event: Incoming, typed: str) -> Reply:
    """A unit code that is missing or not in the list: say so, with this command's example."""
    example = next(iter(ctx.catalog.units), "BDT")
    reply = text("chat.unknown_unit", code=typed.strip(), command=event.command, example=example)
    return Reply(chat_id=event.sender.chat_id, text=reply)


async def invite_in_chat(ctx: HandlerContext, event: Incoming) -> list[Reply]:
    """/moi UNIT_CODE (office): a fresh invite link for a unit."""
    chat_id = event.sender.chat_id
    unit_code = event.argument.strip().upper()
    if unit_code not in ctx.catalog.units:
        return [unknown_unit_reply(ctx, event, event.argument)]
    code = await create_invite(ctx.tx, unit_code, ctx.now, ctx.office.invite_days)
    unit = ctx.catalog.units[unit_code]
    # No Telegram username (a Zalo-only bot, the console): no link, the code to send instead.
    link = deep_link(ctx.office.bot_username, code) if ctx.office.bot_username else ""
    expires = ctx.now + timedelta(days=ctx.office.invite_days)
    reply = text(
        "chat.invite_created",
        unit=unit.name,
        link=link,
        code=code,
        expires=expires,
        zone=ctx.catalog.zone,
    )
    return [Reply(chat_id=chat_id, text=reply)]


async def list_focal_points(ctx: HandlerContext, event: Incoming) -> list[Reply]:
    """/daumoi UNIT_CODE (office): who answers for a unit, with a button to remove each."""
    chat_id = event.sender.chat_id
    unit_code = event.argument.strip().upper()
    if unit_code not in ctx.catalog.units:
        return [unknown_unit_reply(ctx, event, event.argument)]
    people = await ctx.tx.focal_points.list_for_unit(unit_code)
    unit = ctx.catalog.units[unit_code]
    body = text("chat.focal_points", unit=unit.name, code=unit_code, people=people)
    choices = tuple(
        (Choice(text("chat.button_remove", name=p.display_name or p.user_id), _remove(p.id)),)
        for p in people
    )
    return [Reply(chat_id=chat_id, text=body, choices=choices)]


def _remove(focal_point_id: int) -> str:
    return RemoveFocalPoint(focal_point_id).pack()


async def remove_focal_point(
    ctx: HandlerContext, event: Incoming, pressed: RemoveFocalPoint
) -> list[Reply]:
    """Office pressed "remove" on a focal point (a forged id is simply not found)."""
    chat_id = event.sender.chat_id
    removed = await ctx.tx.focal_points.remove(pressed.focal_point_id, ctx.now)
    key = "chat.focal_point_removed" if removed else "chat.focal_point_not_found"
    return [Reply(chat_id=chat_id, text=text(key))]


def stranger_reply(event: Incoming) -> Reply:
    """What someone who is not (or no longer) a focal point is told: how to join, per channel.

    At most once a minute per chat, and behind the replies to people answering: hundreds of
    strangers saying hello must not hold up a registered person's reply.
    """
    sender = event.sender
    return Reply(
        chat_id=sender.chat_id,
        text=text("chat.stranger", channel=sender.channel),
        bulk=True,
        once_a_minute=f"stranger:{sender.channel}:{sender.chat_id}",
    )
