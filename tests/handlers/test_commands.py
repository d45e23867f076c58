"""The command table (handlers/commands.py) is the one source of the menus, the help texts
and the dispatch: a command in the table is in its audience's menu and help, and the router
hands it only to its audience."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from handlers import commands
from handlers.commands import COMMANDS, Audience, Caller, Command, help_text, menu
from handlers.context import HandlerContext
from handlers.conversation import ConversationState
from handlers.events import Incoming, Reply
from templates.catalog import text
from tests.support.harness import OFFICE_USER
from tests.support.world import World

FOCAL, STRANGER, BOTH = 1001, 5000, OFFICE_USER  # BOTH: office staff answering for a unit too
OFFICE_ONLY = 4242  # added to the office's admins below
# Telegram's rules for setMyCommands.
NAME = re.compile(r"[a-z0-9_]{1,32}")
DESCRIPTION_MAX = 256
COMMANDS_MAX = 100


def test_every_command_is_in_the_menus_of_its_audience_and_no_other() -> None:
    everyone = [name for name, _ in menu(office=False)]
    office = [name for name, _ in menu(office=True)]
    assert office == [c.name for c in COMMANDS]  # staff may also answer for a unit
    assert everyone == [c.name for c in COMMANDS if c.audience is not Audience.OFFICE]
    assert set(everyone) >= {"baocao", "start"} and "khoa" not in everyone


def test_every_menu_entry_is_one_telegram_takes() -> None:
    for office in (False, True):
        entries = menu(office=office)
        assert len(entries) <= COMMANDS_MAX
        assert len({name for name, _ in entries}) == len(entries)
        for name, description in entries:
            assert NAME.fullmatch(name), name
            assert 1 <= len(description) <= DESCRIPTION_MAX, name


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_listed_command_has_its_line_in_its_audience_help_only(command: Command) -> None:
    if command.help is None:
        # Only /start goes unlisted: whoever reads a help has started already.
        assert command.audience is Audience.ANYONE
        return
    line = text(command.help)
    assert line.startswith(f"/{command.name} "), line
    helps = {audience: help_text(audience) for audience in (Audience.FOCAL_POINT, Audience.OFFICE)}
    for audience, shown in helps.items():
        assert (line in shown.splitlines()) == (audience is command.audience), audience


def test_the_helps_list_their_commands_in_the_table_order() -> None:
    for audience in (Audience.FOCAL_POINT, Audience.OFFICE):
        named = re.findall(r"^/(\w+)", help_text(audience), flags=re.MULTILINE)
        assert named == [c.name for c in COMMANDS if c.audience is audience and c.help]


@pytest.mark.parametrize(
    ("caller", "allowed"),
    [
        (Caller(is_office=False, units=()), {Audience.ANYONE}),
        (Caller(is_office=False, units=("SYT",)), {Audience.ANYONE, Audience.FOCAL_POINT}),
        (Caller(is_office=True, units=()), {Audience.ANYONE, Audience.OFFICE}),
        (Caller(is_office=True, units=("SYT",)), set(Audience)),
    ],
)
def test_a_caller_may_use_exactly_its_audiences(caller: Caller, allowed: set[Audience]) -> None:
    assert {a for a in Audience if caller.may_use(a)} == allowed


def _spy_on_commands(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every command's handler replaced by one that notes its name; the names noted."""
    names: list[str] = []

    def spy(command: Command) -> Command:
        async def run(
            ctx: HandlerContext, event: Incoming, state: ConversationState, caller: Caller
        ) -> list[Reply]:
            names.append(command.name)
            return [Reply(chat_id=event.sender.chat_id, text=f"ran /{command.name}")]

        return Command(command.name, command.audience, command.menu, command.help, run)

    monkeypatch.setattr(commands, "BY_NAME", {c.name: spy(c) for c in COMMANDS})
    return names


async def test_the_router_hands_each_command_to_its_audience_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await World.open(tmp_path)
    world.office = replace(world.office, admins=world.office.admins | {f"telegram:{OFFICE_ONLY}"})
    people = {
        STRANGER: Caller(is_office=False, units=()),
        FOCAL: Caller(is_office=False, units=("SYT",)),
        OFFICE_ONLY: Caller(is_office=True, units=()),
        BOTH: Caller(is_office=True, units=("BDT",)),
    }
    try:
        await world.register(FOCAL, "SYT")
        await world.register(BOTH, "BDT")
        called = _spy_on_commands(monkeypatch)
        for person, caller in people.items():
            for command in COMMANDS:
                called.clear()
                replies = await world.command(person, command.name)
                ran = called == [command.name]
                assert ran == caller.may_use(command.audience), (person, command.name)
                if not ran:
                    # The refusal is the caller's help (or how to join), never the command.
                    assert replies[0].text == _help_of(caller), (person, command.name)
    finally:
        await world.close()


def _help_of(caller: Caller) -> str:
    if caller.units:
        return help_text(Audience.FOCAL_POINT)
    if caller.is_office:
        return help_text(Audience.OFFICE)
    return text("chat.stranger")


async def test_an_unknown_command_gets_the_callers_help(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(FOCAL, "SYT")
        called = _spy_on_commands(monkeypatch)
        focal = await world.command(FOCAL, "khongco")
        office = await world.command(OFFICE_USER, "khongco")
        stranger = await world.command(STRANGER, "khongco")
    finally:
        await world.close()
    assert called == []
    assert focal[0].text == help_text(Audience.FOCAL_POINT)
    assert office[0].text == help_text(Audience.OFFICE)
    assert stranger[0].text == text("chat.stranger")
