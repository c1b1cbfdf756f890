"""A second process that analyses a big batch's articles while the engine assigns earlier ones.

Analysing an article (language, tokens, stems, name and number keys: `Analyzer.analyse`) is a
pure function of its text and about a third of an assignment; the rest depends on every article
before it and stays in order, in the engine's thread. A batch of MIN_ITEMS or more (an import,
a rebuild) is cut into parts; the worker analyses parts ahead while this thread assigns.

This thread never waits for the worker: a part whose analysis is not ready (the worker is still
starting, or the machine is busy) is analysed here, by the engine, as without a worker. The
result is the same either way (a test holds the two equal), so the stories do not depend on
timing. A worker that fails is dropped with a warning; the batch goes on without it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import wait as futures_wait
from itertools import islice, repeat
from multiprocessing import get_context

from bot.models import Article
from bot.stories.restore import to_item
from bot.stories.text import Analysis, Analyzer
from bot.stories.values import EngineSettings, StoryItem

log = logging.getLogger(__name__)

MIN_ITEMS = 1000  # fewer: the worker's start (about a second of imports) is not worth it
PART = 100  # items per part: the first part waits for no one, later ones mostly not either
Prepared = tuple[Article, StoryItem, Analysis | None]  # an article ready for the engine


def analyse_all(items: Sequence[StoryItem], body_tokens: int) -> list[Analysis]:
    """Return the analyses of items (run in the worker)."""
    analyzer = Analyzer(body_tokens)
    return [analyzer.analyse(item) for item in items]


def prepared_chunks(
    batches: Iterable[Sequence[Article]], settings: EngineSettings, size: int | None = None
) -> Iterator[Iterator[Prepared]]:
    """Yield each batch's articles (`size` at a time, or whole) with items and analyses ahead.

    Each chunk is lazy and must be used up before the next: an analysis is taken only when
    its article is reached, so the worker has had the time the articles before it took. One
    worker serves all the batches of a call (a build's thousands, an import's batch) and stops
    when the call ends: no process outlives the work it was started for.
    """
    worker = AnalysisWorker(settings.body_tokens)
    try:
        for batch in batches:
            pairs = zip(batch, worker.ahead([to_item(a) for a in batch]), strict=True)
            prepared = ((a, *pair) for a, pair in pairs)
            step = size or len(batch)
            for _ in range(0, len(batch), step):
                yield islice(prepared, step)
    finally:
        worker.close()


class AnalysisWorker:
    """Own one worker process, started on the first big batch and stopped by `close`."""

    def __init__(self, body_tokens: int, min_items: int = MIN_ITEMS, patient: bool = False) -> None:
        self._body_tokens = body_tokens
        self._min_items = min_items
        self._patient = patient  # wait for every part (tests: the worker's path, always)
        self._pool: ProcessPoolExecutor | None = None

    def ahead(self, items: Sequence[StoryItem]) -> Iterator[tuple[StoryItem, Analysis | None]]:
        """Yield each item with its analysis when the worker has it ready, else with None."""
        if len(items) < self._min_items:
            yield from zip(items, repeat(None))
            return
        parts = [items[k : k + PART] for k in range(0, len(items), PART)]
        # The first part is analysed here while the worker takes the others.
        futures = [self._submit(part) for part in parts[1:]]
        try:
            yield from zip(parts[0], repeat(None))
            for part, future in zip(parts[1:], futures, strict=True):
                yield from zip(part, self._ready(future, len(part)), strict=True)
        finally:
            for future in filter(None, futures):
                future.cancel()  # a part the consumer did not take (it stopped early)

    def close(self) -> None:
        """Stop the worker process, if one was started."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _submit(self, part: Sequence[StoryItem]) -> Future[list[Analysis]] | None:
        if self._pool is None:
            # spawn, not fork: the bot's threads (the writer, the event loop) hold locks a
            # forked child would inherit held.
            self._pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"))
        try:
            return self._pool.submit(analyse_all, list(part), self._body_tokens)
        except RuntimeError:  # a broken pool refuses work
            self._drop()
            return None

    def _ready(self, future: Future[list[Analysis]] | None, size: int) -> list[Analysis | None]:
        """Return the part's analyses if the worker finished them, else Nones."""
        if future is not None and self._patient:
            futures_wait([future])
        if future is None or not future.done():
            if future is not None:
                future.cancel()  # not started yet: spare the worker; it is analysed here
            return [None] * size
        try:
            return list(future.result())
        except Exception:  # the worker died (killed, out of memory): go on without it
            log.warning("story analysis worker failed; analysing in this thread", exc_info=True)
            self._drop()
            return [None] * size

    def _drop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
