"""The writes a users' table queued on its writer thread and no flush has waited for yet."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future


class PendingWrites:
    """Futures of queued writes: flush waits for them and raises the first that failed."""

    def __init__(self) -> None:
        self._unsettled: list[Future[None]] = []

    def add(self, future: Future[None]) -> None:
        """Watch a queued write; forget the ones that landed (a failed one waits for a flush)."""
        self._unsettled = [f for f in self._unsettled if not _landed(f)]
        self._unsettled.append(future)

    async def flush(self) -> None:
        """Wait until every write watched so far has run; raise the first failure."""
        pending = list(self._unsettled)
        if pending:  # shielded: a cancelled caller must not cancel the writes still queued
            waiting = (asyncio.wrap_future(f) for f in pending)
            await asyncio.shield(asyncio.gather(*waiting, return_exceptions=True))
        self._settle(pending)

    def flush_sync(self) -> None:
        """Wait as `flush` does, from a thread that is not running the event loop."""
        pending = list(self._unsettled)
        for future in pending:
            future.exception()  # waits
        self._settle(pending)

    def _settle(self, pending: list[Future[None]]) -> None:
        """Forget the writes a flush waited for; raise the first that failed."""
        waited = set(pending)
        self._unsettled = [f for f in self._unsettled if f not in waited]
        for future in pending:
            if future.exception() is not None:
                future.result()  # re-raises it


def _landed(future: Future[None]) -> bool:
    return future.done() and future.exception() is None
