"""`baocao doctor`'s checks: each looks at one thing and says OK, or what to fix (Vietnamese).

The checks only read: the config files, the database (read-only connection), Telegram's and
Zalo's getMe/getWebhookInfo, the free space. Tokens go into request URLs only; nothing here
ever puts a token into a message (an HTTP error's text is never shown, only its kind).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.channels.zalo import SECRET_LENGTH
from bot.runtime.db_errors import explain
from bot.workspace.config import read_settings
from bot.workspace.drift import stored_orphans
from bot.workspace.load import Workspace, load_workspace
from bot.workspace.problems import ConfigError
from bot.workspace.settings import Settings
from bot.workspace.starter_values import left_as_shipped
from domain.calendar import office_zone
from storage import DatabaseFileError
from storage.fileprobe import probe
from storage.inspection import check_file, outbox_state
from storage.schema import latest_version
from templates.catalog import text

# Below this much free space next to the database, doctor asks for room to be made.
MIN_FREE_MB = 500
# A message due for longer than this has not left: the bot is down or the platform is.
STUCK_MINUTES = 30
HTTP_TIMEOUT = 10.0


class Level(Enum):
    """How a finding counts: only FIX makes doctor exit non-zero."""

    OK = "ok"
    NOTE = "note"
    FIX = "fix"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of the report: which check, how it came out, what to do."""

    check: str  # key of cli.doctor.check_*
    level: Level
    message: str


def _finding(check: str, level: Level, key: str, **values: Any) -> Finding:
    return Finding(check, level, text(f"cli.doctor.{key}", **values))


@dataclass(slots=True)
class Doctor:
    """Runs the checks of one config file."""

    config: Path
    offline: bool = False
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    min_free_mb: int | None = None  # None: MIN_FREE_MB

    async def run(self) -> list[Finding]:
        """Every finding, in the order they are printed."""
        found, settings, workspace = self.check_config()
        if settings is None:
            return found
        found.append(self.check_starter(settings))
        found += self.check_database(settings)
        found.append(self.check_stored(workspace))
        found += await self.check_telegram(settings)
        found += await self.check_zalo(settings)
        found += self.check_outbox(settings)
        found.append(self.check_disk(settings))
        return found

    def check_config(self) -> tuple[list[Finding], Settings | None, Workspace | None]:
        """The config and data files, as `baocao check` reads them."""
        settings, problems = read_settings(self.config)
        if settings is None or problems:
            shown = [str(p) for p in problems]
            fix = _finding("config", Level.FIX, "config_fix", problems=shown, path=self.config)
            return [fix], None, None
        try:
            workspace = load_workspace(self.config)
        except ConfigError as error:  # the units or forms files have mistakes
            shown = [str(p) for p in error.problems]
            fix = _finding("config", Level.FIX, "config_fix", problems=shown, path=self.config)
            return [fix], settings, None
        return [_finding("config", Level.OK, "config_ok", path=self.config)], settings, workspace

    def check_starter(self, settings: Settings) -> Finding:
        """Sample values of `baocao init` left in config.toml: a note, the bot still runs."""
        left = left_as_shipped(settings)
        if not left:
            return _finding("starter", Level.OK, "starter_ok")
        message = text("cli.check.starter_left", left=left, config=self.config, note=False)
        return Finding("starter", Level.NOTE, message)

    def check_database(self, settings: Settings) -> list[Finding]:
        """The file is ours, intact (quick_check), and of a schema this version knows."""
        path = settings.storage.path
        if not path.is_file():
            return [_finding("database", Level.NOTE, "database_missing", path=path)]
        try:
            probe(path, latest_version())
            health = check_file(path)
        except DatabaseFileError as error:
            return [_finding("database", Level.FIX, "database_bad", detail=explain(error, path))]
        except sqlite3.DatabaseError as error:
            problems = [str(error)]
            return [
                _finding("database", Level.FIX, "database_damaged", path=path, problems=problems)
            ]
        if not health.ok:
            return [
                _finding(
                    "database", Level.FIX, "database_damaged", path=path, problems=health.problems
                )
            ]
        latest = latest_version()
        if health.user_version < latest:
            return [
                _finding(
                    "database",
                    Level.NOTE,
                    "database_old",
                    path=path,
                    version=health.user_version,
                    latest=latest,
                )
            ]
        return [
            _finding(
                "database",
                Level.OK,
                "database_ok",
                path=path,
                size=_megabytes(path.stat().st_size),
                free=_megabytes(health.free_bytes),
                version=health.user_version,
                inbox=health.counts.get("inbox", 0),
                outbox=health.counts.get("outbox", 0),
                keep_days=settings.storage.keep_days,
            )
        ]

    def check_stored(self, workspace: Workspace | None) -> Finding:
        """Answers stored for units, forms or fields the config no longer declares."""
        found = None if workspace is None else stored_orphans(workspace)
        if found is None:
            return _finding("stored", Level.SKIP, "stored_skip")
        if not found:
            return _finding("stored", Level.OK, "stored_ok")
        return Finding("stored", Level.NOTE, text("cli.drift.warning", orphans=found))

    async def check_telegram(self, settings: Settings) -> list[Finding]:
        """getMe (the token) and getWebhookInfo (where Telegram delivers, and its errors)."""
        tg = settings.telegram
        if not tg.enabled:
            return [_finding("telegram", Level.SKIP, "disabled")]
        if tg.mode == "webhook" and not os.environ.get(tg.webhook_secret_env, "").strip():
            # The bot would refuse every update (403): no secret, no way to check one.
            secret = _finding("webhook", Level.FIX, "secret_missing", env=tg.webhook_secret_env)
            if self.offline:
                return [_finding("telegram", Level.SKIP, "offline"), secret]
        else:
            secret = None
        if self.offline:
            return [
                _finding("telegram", Level.SKIP, "offline"),
                _finding("webhook", Level.SKIP, "offline"),
            ]
        token = os.environ.get(tg.token_env, "").strip()
        if not token:
            return [_finding("telegram", Level.FIX, "token_missing", env=tg.token_env, zalo=False)]
        base = tg.api_base_url
        me = await _call(base, token, "getMe")
        if isinstance(me, CallFailed):
            return [_failed("telegram", me, "Telegram", tg.token_env)]
        found = [_finding("telegram", Level.OK, "token_ok", name="@" + str(me.get("username")))]
        if secret is not None:
            return [*found, secret]
        info = await _call(base, token, "getWebhookInfo")
        if isinstance(info, CallFailed):
            return [*found, _failed("webhook", info, "Telegram", tg.token_env)]
        return [*found, _webhook(settings, info)]

    async def check_zalo(self, settings: Settings) -> list[Finding]:
        """getMe of the Zalo bot and getWebhookInfo (same call shapes as Telegram's; Zalo's
        webhook info has only the URL: no pending count, no last error)."""
        zl = settings.zalo
        if not zl.enabled:
            return [_finding("zalo", Level.SKIP, "disabled")]
        secret = os.environ.get(zl.webhook_secret_env, "")
        bad_secret = None
        if zl.mode == "webhook" and not SECRET_LENGTH[0] <= len(secret) <= SECRET_LENGTH[1]:
            # baocao run refuses to start without one (Zalo's setWebhook would refuse it).
            bad_secret = _finding(
                "zalo_webhook", Level.FIX, "zalo_secret_missing", env=zl.webhook_secret_env
            )
        if self.offline:
            return [
                _finding("zalo", Level.SKIP, "offline"),
                bad_secret or _finding("zalo_webhook", Level.SKIP, "offline"),
            ]
        token = os.environ.get(zl.token_env, "").strip()
        if not token:
            return [_finding("zalo", Level.FIX, "token_missing", env=zl.token_env, zalo=True)]
        base = zl.api_base_url.rstrip("/")
        me = await _call(base, token, "getMe")
        if isinstance(me, CallFailed):
            return [_failed("zalo", me, "Zalo", zl.token_env)]
        name = str(me.get("account_name") or me.get("display_name") or "")
        found = [_finding("zalo", Level.OK, "token_ok", name=name)]
        if bad_secret is not None:
            return [*found, bad_secret]
        info = await _call(base, token, "getWebhookInfo")
        if isinstance(info, CallFailed):
            return [*found, _failed("zalo_webhook", info, "Zalo", zl.token_env)]
        return [*found, _zalo_webhook(settings, info)]

    def check_outbox(self, settings: Settings) -> list[Finding]:
        """Messages waiting to leave, for how long, and focal points who blocked the bot."""
        path = settings.storage.path
        try:
            probe(path, latest_version())
            state = outbox_state(path, self.now()) if path.is_file() else None
        except (DatabaseFileError, sqlite3.Error):
            state = None
        if state is None:
            return [_finding("outbox", Level.SKIP, "stored_skip")]
        found: list[Finding] = []
        if state.oldest_pending is None:
            found.append(_finding("outbox", Level.OK, "outbox_empty"))
        else:
            # Only what could have gone counts: reminders held for the morning are not late.
            waited = self.now() - state.due_since if state.due_since else None
            minutes = int(waited.total_seconds() // 60) if waited else 0
            stuck = minutes >= STUCK_MINUTES
            found.append(
                _finding(
                    "outbox",
                    Level.FIX if stuck else Level.OK,
                    "outbox_stuck" if stuck else "outbox_ok",
                    pending=state.pending,
                    due=state.due,
                    oldest=state.oldest_pending,
                    since=state.due_since,
                    minutes=minutes,
                    zone=office_zone(settings.regime),
                )
            )
        if state.unknown:
            found.append(_finding("outbox", Level.NOTE, "outbox_unknown", count=state.unknown))
        if state.quarantined:
            jobs = state.quarantined
            what = {id_: text("cli.jobs.what", job=payload) for id_, payload in jobs}
            found.append(_finding("jobs", Level.FIX, "jobs_quarantined", jobs=jobs, what=what))
        if state.unreachable:
            found.append(
                _finding(
                    "unreachable",
                    Level.FIX,
                    "unreachable",
                    people=state.unreachable,
                    zone=office_zone(settings.regime),
                )
            )
        elif state.focal_points == 0:
            # Nobody to reach is not "everyone reached": the units were never invited.
            found.append(_finding("unreachable", Level.NOTE, "no_focal_points"))
        else:
            found.append(
                _finding(
                    "unreachable",
                    Level.OK,
                    "reachable",
                    count=state.focal_points,
                    units=state.focal_units,
                )
            )
        return found

    def check_disk(self, settings: Settings) -> Finding:
        """Free space on the disk holding the database."""
        folder = settings.storage.path.parent
        free = shutil.disk_usage(folder).free // 1_000_000
        minimum = MIN_FREE_MB if self.min_free_mb is None else self.min_free_mb
        if free < minimum:
            return _finding(
                "disk", Level.FIX, "disk_low", free=free, folder=folder, minimum=minimum
            )
        return _finding("disk", Level.OK, "disk_ok", free=free, folder=folder)


def _zalo_webhook(settings: Settings, info: dict[str, Any]) -> Finding:
    zl = settings.zalo
    url = str(info.get("url") or "")
    if zl.mode == "webhook":
        if url != zl.webhook_url:
            return _finding(
                "zalo_webhook",
                Level.FIX,
                "webhook_wrong_url",
                actual=url,
                expected=zl.webhook_url,
                platform="Zalo",
            )
        return _finding("zalo_webhook", Level.OK, "zalo_webhook_ok", url=url)
    if url:
        return _finding("zalo_webhook", Level.NOTE, "polling_webhook_set", url=url, platform="Zalo")
    return _finding("zalo_webhook", Level.OK, "zalo_polling_ok")


def _megabytes(size: int) -> Decimal:
    """Bytes as MB with one decimal place: a Decimal, shown in Vietnamese ("0,2"), where a
    float would show all of its binary digits."""
    return (Decimal(size) / 1_000_000).quantize(Decimal("0.1"))


def _webhook(settings: Settings, info: dict[str, Any]) -> Finding:
    tg = settings.telegram
    url = str(info.get("url") or "")
    pending = int(info.get("pending_update_count") or 0)
    if tg.mode == "webhook":
        if url != tg.webhook_url:
            return _finding(
                "webhook", Level.FIX, "webhook_wrong_url", actual=url, expected=tg.webhook_url
            )
        if info.get("last_error_message"):
            at = datetime.fromtimestamp(int(info.get("last_error_date") or 0), UTC)
            message = str(info["last_error_message"])
            return _finding(
                "webhook",
                Level.FIX,
                "webhook_error",
                url=url,
                at=at,
                zone=office_zone(settings.regime),
                message=message,
                pending=pending,
            )
        return _finding("webhook", Level.OK, "webhook_ok", url=url, pending=pending)
    if url:
        return _finding("webhook", Level.NOTE, "polling_webhook_set", url=url)
    return _finding("webhook", Level.OK, "polling_ok", pending=pending)


@dataclass(frozen=True, slots=True)
class CallFailed:
    """Why a Bot API call failed: the text key to explain it and its values (no token)."""

    key: str
    values: dict[str, Any]


def _failed(check: str, failure: CallFailed, platform: str, env: str) -> Finding:
    """A failed call as a finding of `check`, naming the platform and the token's variable."""
    values = {"platform": platform, "env": env, "zalo": platform == "Zalo", **failure.values}
    return _finding(check, Level.FIX, failure.key, **values)


async def _call(base: str, token: str, method: str) -> dict[str, Any] | CallFailed:
    """One Bot API call: its result, or why it failed (never with the token in it)."""
    host = urlsplit(base).netloc or base
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
            response = await client.post(f"{base}{token}/{method}")
    except httpx.HTTPError as error:
        # The error's text may hold the URL, hence the token: show only its kind.
        return CallFailed("unreachable_host", {"host": host, "reason": type(error).__name__})
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if isinstance(answer, dict) and answer.get("ok") is True:
        result = answer.get("result")
        return result if isinstance(result, dict) else {}
    status = response.status_code
    if status in (401, 404):
        return CallFailed("token_rejected", {"status": status})
    description = str(answer.get("description", "")) if isinstance(answer, dict) else ""
    return CallFailed("api_error", {"status": status, "description": description})
