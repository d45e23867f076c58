"""Getting updates: getUpdates (offset confirmation, long polls, conflicts), the webhook
methods, and who the bot is (getMe)."""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from bot.demo.telegram_api.protocol import (
    DEFAULT_UPDATE_TYPES,
    JSON,
    WEBHOOK_PORTS,
    ApiError,
    ClientGone,
    bad,
)
from bot.demo.telegram_api.records import UpdateRecord
from bot.demo.telegram_api.state import ApiState


class UpdatesApi(ApiState):
    """The Bot API methods that deliver updates or say who the bot is."""

    def _api_getMe(self, params: JSON) -> JSON:
        return dict(self.bot_user)

    def _api_logOut(self, params: JSON) -> bool:
        return True

    def _api_close(self, params: JSON) -> bool:
        return True

    def _get_updates(self, params: JSON, client_gone: Callable[[], bool]) -> list[JSON]:
        offset = params.get("offset") or 0
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        with self._cond:
            self.get_updates_calls += 1
            if self.webhook.get("url"):
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            if isinstance(allowed, list):
                self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES
            self._poll_generation += 1
            generation = self._poll_generation
            self._termination_reason = (
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running"
            )
            self._cond.notify_all()  # terminates an older long poll (409 below)
            self._confirm(offset)
            ready = self._long_poll(generation, limit, time.monotonic() + timeout, client_gone)
            if ready and client_gone():
                raise ClientGone
            for record in ready:
                record.delivered += 1
            return [copy.deepcopy(r.update) for r in ready]

    def _long_poll(
        self, generation: int, limit: int, deadline: float, client_gone: Callable[[], bool]
    ) -> list[UpdateRecord]:
        """Wait (lock held) until updates are ready, the time is up, or a newer poll came."""
        self._polls_waiting += 1
        try:
            while True:
                if generation != self._poll_generation:
                    if client_gone():
                        raise ClientGone
                    raise ApiError(409, self._termination_reason)
                ready = self._deliverable(limit)
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0 or self._stopping.is_set():
                    return ready
                if client_gone():  # e.g. PTB cancelled the poll when stopping
                    raise ClientGone
                self._cond.wait(min(remaining, 0.2))
        finally:
            self._polls_waiting -= 1

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            drop = [
                i
                for i, r in self._pending.items()
                if i < offset and r.delivered >= r.min_deliveries
            ]
        elif offset < 0:
            keep = sorted(self._pending)[offset:]
            drop = [i for i in self._pending if i not in keep]
        else:
            return
        for update_id in sorted(drop):
            del self._pending[update_id]
            self._confirmed.append(update_id)

    def _deliverable(self, limit: int) -> list[UpdateRecord]:
        ready = []
        for update_id in sorted(self._pending):
            record = self._pending[update_id]
            if record.kind not in self._allowed_updates:
                del self._pending[update_id]  # Telegram drops updates of unwanted types
                continue
            ready.append(record)
            if len(ready) == limit:
                break
        return ready

    def _api_setWebhook(self, params: JSON) -> bool:
        url = params.get("url") or ""
        if url:
            parts = urlsplit(url)
            if parts.scheme != "https" or not parts.hostname:
                raise bad("bad webhook: An HTTPS URL must be provided for webhook")
            if (parts.port or 443) not in WEBHOOK_PORTS:
                raise bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._drop_pending()
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES
        if not url:
            self.webhook = {}
            return True
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": params.get("max_connections") or 40,
            "ip_address": params.get("ip_address"),
            "allowed_updates": allowed,
            "has_custom_certificate": params.get("certificate") is not None,
        }
        self._poll_generation += 1  # setting a webhook ends long polls
        self._termination_reason = "Conflict: terminated by setWebhook request"
        return True

    def _api_deleteWebhook(self, params: JSON) -> bool:
        if params.get("drop_pending_updates"):
            self._drop_pending()
        self.webhook = {}
        return True

    def _api_getWebhookInfo(self, params: JSON) -> JSON:
        info: JSON = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": self.webhook.get("has_custom_certificate", False),
            "pending_update_count": len(self._pending),
        }
        if self.webhook.get("url"):
            info["max_connections"] = self.webhook["max_connections"]
            if self.webhook.get("ip_address"):
                info["ip_address"] = self.webhook["ip_address"]
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info
