"""Builds the running bot from the workspace and starts and stops its parts in order.

inbox <- channel pollers / webhook;  inbox worker -> handlers -> storage + outbox;
outbox -> delivery worker -> channels.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.channels import zalo
from bot.channels.base import Channel, queue_replies
from bot.channels.telegram import TelegramChannel, parse_update
from bot.runtime.clock import Clock, system_clock
from bot.runtime.delivery import DeliveryWorker
from bot.runtime.downloads import MIN_SECRET_LENGTH, Downloads
from bot.runtime.housekeeping import Purged, housekeeping
from bot.runtime.inbox import InboxWorker, Parser
from bot.runtime.jobs import JobsChannel
from bot.runtime.outage import StorageOutage
from bot.runtime.polling import poll_forever, store_updates
from bot.runtime.ratelimit import Limits, RateLimiter
from bot.runtime.timetable import Scheduler
from bot.runtime.webhook import TryLater, WebhookRoute, WebhookServer
from bot.workspace.load import Workspace
from bot.workspace.settings import Settings
from handlers.context import Catalog, HandlerContext, Office
from handlers.events import Reply
from handlers.router import handle
from storage import Database, DiskFullError, WriteTransaction
from templates.catalog import set_timezone, text

log = logging.getLogger(__name__)

# Commands shown in Telegram's menu (setMyCommands): name -> text key of the description.
MENU_COMMANDS = (
    "baocao",
    "sua",
    "phananh",
    "trangthai",
    "nhacnho",
    "mo",
    "khoa",
    "mokhoa",
    "moi",
    "daumoi",
    "giao",
    "start",
)


class MissingTokenError(RuntimeError):
    """The environment variable named in the config holds no token."""


class MissingSecretError(RuntimeError):
    """The environment variable named in the config holds no usable secret."""


@dataclass(slots=True)
class App:
    """The bot: storage, channels and workers, built from one workspace."""

    workspace: Workspace
    clock: Clock = system_clock
    telegram: TelegramChannel | None = None
    zalo: zalo.ZaloChannel | None = None
    limits: Limits | None = None
    db: Database | None = None
    webhook: WebhookServer | None = None
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    inbox: InboxWorker | None = None
    delivery: DeliveryWorker | None = None
    scheduler: Scheduler | None = None
    jobs: JobsChannel | None = None
    # Off in tests that drive the timetable by hand with a fake clock.
    run_scheduler: bool = True
    outage: StorageOutage | None = None

    @property
    def channels(self) -> Mapping[str, Channel]:
        """The channels this bot runs, and the pseudo-channel that runs jobs."""
        found: dict[str, Channel] = {}
        if self.telegram is not None:
            found["telegram"] = self.telegram
        if self.zalo is not None:
            found["zalo"] = self.zalo
        if self.jobs is not None:
            found["jobs"] = self.jobs
        return found

    def catalog(self) -> Catalog:
        """Units and forms by code, and the regime."""
        return catalog_of(self.workspace)

    def office(self) -> Office:
        """The office's settings as handlers need them."""
        settings = self.workspace.settings
        admins = {f"telegram:{a}" for a in settings.office.admins}
        admins |= {f"zalo:{a}" for a in settings.office.zalo_admins}
        return Office(
            name=settings.office.name,
            admins=frozenset(admins),
            drafts_chat=str(settings.office.drafts_chat or ""),
            invite_days=settings.invites.expire_days,
            max_failed_logins=settings.invites.max_failed_per_hour,
            bot_username=self.telegram.username if self.telegram else "",
        )

    async def start(self) -> None:
        """Open storage, sync the units, connect the channels and start the workers."""
        settings = self.workspace.settings
        set_timezone(settings.regime.timezone)
        if self.telegram is None and settings.telegram.enabled:
            self.telegram = telegram_from_settings(self.workspace)
        if self.zalo is None and settings.zalo.enabled:
            self.zalo = zalo_from_settings(self.workspace)
        if self.zalo is not None and self.zalo.downloads is None:
            self.zalo.downloads = downloads_from_settings(self.workspace, self.clock)
        self.db = await Database.open(settings.storage.path, clock=self.clock)
        async with self.db.write() as tx:
            await tx.units.sync_all(list(self.workspace.units))
        if self.telegram is not None:
            await self.telegram.start()
            await self.telegram.register_commands(
                [(name, text(f"chat.menu_{name}")) for name in MENU_COMMANDS]
            )
        if self.zalo is not None:
            await self.zalo.start()
        catalog, office = self.catalog(), self.office()

        def make_context(tx: WriteTransaction) -> HandlerContext:
            return HandlerContext(office=office, catalog=catalog, now=self.clock(), tx=tx)

        limiter = RateLimiter(self.limits or _limits(self.workspace))
        db = self.db
        self.jobs = JobsChannel(
            db, self.workspace, self.clock, lambda: self._wake_delivery(), self._fetch_file
        )
        self.delivery = DeliveryWorker(
            self.db, self.channels, limiter, self.clock, on_unreachable=self._unreachable
        )
        parsers: dict[str, Parser] = {"telegram": parse_update, "zalo": zalo.parse_update}
        self.outage = StorageOutage(
            lambda: self.channels, parsers, office_chats(settings), self.clock
        )
        self.inbox = InboxWorker(
            self.db,
            parsers,
            handle,
            make_context,
            self.clock,
            on_queued=self.delivery.offer,
            on_full=self.outage.full,
            on_writable=self.outage.cleared,
        )
        self._spawn(self.inbox.run(), "inbox")
        self._spawn(self.delivery.run(), "delivery")
        self.scheduler = Scheduler(
            self.db,
            make_context,
            settings.regime,
            self.clock,
            self.delivery.wake,
            daily=self.housekeeping,
        )
        await self.scheduler.tick()  # catch up on what fell due while the bot was down
        if self.run_scheduler:
            self.scheduler.start()
        await self._start_http_server()
        # In the background: a first run on a large old database takes a while.
        self._spawn(self.housekeeping(), "housekeeping")
        if self.telegram is not None and settings.telegram.mode != "webhook":
            await self.telegram.bot.delete_webhook()
            polling = poll_forever(self.telegram, self.inbox, outage=self.outage)
            self._spawn(polling, "polling")
        if self.zalo is not None and settings.zalo.mode != "webhook":
            # Zalo refuses getUpdates while a webhook is set.
            await self.zalo.delete_webhook()
            zalo_polling = zalo.poll_forever(
                self.db, self.zalo, self.inbox.wake, outage=self.outage
            )
            self._spawn(zalo_polling, "zalo-polling")
        log.info("baocao started: %d units, %d forms", len(catalog.units), len(catalog.forms))

    async def _start_http_server(self) -> None:
        """Serve, on one port, the webhook routes of the channels in webhook mode and the
        download links of files offered on Zalo; then register the webhooks."""
        assert self.db is not None and self.inbox is not None
        settings = self.workspace.settings
        tg, zl = settings.telegram, settings.zalo
        secret = os.environ.get(tg.webhook_secret_env, "")
        db, inbox = self.db, self.inbox

        outage = self.outage
        assert outage is not None

        async def accept(update: dict[str, Any]) -> None:
            try:
                await store_updates(db, "telegram", [update])
            except DiskFullError as error:
                await outage.full(error)
                await outage.refused("telegram", [update])
                raise TryLater(str(error)) from None
            outage.cleared()
            inbox.wake()

        async def accept_zalo(update: dict[str, Any]) -> None:
            try:
                stored = await zalo.store_update(db, update)
            except DiskFullError as error:
                await outage.full(error)
                await outage.refused(zalo.CHANNEL, [update])
                raise TryLater(str(error)) from None
            outage.cleared()
            if stored:
                inbox.wake()

        routes = []
        telegram_hook = self.telegram is not None and tg.mode == "webhook"
        zalo_hook = self.zalo is not None and zl.mode == "webhook"
        if telegram_hook:
            routes.append(
                WebhookRoute("/telegram", "X-Telegram-Bot-Api-Secret-Token", secret, accept)
            )
        zalo_secret = os.environ.get(zl.webhook_secret_env, "")
        if zalo_hook:
            if not zalo.SECRET_LENGTH[0] <= len(zalo_secret) <= zalo.SECRET_LENGTH[1]:
                raise MissingSecretError(zl.webhook_secret_env)
            routes.append(WebhookRoute("/zalo", zalo.SECRET_HEADER, zalo_secret, accept_zalo))
        downloads = self.zalo.downloads if self.zalo is not None else None
        if not routes and downloads is None:
            return
        self.webhook = WebhookServer(tg.webhook_listen, tg.webhook_port, routes, downloads)
        await self.webhook.start()
        if telegram_hook:
            assert self.telegram is not None
            await self.telegram.bot.set_webhook(
                tg.webhook_url, secret_token=secret, allowed_updates=["message", "callback_query"]
            )
        if zalo_hook:
            assert self.zalo is not None
            await self.zalo.set_webhook(zl.webhook_url, zalo_secret)

    async def housekeeping(self) -> Purged | None:
        """Delete the old traffic records (`bot.runtime.housekeeping`); at start and once a day."""
        if self.db is None:
            return None
        keep_days = self.workspace.settings.storage.keep_days
        return await housekeeping(self.db, keep_days, self.clock)

    async def _fetch_file(self, channel: str, file_ref: str) -> bytes:
        """A file a person sent on `channel` (only Telegram delivers files to bots)."""
        if channel != "telegram" or self.telegram is None:
            raise LookupError(f"cannot fetch files from {channel!r}")
        return await self.telegram.download(file_ref)

    def _wake_delivery(self) -> None:
        if self.delivery is not None:
            self.delivery.wake()

    async def _unreachable(self, channel: str, chat_id: str) -> None:
        """A chat blocked the bot: mark its focal points unreachable and tell the office once."""
        assert self.db is not None
        office = self.office()
        async with self.db.write() as tx:
            people = await tx.focal_points.by_chat(channel, chat_id)
            newly = await tx.focal_points.mark_unreachable(channel, chat_id, self.clock())
            if newly and office.drafts_chat:
                units = self.catalog().units
                body = text(
                    "chat.office_unreachable",
                    names=sorted({p.display_name or p.user_id for p in people}),
                    units=sorted({units[p.unit_code].name for p in people if p.unit_code in units}),
                )
                await queue_replies(tx, [Reply(chat_id=office.drafts_chat, text=body)])
        if self.delivery is not None:
            self.delivery.wake()

    def _spawn(self, work: Any, name: str) -> None:
        task = asyncio.create_task(work, name=name)
        task.add_done_callback(_log_crash)
        self._tasks.append(task)

    async def stop(self) -> None:
        """Stop the workers, then the channels and storage."""
        if self.scheduler is not None:
            self.scheduler.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self.webhook is not None:
            await self.webhook.stop()
        if self.telegram is not None and self.telegram.started:
            await self.telegram.stop()
        if self.zalo is not None and self.zalo.started:
            await self.zalo.stop()
        if self.db is not None:
            await self.db.close()
            self.db = None


def catalog_of(workspace: Workspace) -> Catalog:
    """The workspace's units and forms by code, and its regime, as handlers use them."""
    return Catalog(
        units={u.code: u for u in workspace.units},
        forms=dict(workspace.forms),
        regime=workspace.settings.regime,
    )


def _log_crash(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("worker %s stopped: %r", task.get_name(), task.exception())


def office_chats(settings: Settings) -> list[tuple[str, str]]:
    """Where the office hears of trouble the outbox cannot carry: its Telegram drafts chat,
    and on Zalo (where the bot has no group) the private chat of each Zalo admin."""
    chats = [("telegram", str(settings.office.drafts_chat))] if settings.office.drafts_chat else []
    if settings.zalo.enabled:
        chats += [(zalo.CHANNEL, admin) for admin in settings.office.zalo_admins]
    return chats


def _limits(workspace: Workspace) -> Limits:
    d = workspace.settings.delivery
    return Limits(d.per_chat_per_second, d.global_per_second, d.group_per_minute)


def telegram_from_settings(workspace: Workspace) -> TelegramChannel:
    """The Telegram channel with the token from the environment variable the config names."""
    tg = workspace.settings.telegram
    token = os.environ.get(tg.token_env, "").strip()
    if not token:
        raise MissingTokenError(tg.token_env)
    return TelegramChannel(token, tg.api_base_url)


def zalo_from_settings(workspace: Workspace) -> zalo.ZaloChannel:
    """The Zalo channel with the token from the environment variable the config names."""
    zl = workspace.settings.zalo
    token = os.environ.get(zl.token_env, "").strip()
    if not token:
        raise MissingTokenError(zl.token_env)
    return zalo.ZaloChannel(token, zl.api_base_url)


def downloads_from_settings(workspace: Workspace, clock: Clock) -> Downloads | None:
    """The download links of files offered on Zalo, if a public address is configured.

    The files are kept in a "downloads" folder next to the database.
    """
    zl = workspace.settings.zalo
    if not zl.download_url:
        return None
    secret = os.environ.get(zl.download_secret_env, "")
    if len(secret) < MIN_SECRET_LENGTH:
        raise MissingSecretError(zl.download_secret_env)
    folder = workspace.settings.storage.path.parent / "downloads"
    return Downloads(folder, zl.download_url, secret, zl.download_days, clock)
