"""Building the bot's parts from the workspace: the channels with their tokens from the
environment, the download links, the rate limits, the webhook routes, and the office and its
catalog as handlers see them."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from bot.channels import zalo
from bot.channels.telegram import TelegramChannel
from bot.runtime.clock import Clock
from bot.runtime.downloads import MIN_SECRET_LENGTH, Downloads
from bot.runtime.ingress import Ingress
from bot.runtime.ratelimit import Limits
from bot.runtime.webhook import WebhookRoute
from bot.workspace.load import Workspace
from bot.workspace.settings import Settings
from handlers.context import Catalog, Office


class MissingTokenError(RuntimeError):
    """The environment variable named in the config holds no token."""


class MissingSecretError(RuntimeError):
    """The environment variable named in the config holds no usable secret."""


def catalog_of(workspace: Workspace) -> Catalog:
    """The workspace's units and forms by code, and its regime, as handlers use them."""
    return Catalog(
        units={u.code: u for u in workspace.units},
        forms=dict(workspace.forms),
        regime=workspace.settings.regime,
    )


def office_of(workspace: Workspace, bot_username: str = "") -> Office:
    """The office's settings as handlers need them."""
    settings = workspace.settings
    admins = {f"telegram:{a}" for a in settings.office.admins}
    admins |= {f"zalo:{a}" for a in settings.office.zalo_admins}
    return Office(
        name=settings.office.name,
        admins=frozenset(admins),
        drafts_chat=str(settings.office.drafts_chat or ""),
        invite_days=settings.invites.expire_days,
        max_failed_logins=settings.invites.max_failed_per_hour,
        bot_username=bot_username,
        web_url=public_origin(settings),
    )


def public_origin(settings: Settings) -> str:
    """Where the bot's HTTP server is reached from outside: `[web] public_url`, else scheme
    and host of its webhook or download address (nginx passes /web/ there too), or "" when
    it has none."""
    if settings.web.public_url:
        return settings.web.public_url
    tg, zl = settings.telegram, settings.zalo
    addresses = [
        tg.webhook_url if tg.enabled and tg.mode == "webhook" else "",
        zl.webhook_url if zl.enabled and zl.mode == "webhook" else "",
        zl.download_url if zl.enabled else "",
    ]
    for address in filter(None, addresses):
        parts = urlsplit(address)
        return f"{parts.scheme}://{parts.netloc}"
    return ""


def office_chats(settings: Settings) -> list[tuple[str, str]]:
    """Where the office hears of trouble the outbox cannot carry: its Telegram drafts chat,
    and on Zalo (where the bot has no group) the private chat of each Zalo admin."""
    chats = [("telegram", str(settings.office.drafts_chat))] if settings.office.drafts_chat else []
    if settings.zalo.enabled:
        chats += [(zalo.CHANNEL, admin) for admin in settings.office.zalo_admins]
    return chats


def limits_of(workspace: Workspace) -> Limits:
    """The delivery rate limits the config sets."""
    d = workspace.settings.delivery
    margin = d.margin_ms / 1000
    return Limits(d.per_chat_per_second, d.global_per_second, d.group_per_minute, margin)


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


def telegram_route(workspace: Workspace, ingress: Ingress) -> WebhookRoute:
    """Telegram's webhook: its updates, with the secret from the environment."""
    tg = workspace.settings.telegram
    secret = os.environ.get(tg.webhook_secret_env, "")
    header = "X-Telegram-Bot-Api-Secret-Token"
    return WebhookRoute("/telegram", header, secret, ingress.webhook("telegram"))


def zalo_route(workspace: Workspace, ingress: Ingress) -> WebhookRoute:
    """Zalo's webhook: its updates, with a secret from the environment that Zalo accepts."""
    zl = workspace.settings.zalo
    secret = os.environ.get(zl.webhook_secret_env, "")
    if not zalo.SECRET_LENGTH[0] <= len(secret) <= zalo.SECRET_LENGTH[1]:
        raise MissingSecretError(zl.webhook_secret_env)
    return WebhookRoute("/zalo", zalo.SECRET_HEADER, secret, ingress.webhook(zalo.CHANNEL))
