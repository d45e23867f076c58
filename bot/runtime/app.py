"""Builds the running bot from the workspace and starts and stops its parts in order.

channel pollers / webhook -> ingress -> inbox;  inbox worker -> handlers -> storage + outbox;
outbox -> delivery worker -> channels. How each part is built from the workspace is in
`bot.runtime.build`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.channels import zalo
from bot.channels.base import Channel
from bot.channels.telegram import TelegramChannel
from bot.runtime.build import (
    catalog_of,
    downloads_from_settings,
    limits_of,
    office_chats,
    office_of,
    telegram_from_settings,
    telegram_route,
    zalo_from_settings,
    zalo_route,
)
from bot.runtime.clock import Clock, system_clock
from bot.runtime.delivery import DeliveryWorker
from bot.runtime.downloads import Downloads
from bot.runtime.health import HealthCheck
from bot.runtime.housekeeping import Purged, housekeeping
from bot.runtime.inbox import PARSERS, InboxWorker
from bot.runtime.ingress import Ingress
from bot.runtime.jobs import JobsChannel
from bot.runtime.metrics import Metrics
from bot.runtime.outage import StorageOutage
from bot.runtime.outbox import queue_replies
from bot.runtime.polling import TelegramCursor, ZaloCursor, poll_forever
from bot.runtime.ratelimit import Limits, RateLimiter
from bot.runtime.restart import catch_up, questions_queued, settle_in_doubt
from bot.runtime.timetable import Scheduler
from bot.runtime.webhook import Mount, WebhookRoute, WebhookServer
from bot.tickets.saving import clear_leftovers
from bot.tickets.sheets import MB
from bot.workspace.load import Workspace
from domain.calendar import office_zone
from handlers.commands import menu
from handlers.context import Catalog, HandlerContext, Office
from handlers.events import Reply
from handlers.router import handle
from storage import Database, WriteTransaction
from templates.catalog import text

log = logging.getLogger(__name__)


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
    ingress: Ingress | None = None
    # The download links of files offered on Zalo (None: files are not offered there).
    downloads: Downloads | None = None
    # What handlers get for one transaction (set when the workers start).
    make_context: Callable[[WriteTransaction], HandlerContext] | None = None
    # More pages on the HTTP server, mounted when it starts (the office's dashboard: set by
    # the command line, which may import bot/web; the runtime does not).
    mount: Mount | None = None

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
        return office_of(self.workspace, self.telegram.username if self.telegram else "")

    async def start(self) -> None:
        """Open storage, sync the units, connect the channels and start the workers."""
        settings = self.workspace.settings
        self._build_channels()
        self.db = await Database.open(settings.storage.path, clock=self.clock)
        async with self.db.write() as tx:
            await tx.units.sync_all(list(self.workspace.units))
        # A ticket import cut short by a crash is deleted before its job can run again.
        await clear_leftovers(self.db)
        if self.telegram is not None:
            await self.telegram.start()
            # Telegram's menus from the command table: everyone's, and the office's chats'.
            await self.telegram.register_commands(menu(office=False))
            admins = [str(admin) for admin in settings.office.admins]
            await self.telegram.register_commands(menu(office=True), admins)
        if self.zalo is not None:
            await self.zalo.start()
        in_doubt = await questions_queued(self.db)  # before anything new is queued
        scheduler = self._start_workers(self.db)
        await scheduler.tick()  # catch up on what fell due while the bot was down
        if self.run_scheduler:
            scheduler.start()
        await self._start_http_server()
        # The updates that came while the bot was down first, then what it had queued.
        assert self.ingress is not None and self.inbox is not None and self.delivery is not None
        cursor = await self._telegram_cursor()
        await catch_up(cursor, self.ingress, self.inbox)
        assert self.make_context is not None
        await settle_in_doubt(self.db, self.make_context, in_doubt)
        self.delivery.open()
        # In the background: a first run on a large old database takes a while.
        self._spawn(self.housekeeping(), "housekeeping")
        await self._start_polling(cursor)
        units, forms = len(self.workspace.units), len(self.workspace.forms)
        log.info("baocao started: %d units, %d forms", units, forms)

    def _build_channels(self) -> None:
        """The channels the config enables (unless given), and Zalo's download links."""
        settings = self.workspace.settings
        if self.telegram is None and settings.telegram.enabled:
            self.telegram = telegram_from_settings(self.workspace)
        if self.zalo is None and settings.zalo.enabled:
            self.zalo = zalo_from_settings(self.workspace)
        if self.zalo is not None and self.downloads is None:
            self.downloads = downloads_from_settings(self.workspace, self.clock)
        if self.zalo is not None and self.downloads is not None:
            self.zalo.publish = self.downloads.publish
            self.zalo.zone = office_zone(settings.regime)

    def _start_workers(self, db: Database) -> Scheduler:
        """Start the inbox and delivery workers behind the ingress; the timetable, not
        started."""
        settings = self.workspace.settings
        catalog, office = self.catalog(), self.office()

        def make_context(tx: WriteTransaction) -> HandlerContext:
            return HandlerContext(office=office, catalog=catalog, now=self.clock(), tx=tx)

        self.make_context = make_context
        limiter = RateLimiter(self.limits or limits_of(self.workspace))
        self.jobs = JobsChannel(
            db, self.workspace, self.clock, self._wake_delivery, self._fetch_file, make_context
        )
        self.delivery = DeliveryWorker(
            db, self.channels, limiter, self.clock, on_unreachable=self._unreachable, held=True
        )
        chats, zone = office_chats(settings), office_zone(settings.regime)
        self.outage = StorageOutage(lambda: self.channels, PARSERS, chats, self.clock, zone)
        self.inbox = InboxWorker(
            db,
            PARSERS,
            handle,
            make_context,
            self.clock,
            on_queued=self.delivery.offer,
            on_full=self.outage.full,
            on_writable=self.outage.cleared,
        )
        self.ingress = Ingress(self.inbox, self.outage)
        self._spawn(self.inbox.run(), "inbox")
        self._spawn(self.delivery.run(), "delivery")
        self.scheduler = Scheduler(
            db,
            make_context,
            settings.regime,
            self.clock,
            self.delivery.wake,
            daily=self.housekeeping,
        )
        return self.scheduler

    async def _start_http_server(self) -> None:
        """Serve, on one port, the webhook routes of the channels in webhook mode and the
        download links of files offered on Zalo; then register the webhooks."""
        assert self.ingress is not None
        tg, zl = self.workspace.settings.telegram, self.workspace.settings.zalo
        telegram_hook: WebhookRoute | None = None
        zalo_hook: WebhookRoute | None = None
        if self.telegram is not None and tg.mode == "webhook":
            telegram_hook = telegram_route(self.workspace, self.ingress)
        if self.zalo is not None and zl.mode == "webhook":
            zalo_hook = zalo_route(self.workspace, self.ingress)
        routes = [route for route in (telegram_hook, zalo_hook) if route is not None]
        if not routes and self.downloads is None:
            return
        assert self.db is not None and self.delivery is not None
        reach = self.delivery.reachability
        health = HealthCheck(self.db, reach, self.clock, self.outage)
        polled = tuple(
            name
            for name, channel, mode in (
                ("telegram", self.telegram, tg.mode),
                ("zalo", self.zalo, zl.mode),
            )
            if channel is not None and mode != "webhook"
        )
        channels = tuple(n for n, c in (("telegram", self.telegram), ("zalo", self.zalo)) if c)
        metrics = Metrics(self.db, reach, self.clock, self.catalog(), polled, channels)
        self.webhook = WebhookServer(
            tg.webhook_listen,
            tg.webhook_port,
            routes,
            self.downloads,
            health=health.reasons,
            metrics=metrics.text,
            mount=self.mount,
        )
        await self.webhook.start()
        if self.telegram is not None and telegram_hook is not None:
            await self.telegram.bot.set_webhook(
                tg.webhook_url,
                secret_token=telegram_hook.secret,
                allowed_updates=["message", "callback_query"],
            )
        if self.zalo is not None and zalo_hook is not None:
            await self.zalo.set_webhook(zl.webhook_url, zalo_hook.secret)

    async def _telegram_cursor(self) -> TelegramCursor | None:
        """Where Telegram's polling starts, if Telegram is polled (its webhook removed)."""
        if self.telegram is None or self.workspace.settings.telegram.mode == "webhook":
            return None
        # Both platforms refuse getUpdates while a webhook is set.
        await self.telegram.bot.delete_webhook()
        return TelegramCursor(self.telegram)

    async def _start_polling(self, cursor: TelegramCursor | None) -> None:
        """Poll the channels not in webhook mode, each through the ingress."""
        assert self.ingress is not None and self.delivery is not None
        settings = self.workspace.settings
        reach = self.delivery.reachability
        if cursor is not None:
            self._spawn(poll_forever(cursor, self.ingress, reachability=reach), "polling")
        if self.zalo is not None and settings.zalo.mode != "webhook":
            await self.zalo.delete_webhook()
            zalo_polling = poll_forever(ZaloCursor(self.zalo), self.ingress, reachability=reach)
            self._spawn(zalo_polling, "zalo-polling")

    async def housekeeping(self) -> Purged | None:
        """Delete the old traffic records (`bot.runtime.housekeeping`); at start and once a day."""
        if self.db is None:
            return None
        keep_days = self.workspace.settings.storage.keep_days
        return await housekeeping(self.db, keep_days, self.clock)

    async def _fetch_file(self, channel: str, file_ref: str) -> bytes | bytearray:
        """A file a person sent on `channel` (only Telegram delivers files to bots), within
        the ticket files' size limit (FileTooLarge past it, not downloaded)."""
        if channel != "telegram" or self.telegram is None:
            raise LookupError(f"cannot fetch files from {channel!r}")
        limit = self.workspace.settings.tickets.limits.max_file_mb * MB
        return await self.telegram.download(file_ref, max_bytes=limit)

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


def _log_crash(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("worker %s stopped: %r", task.get_name(), task.exception())
