"""Feed documents are parsed in a child process: the event loop keeps the GIL, a crash stays there.

feedparser is pure Python, about 150 ms of CPU for a 500-item document. Parsed on a thread,
a cycle of 20 such feeds took the GIL from the event loop for seconds: in the loop benchmark
the median reply during a cycle was 2-3 times the idle one, and only the process brought it
back to idle. The loop's one remaining cost is unpickling the drafts (on the pool's own
thread). A document that crashes or kills the parser breaks only the child: that feed fails
with a clear reason and the next parse starts a new child. So does a document the parser
is still on after PARSE_TIMEOUT: feeds are parsed one at a time, and one stuck parse would
otherwise stall every feed. One worker: feeds are parsed one at a time, as before; the child costs one Python process's memory (80 MB of RSS after
parsing a 500-item feed).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from multiprocessing.context import BaseContext

from bot.ingest.feedparse import ParsedFeed, import_parsers, parse_feed

log = logging.getLogger(__name__)

ParseFn = Callable[..., ParsedFeed]  # parse_feed's: (data, *, fetched_at, content_type, location)
PARSE_TIMEOUT = 60.0  # seconds; a 500-item document takes about 0.15 s


class ParseCrashed(Exception):
    """The parser's process died or hung on a document (that feed fails; the next gets a new one)."""


class ParserPool:
    """Parse feed documents one at a time in a child process started on first use."""

    def __init__(self, parse: ParseFn = parse_feed, *, timeout: float = PARSE_TIMEOUT) -> None:
        self._parse = parse
        self._timeout = timeout
        self._pool: ProcessPoolExecutor | None = None
        self._child: int | None = None  # the worker's pid: a hung parse is stopped by a kill

    async def parse(
        self,
        data: bytes,
        *,
        fetched_at: datetime,
        content_type: str | None,
        location: str | None = None,
    ) -> ParsedFeed:
        """Return the parsed document; raise ParseCrashed if the child died or hung on it."""
        loop = asyncio.get_running_loop()
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=_context())
            # Handing the child the parse function makes it import the function's module now,
            # so the timeout below counts parsing only, not a cold import on a loaded machine.
            self._child = await loop.run_in_executor(self._pool, _pid_with, self._parse)
        call = functools.partial(
            self._parse, data, fetched_at=fetched_at, content_type=content_type, location=location
        )
        try:
            return await asyncio.wait_for(loop.run_in_executor(self._pool, call), self._timeout)
        except BrokenProcessPool:
            log.warning("the feed parser's process died on a %d-byte document", len(data))
            self.shutdown()  # the next document gets a new child
            raise ParseCrashed("the feed parser crashed on this document") from None
        except TimeoutError:
            log.warning("the feed parser hung on a %d-byte document; stopped", len(data))
            self.shutdown()
            raise ParseCrashed(
                f"the feed parser was still on this document after {self._timeout:.0f} s"
            ) from None

    def _stop_child(self) -> None:
        """Kill the worker if it still runs (a pool cannot cancel a call that is running)."""
        # Through its Process object, which knows whether it ended: a bare pid may be reused.
        for child in multiprocessing.active_children():
            if child.pid == self._child:
                child.kill()
        self._child = None

    def shutdown(self) -> None:
        """Stop the child (a parse in flight is abandoned)."""
        self._stop_child()  # a parse still running would hold the bot's exit until it ends
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _pid_with(parse: ParseFn) -> int:
    """Return the child's pid once `parse` (and so its module) and the feed libraries are loaded."""
    import_parsers()  # bot.ingest.feedparse imports them on first use: not in the bot's start
    return os.getpid()


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
