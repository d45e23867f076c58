"""`baocao invite`, `baocao status`, `baocao remind`: the office's dealings with its units
from the command line (invites on each channel, progress, reminders), on the bot's database."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import segno
from telegram.error import InvalidToken, NetworkError

from bot.channels.zalo import ZaloApiError
from bot.cli.main import command
from bot.cli.options import add_config, checked_workspace
from bot.runtime.build import (
    MissingTokenError,
    catalog_of,
    telegram_from_settings,
    zalo_from_settings,
)
from bot.runtime.outbox import queue_replies
from bot.workspace.load import Workspace
from domain.calendar import current_period
from domain.periods import Period, parse_period
from handlers.context import Catalog, HandlerContext, Office
from handlers.office import (
    PeriodProgress,
    UnitProgress,
    changed_after_sending,
    progress,
    units_to_remind,
)
from handlers.registration import create_invite, deep_link
from handlers.schedule import remind_laggards_now
from storage import Database
from templates.catalog import text

# ---------------------------------------------------------------- invite

INVITES_FOLDER = "invites"


def _invite_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    parser.add_argument("units", nargs="*", metavar="UNIT_CODE", help=text("cli.args.invite_units"))
    parser.add_argument("--all", action="store_true", help=text("cli.args.invite_all"))
    parser.add_argument("--json", action="store_true", help=text("cli.args.json"))
    parser.add_argument("--out", metavar="DIR", help=text("cli.args.invite_out"))
    parser.add_argument("--bot-username", metavar="NAME", help=text("cli.args.invite_bot"))
    parser.add_argument("--zalo-bot", metavar="NAME", help=text("cli.args.invite_zalo_bot"))


@command("invite", help="cli.args.invite", arguments=_invite_arguments)
def invite(args: argparse.Namespace) -> int:
    """Make a single-use invite per unit and say how to use it on each channel the office
    is on: a Telegram link and its QR code as a PNG, the Zalo message to send."""
    workspace = checked_workspace(args)
    if workspace is None:
        return 1
    known = {u.code: u for u in workspace.units}
    codes = list(known) if args.all else [c.upper() for c in args.units]
    unknown = [c for c in codes if c not in known]
    if not codes or unknown:
        print(text("cli.invite.which", unknown=unknown, known=list(known)), file=sys.stderr)
        return 2
    bots = _bot_names(workspace, args)
    if bots is None:
        return 1
    # Beside the config, not in whatever folder the command ran from: init's .gitignore
    # keeps this folder (links that let anyone register as a unit) out of version control.
    out = Path(args.out) if args.out else workspace.settings.source.parent / INVITES_FOLDER
    made = asyncio.run(_create_invites(workspace, codes, bots, out))
    if args.json:
        print(json.dumps(made, ensure_ascii=False, indent=2))
    else:
        print(text("cli.invite.done", invites=made, days=workspace.settings.invites.expire_days))
    return 0


def _bot_names(workspace: Workspace, args: argparse.Namespace) -> dict[str, str] | None:
    """The bot's name on each channel the office is on (given, else asked of the platform);
    None after saying what is missing."""
    settings = workspace.settings
    bots: dict[str, str] = {}
    if settings.telegram.enabled:
        tg = settings.telegram
        try:
            bots["telegram"] = args.bot_username or asyncio.run(_telegram_name(workspace))
        except MissingTokenError:
            _cannot_ask("no_username", "telegram", tg.token_env)
            return None
        except InvalidToken:  # 401/404 from getMe
            _cannot_ask("token_rejected", "telegram", tg.token_env)
            return None
        except NetworkError as error:  # refused, unresolved, timed out
            _cannot_ask("unreachable", "telegram", tg.token_env, tg.api_base_url, error)
            return None
    if settings.zalo.enabled:
        zl = settings.zalo
        try:
            bots["zalo"] = args.zalo_bot or asyncio.run(_zalo_name(workspace))
        except MissingTokenError:
            _cannot_ask("no_zalo_name", "zalo", zl.token_env)
            return None
        except ZaloApiError as error:
            _cannot_ask("token_rejected", "zalo", zl.token_env, status=error.error_code)
            return None
        except httpx.HTTPError as error:
            _cannot_ask("unreachable", "zalo", zl.token_env, zl.api_base_url, error)
            return None
    if not bots:
        print(text("cli.invite.no_channel"), file=sys.stderr)
        return None
    return bots


def _cannot_ask(
    key: str,
    channel: str,
    env: str,
    api: str = "",
    error: BaseException | None = None,
    status: int | None = None,
) -> None:
    """Say why the bot's name could not be learnt: no token, a refused one, no connection."""
    # The exception's text may hold the token (PTB puts it in InvalidToken): show its kind only.
    cause = error.__cause__ or error if error is not None else None
    reason = type(cause).__name__ if cause is not None else ""
    host = urlsplit(api).netloc
    values = {"env": env, "zalo": channel == "zalo", "host": host, "reason": reason}
    print(text(f"cli.invite.{key}", status=status, **values), file=sys.stderr)


async def _telegram_name(workspace: Workspace) -> str:
    channel = telegram_from_settings(workspace)
    await channel.start()
    try:
        return channel.username
    finally:
        await channel.stop()


async def _zalo_name(workspace: Workspace) -> str:
    channel = zalo_from_settings(workspace)
    try:
        await channel.start()
        return channel.bot_name
    finally:
        await channel.stop()


async def _create_invites(
    workspace: Workspace, codes: list[str], bots: dict[str, str], out: Path
) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    days = workspace.settings.invites.expire_days
    names = {u.code: u.name for u in workspace.units}
    made = []
    async with await Database.open(workspace.settings.storage.path) as db, db.write() as tx:
        await tx.units.sync_all(list(workspace.units))
        for unit_code in codes:
            code = await create_invite(tx, unit_code, now, days)
            item: dict[str, Any] = {
                "unit": unit_code,
                "name": names[unit_code],
                "code": code,
                "expires": (now + timedelta(days=days)).isoformat(),
            }
            if "telegram" in bots:
                qr = out / f"{unit_code}.png"
                item["telegram"] = _telegram_invite(bots["telegram"], code, qr)
            if "zalo" in bots:
                send = f"/start {code}"
                how = text("cli.invite.zalo_how", bot=bots["zalo"], send=send)
                item["zalo"] = {"bot": bots["zalo"], "send": send, "instructions": how}
            made.append(item)
    return made


def _telegram_invite(username: str, code: str, qr: Path) -> dict[str, str]:
    """The deep link of an invite, its QR code written to `qr`, and what to do with them."""
    link = deep_link(username, code)
    qr.parent.mkdir(parents=True, exist_ok=True)
    segno.make(link, error="m").save(str(qr), scale=8, border=4)
    how = text("cli.invite.telegram_how", link=link, qr=str(qr))
    return {"link": link, "qr": str(qr), "instructions": how}


# ---------------------------------------------------------------- status


def _status_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    parser.add_argument("--period", metavar="YYYY-MM", help=text("cli.args.status_period"))
    parser.add_argument("--json", action="store_true", help=text("cli.args.json"))


@command("status", help="cli.args.status", arguments=_status_arguments)
def status(args: argparse.Namespace) -> int:
    """Print how far the units are with a period."""
    workspace = checked_workspace(args)
    if workspace is None:
        return 1
    regime = workspace.settings.regime
    try:
        now = datetime.now(UTC)
        period = parse_period(args.period) if args.period else current_period(now, regime)
    except ValueError:
        print(text("cli.status.bad_period", typed=args.period), file=sys.stderr)
        return 2
    catalog = catalog_of(workspace)
    result = asyncio.run(_progress(workspace, catalog, period))
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return 0

    def names(units: list[UnitProgress]) -> list[str]:
        notes = (changed_after_sending(u, catalog.zone) for u in units)
        return [
            f"{u.name} {note}" if note else u.name for u, note in zip(units, notes, strict=True)
        ]

    print(
        text(
            "cli.status.report",
            period=period.label,
            done=result.done,
            total=result.total,
            submitted=names([u for u in result.submitted if not u.late]),
            late=names(result.late),
            in_progress=names(result.in_progress),
            not_started=names(result.not_started),
        )
    )
    return 0


async def _progress(workspace: Workspace, catalog: Catalog, period: Period) -> PeriodProgress:
    async with await Database.open(workspace.settings.storage.path) as db, db.read() as view:
        return await progress(view, catalog, period)


# ---------------------------------------------------------------- remind


def _remind_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    parser.add_argument("--dry-run", action="store_true", help=text("cli.args.remind_dry_run"))


@command("remind", help="cli.args.remind", arguments=_remind_arguments)
def remind(args: argparse.Namespace) -> int:
    """Queue a reminder to every unit that has not submitted (the running bot sends them)."""
    workspace = checked_workspace(args)
    if workspace is None:
        return 1
    period, queued, units, chased = asyncio.run(_remind(workspace, dry_run=args.dry_run))
    key = "cli.remind.dry_run" if args.dry_run else "cli.remind.done"
    print(text(key, period=period.label, messages=queued, units=units, tickets=chased))
    return 0


async def _remind(workspace: Workspace, dry_run: bool) -> tuple[Period, int, list[str], list[str]]:
    """What a reminder sends: the period, the messages queued, the names of the units owing
    figures and of those reminded about their overdue tickets alone."""
    now = datetime.now(UTC)
    catalog = catalog_of(workspace)
    period = current_period(now, catalog.regime)
    office = Office(name=workspace.settings.office.name, admins=frozenset())
    try:
        async with await Database.open(workspace.settings.storage.path) as db, db.write() as tx:
            await tx.units.sync_all(list(workspace.units))
            ctx = HandlerContext(office, catalog, now, tx)
            replies = await remind_laggards_now(ctx, period)
            laggards, chased = await units_to_remind(ctx, period)
            names = [u.name for u in laggards]
            chased_names = [u.name for u in chased]
            if dry_run:
                raise _DryRun(len(replies), names, chased_names)  # rolls the transaction back
            await queue_replies(tx, replies)
    except _DryRun as dry:
        return period, dry.count, dry.names, dry.chased
    return period, len(replies), names, chased_names


class _DryRun(Exception):
    """Rolls back the transaction of a dry run, carrying what would have been sent."""

    def __init__(self, count: int, names: list[str], chased: list[str]) -> None:
        super().__init__("dry run")
        self.count = count
        self.names = names
        self.chased = chased
