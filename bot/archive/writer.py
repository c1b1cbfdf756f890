"""One writer thread for the store and the search index: blocking writes leave the event loop.

A feed cycle can add thousands of articles: serialising segments, fsyncs and the tantivy
commit take seconds. Run on the asyncio loop, they would stall every user's reply; run in
`asyncio.to_thread`'s pool, two batches could commit out of order or at once. One thread,
first come first served, keeps the writes ordered and the store single-writer (the store's
listeners, such as the index, run on the same thread). Readers stay on the loop.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from bot.archive.heap import settle

P = ParamSpec("P")
T = TypeVar("T")
# A thread running Python code flat out wins the GIL back within the switch interval every
# time the loop lets go of it (each socket call), so a reply takes several times as long
# while a feed batch is being committed. A millisecond's sleep after every 4 ms of work hands
# the loop the GIL outright: in the 10,000-article benchmark batch, replies stalled 200-800 ms
# without it, none over 60 ms with it, for at most a quarter more time on the writer thread.
WORK_SECONDS = 0.004
PAUSE_SECONDS = 0.001


class Writer:
    """Run blocking writes one at a time, in order, on a thread of their own."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsbrief-writer")

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run fn(*args, **kwargs) on the writer thread; wait without blocking the loop.

        A cancelled caller does not cancel a write already started: it completes, so the
        files never stop half-way because a handler gave up.
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))

    async def commit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a large write (a batch of articles, retention) like `run`, then settle the heap."""
        return await self.run(_then_settle, functools.partial(fn, *args, **kwargs))

    def shutdown(self) -> None:
        """Finish the writes already asked for, then stop the thread."""
        self._pool.shutdown(wait=True)


def _then_settle(call: Callable[[], T]) -> T:
    """Run call, then freeze what it left out of later full collections (bot.archive.heap)."""
    try:
        return call()
    finally:
        settle()


def paced(items: Iterable[T], give_way: Callable[[], object] | None = None) -> Iterator[T]:
    """Yield items; off the main thread, pause after every WORK_SECONDS of work for replies.

    give_way, called at each pause, may wait longer: until the replies in flight are sent.
    """
    if threading.current_thread() is threading.main_thread():
        # The main thread is the event loop's (a pause would only stall it) or, in
        # `newsbrief import`, the only one: nobody waits for the GIL, and the pauses cost
        # a fifth of the import's time.
        yield from items
        return
    started = time.perf_counter()
    for item in items:
        yield item
        if time.perf_counter() - started >= WORK_SECONDS:
            time.sleep(PAUSE_SECONDS)
            if give_way is not None:
                give_way()
            started = time.perf_counter()
