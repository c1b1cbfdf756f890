"""The pending-update queue: getUpdates long polling, or webhook delivery when one is set."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any

import httpx

from bot.tgserver.errors import ApiError

# Telegram sends these only when asked for explicitly in allowed_updates.
_OPT_IN = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


@dataclass(slots=True)
class Webhook:
    """The webhook the bot set with setWebhook."""

    url: str
    secret_token: str | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


class UpdateQueue:
    """Hold updates until the bot confirms them, by polling or by webhook delivery."""

    def __init__(self) -> None:
        self._pending: list[dict[str, Any]] = []
        self._next_id = 1
        self._cond = asyncio.Condition()
        self._poll_generation = 0
        self.allowed_updates: list[str] = []
        self.webhook: Webhook | None = None
        self._delivery: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self.delivered = 0
        self._polled = asyncio.Event()  # a long poll has waited: tests order themselves by it

    @property
    def pending_count(self) -> int:
        """Return how many updates wait for the bot."""
        return len(self._pending)

    async def put(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Enqueue an update of the given kind and wake pollers; return the Update JSON."""
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._pending.append(update)
        async with self._cond:
            self._cond.notify_all()
        return update

    def _allowed(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in _OPT_IN

    def _confirm(self, offset: int | None) -> None:
        if offset is None:
            return
        if offset < 0:
            self._pending = self._pending[offset:]
        else:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]

    def _take(self, limit: int) -> list[dict[str, Any]]:
        self._pending = [u for u in self._pending if self._allowed(u)]
        return self._pending[:limit]

    async def get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Answer getUpdates: confirm by offset, then wait up to `timeout` for updates."""
        if self.webhook is not None:
            raise ApiError(409, _WEBHOOK_ACTIVE)
        offset = params.get("offset")
        self._confirm(int(offset) if offset is not None else None)
        if params.get("allowed_updates") is not None:
            self.allowed_updates = list(params["allowed_updates"])
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        deadline = time.monotonic() + timeout
        async with self._cond:
            self._poll_generation += 1
            generation = self._poll_generation
            self._cond.notify_all()  # an older long poll ends with 409 Conflict, like Telegram
            while not (found := self._take(limit)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._polled.set()  # whoever it wakes needs our lock, released by wait()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._cond.wait(), remaining)
                if generation != self._poll_generation:
                    raise ApiError(409, _CONFLICT)
        return found

    async def long_poll_waiting(self) -> None:
        """Return once a getUpdates call has waited for updates (at once if one did before)."""
        await self._polled.wait()

    async def _wake(self) -> None:
        async with self._cond:
            self._poll_generation += 1
            self._cond.notify_all()

    async def set_webhook(self, hook: Webhook | None, drop_pending: bool) -> None:
        """Set (or with None delete) the webhook and start or stop delivery."""
        if drop_pending:
            self._pending.clear()
        await self._stop_delivery()
        self.webhook = hook
        if hook is not None:
            await self._wake()  # a poller waiting now would never see updates again
            self._client = httpx.AsyncClient(timeout=10.0)
            self._delivery = asyncio.create_task(self._deliver_forever())

    async def _stop_delivery(self) -> None:
        if self._delivery is not None:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
            self._delivery = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def close(self) -> None:
        """Stop webhook delivery and release pollers."""
        await self._stop_delivery()
        await self._wake()

    async def _deliver_forever(self) -> None:
        backoff = 0.05
        while True:
            async with self._cond:
                while not self._take(1):
                    await self._cond.wait()
            update = self._pending[0]
            if await self._post(update):
                self._pending.remove(update)
                self.delivered += 1
                backoff = 0.05
            else:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)

    async def _post(self, update: dict[str, Any]) -> bool:
        """POST one update to the webhook; return True on a 2xx answer."""
        hook, client = self.webhook, self._client
        if hook is None or client is None:
            return False
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        try:
            response = await client.post(hook.url, json=update, headers=headers)
        except httpx.HTTPError as exc:
            self._note_error(f"Connection failed: {type(exc).__name__}")
            return False
        if 200 <= response.status_code < 300:
            return True
        self._note_error(f"Wrong response from the webhook: {response.status_code}")
        return False

    def _note_error(self, message: str) -> None:
        if self.webhook is not None:
            self.webhook.last_error_date = int(time.time())
            self.webhook.last_error_message = message
