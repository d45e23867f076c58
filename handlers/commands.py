"""The chat commands, listed once: name, who may use it, its menu and help texts, its handler.

The router dispatches through COMMANDS, and Telegram's menus (one for everyone, one for the
office's chats) and the help texts are drawn from it: a command cannot be reachable without
being listed, nor listed to people it refuses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from handlers import (
    form_file,
    jobs,
    office,
    registration,
    starting,
    ticket_assign,
    tickets,
    web_link,
)
from handlers.context import HandlerContext
from handlers.conversation import ConversationState
from handlers.events import Incoming, Reply
from templates.catalog import text


class Audience(StrEnum):
    """Who may use a command."""

    ANYONE = "anyone"  # strangers too: /start is how one joins
    FOCAL_POINT = "focal_point"  # answers for at least one unit
    OFFICE = "office"  # office staff (config.toml's admins)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent an event: office staff or not, and the units they answer for."""

    is_office: bool
    units: tuple[str, ...]

    def may_use(self, audience: Audience) -> bool:
        """Whether this caller is among the audience."""
        if audience is Audience.OFFICE:
            return self.is_office
        if audience is Audience.FOCAL_POINT:
            return bool(self.units)
        return True


async def caller_of(event: Incoming, ctx: HandlerContext) -> Caller:
    """Who the sender is: office staff or not, the units they answer for."""
    sender = event.sender
    is_office = ctx.is_office(sender.channel, sender.user_id)
    units = list(ctx.acting_for) or await ctx.tx.focal_points.units_of(
        sender.channel, sender.user_id
    )
    if units:
        # Whoever writes to the bot can be reached again (they had blocked it before).
        await ctx.tx.focal_points.mark_reachable(sender.channel, sender.chat_id)
    return Caller(is_office, tuple(units))


Handler = Callable[[HandlerContext, Incoming, ConversationState, Caller], Awaitable[list[Reply]]]
_OfficeHandler = Callable[[HandlerContext, Incoming], Awaitable[list[Reply]]]
_FocalHandler = Callable[
    [HandlerContext, Incoming, ConversationState, list[str]], Awaitable[list[Reply]]
]


@dataclass(frozen=True, slots=True)
class Command:
    """One chat command: /name, its audience, the text keys describing it, what answers it."""

    name: str
    audience: Audience
    menu: str  # text key of its line in Telegram's menu
    help: str | None  # text key of its line in the help; None: not listed (/start)
    handler: Handler


def _office(handler: _OfficeHandler) -> Handler:
    async def run(
        ctx: HandlerContext, event: Incoming, state: ConversationState, caller: Caller
    ) -> list[Reply]:
        return await handler(ctx, event)

    return run


def _focal(handler: _FocalHandler) -> Handler:
    async def run(
        ctx: HandlerContext, event: Incoming, state: ConversationState, caller: Caller
    ) -> list[Reply]:
        return await handler(ctx, event, state, list(caller.units))

    return run


async def _start(
    ctx: HandlerContext, event: Incoming, state: ConversationState, caller: Caller
) -> list[Reply]:
    """/start CODE joins a unit; a bare /start greets the focal point of one unit, else helps."""
    if event.argument:
        return await registration.start_with_code(ctx, event)
    if len(caller.units) == 1:
        greeting = registration.greeting(ctx, caller.units[0])
        return [Reply(chat_id=event.sender.chat_id, text=greeting)]
    return [help_reply(event, caller)]


async def _whoami(
    ctx: HandlerContext, event: Incoming, state: ConversationState, caller: Caller
) -> list[Reply]:
    """/toi: anyone's own id on their channel, for an admin to put in the config."""
    sender = event.sender
    reply = text("chat.whoami", channel=sender.channel, user_id=sender.user_id)
    return [Reply(chat_id=sender.chat_id, text=reply)]


def _command(name: str, audience: Audience, handler: Handler, *, listed: bool = True) -> Command:
    return Command(
        name, audience, f"chat.menu_{name}", f"chat.help_{name}" if listed else None, handler
    )


_FOCAL, _OFFICE = Audience.FOCAL_POINT, Audience.OFFICE
COMMANDS: tuple[Command, ...] = (
    _command("baocao", _FOCAL, _focal(starting.report)),
    _command("sua", _FOCAL, _focal(starting.edit)),
    _command("mau", _FOCAL, _focal(form_file.ask_sheet)),
    _command("phananh", _FOCAL, _focal(tickets.start)),
    _command("trangthai", _OFFICE, _office(office.status)),
    _command("nhacnho", _OFFICE, _office(office.remind_ask)),
    _command("mo", _OFFICE, _office(office.open_now)),
    _command("khoa", _OFFICE, _office(office.lock_ask)),
    _command("mokhoa", _OFFICE, _office(office.unlock_unit)),
    _command("moi", _OFFICE, _office(registration.invite_in_chat)),
    _command("daumoi", _OFFICE, _office(registration.list_focal_points)),
    _command("giao", _OFFICE, _office(ticket_assign.assign_command)),
    _command("tonghop", _OFFICE, _office(jobs.compile_report)),
    _command("xuat", _OFFICE, _office(jobs.export_workbook)),
    _command("web", _OFFICE, _office(web_link.web_command)),
    # Not in the help: whoever reads it has started already.
    _command("start", Audience.ANYONE, _start, listed=False),
    _command("toi", Audience.ANYONE, _whoami, listed=False),
)
BY_NAME = {command.name: command for command in COMMANDS}


async def dispatch(
    ctx: HandlerContext, event: Incoming, state: ConversationState, caller: Caller
) -> list[Reply]:
    """Answer a /command: its handler if the caller may use it, else the caller's help."""
    command = BY_NAME.get(event.command)
    if command is None or not caller.may_use(command.audience):
        return [help_reply(event, caller)]
    return await command.handler(ctx, event, state, caller)


def help_reply(event: Incoming, caller: Caller) -> Reply:
    """What the caller may do: a focal point's commands, the office's, or how to join."""
    if caller.units:
        return Reply(chat_id=event.sender.chat_id, text=help_text(Audience.FOCAL_POINT))
    if caller.is_office:
        return Reply(chat_id=event.sender.chat_id, text=help_text(Audience.OFFICE))
    return registration.stranger_reply(event)


def help_text(audience: Audience) -> str:
    """The help of an audience, one line per command it may use that is listed."""
    lines = [text(c.help) for c in COMMANDS if c.audience is audience and c.help is not None]
    key = "chat.office_help" if audience is Audience.OFFICE else "chat.help"
    return text(key, commands=lines)


def menu(*, office: bool) -> list[tuple[str, str]]:
    """Telegram's menu, (name, description) in the table's order: everyone's (all but the
    office's commands), or the office's (every command: staff may also answer for a unit)."""
    return [(c.name, text(c.menu)) for c in COMMANDS if office or c.audience is not _OFFICE]
