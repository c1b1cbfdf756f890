"""Feed documents are parsed in a child process: the event loop keeps the GIL, a crash stays there.

feedparser is pure Python, about 150 ms of CPU for a 500-item document. Parsed on a thread,
a cycle of 20 such feeds took the GIL from the event loop for seconds: in the loop benchmark
the median reply during a cycle was 2-3 times the idle one, and only the process brought it
back to idle. The loop's one remaining cost is unpickling the drafts (on the pool's own
thread). A document that crashes or kills the parser breaks only the child: that feed fails
with a clear reason and the next parse starts a new child. One worker: feeds are parsed one
at a time, as before; the child costs one Python process's memory (80 MB of RSS after
parsing a 500-item feed).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from multiprocessing.context import BaseContext

from bot.ingest.feedparse import ParsedFeed, parse_feed

log = logging.getLogger(__name__)

ParseFn = Callable[..., ParsedFeed]  # parse_feed's shape: (data, *, fetched_at, content_type)


class ParseCrashed(Exception):
    """The parser's process died on a document (the feed fails; the next parse gets a new one)."""


class ParserPool:
    """Parse feed documents one at a time in a child process started on first use."""

    def __init__(self, parse: ParseFn = parse_feed) -> None:
        self._parse = parse
        self._pool: ProcessPoolExecutor | None = None

    async def parse(
        self, data: bytes, *, fetched_at: datetime, content_type: str | None
    ) -> ParsedFeed:
        """Return the parsed document; raise ParseCrashed if the child died on it."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=_context())
        call = functools.partial(
            self._parse, data, fetched_at=fetched_at, content_type=content_type
        )
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, call)
        except BrokenProcessPool:
            log.warning("the feed parser's process died on a %d-byte document", len(data))
            self.shutdown()  # the next document gets a new child
            raise ParseCrashed("the feed parser crashed on this document") from None

    def shutdown(self) -> None:
        """Stop the child (a parse in flight is abandoned)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _context() -> BaseContext:
    """Return the forkserver's context (children forked from a clean, single-threaded process).

    Not a plain fork of the bot: that would copy its threads' locks mid-use. Where there is
    no forkserver (Windows), spawn. Nothing is preloaded into the forkserver: the child
    imports the parser once, and a preload measured worse in the loop benchmark (p99 70-84
    against 26-29 ms), the server's imports landing in the middle of the first cycle.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    return multiprocessing.get_context("forkserver")
