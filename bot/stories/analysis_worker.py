"""A second process that analyses a big batch's articles while the engine assigns earlier ones.

An article's features (language, stems, name and number keys, their weights:
`ahead.features_of`) and its body's signature for copies (`copies.signature`, a MinHash) are
pure functions of its text and about half of an assignment; the rest depends on every article
before it and stays in order, in the engine's thread. A batch of MIN_ITEMS or more (an import,
a rebuild) is cut into parts; the worker analyses parts ahead while this thread assigns, and a
build's next batch is sent before this one is assigned, so the worker never idles between them.

This thread never waits for the worker: a part whose analysis is not ready (the worker is still
starting, or the machine is busy) is analysed here, by the engine, as without a worker. The
result is the same either way (a test holds the two equal), so the stories do not depend on
timing. A worker that fails is dropped with a warning; the batch goes on without it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import wait as futures_wait
from contextlib import contextmanager
from itertools import islice, repeat
from multiprocessing import get_context
from typing import NamedTuple, TypeVar

from bot.models import Article
from bot.stories.ahead import Ahead, features_of
from bot.stories.copies import Prints, signature
from bot.stories.restore import to_item
from bot.stories.text import Analyzer
from bot.stories.values import EngineSettings, StoryItem

log = logging.getLogger(__name__)

MIN_ITEMS = 1000  # fewer: the worker's start (about a second of imports) is not worth it
PART = 100  # items per part: the first part waits for no one, later ones mostly not either
Prepared = tuple[Article, StoryItem, Ahead | None]  # an article ready for the engine
T = TypeVar("T")
R = TypeVar("R")


def analyse_all(items: Sequence[StoryItem], settings: EngineSettings) -> list[Ahead]:
    """Return the features and body signatures of items (run in the worker)."""
    analyzer = Analyzer(settings.body_tokens)
    return [
        Ahead(features_of(analyzer, item, settings.title_weight), _raw(signature(item.body)))
        for item in items
    ]


def _raw(prints: Prints | None) -> bytes | None:
    # Bytes unpickle as one object; an array costs the engine's thread a reconstruction each.
    return None if prints is None else prints.tobytes()


class Sent(NamedTuple):
    """A batch's items and the worker's futures of its parts (None: a part analysed here)."""

    items: Sequence[StoryItem]
    futures: list[Future[list[Ahead]] | None]


def prepared_chunks(
    batches: Iterable[Sequence[Article]],
    settings: EngineSettings,
    size: int | None = None,
    worker: AnalysisWorker | None = None,
) -> Iterator[Iterator[Prepared]]:
    """Yield each batch's articles (`size` at a time, or whole) with items and analyses ahead.

    Each chunk is lazy and must be used up before the next: an analysis is taken only when
    its article is reached, so the worker has had the time the articles before it took. One
    worker serves all the batches of a call (a build's thousands) and stops when the call
    ends, unless the caller lends its own `worker` (an import's batches come one call each:
    the caller then stops it when they stop coming, `AnalysisWorker.idle`).
    """
    own = worker is None
    worker = worker or AnalysisWorker(settings)
    try:
        for batch, sent in _sent_ahead(worker, batches):
            pairs = zip(batch, worker.take(sent), strict=True)
            prepared = ((a, *pair) for a, pair in pairs)
            step = size or len(batch)
            for _ in range(0, len(batch), step):
                yield islice(prepared, step)
    finally:
        if own:
            worker.close()


def _sent_ahead(
    worker: AnalysisWorker, batches: Iterable[Sequence[Article]]
) -> Iterator[tuple[Sequence[Article], Sent]]:
    """Yield each batch once the next one is sent too: the worker has it while this one is assigned."""
    previous: tuple[Sequence[Article], Sent] | None = None
    for batch in batches:
        items = [to_item(a) for a in batch]
        current = (batch, worker.send(items, here=previous is None, more=previous is not None))
        if previous is not None:
            yield previous
        previous = current
    if previous is not None:
        yield previous


class AnalysisWorker:
    """Own one worker process, started on the first big batch and stopped by `close`."""

    def __init__(
        self,
        settings: EngineSettings,
        min_items: int = MIN_ITEMS,
        patient: bool = False,
        nice: int = 0,
    ) -> None:
        self._settings = settings
        self._min_items = min_items
        self._patient = patient  # wait for every part (the warm-up; tests: the worker's path)
        self._nice = nice  # added to the worker process's niceness (os.nice)
        self._pool: ProcessPoolExecutor | None = None
        # The pool is shared with an idle timer (`idle`), which stops it from its own thread.
        self._lock = threading.RLock()
        self._timer: threading.Timer | None = None

    @property
    def started(self) -> bool:
        """Tell whether the worker process is running: its start is paid already."""
        return self._pool is not None

    def ahead(self, items: Sequence[StoryItem]) -> Iterator[tuple[StoryItem, Ahead | None]]:
        """Yield each item with its analysis when the worker has it ready, else with None."""
        return self.take(self.send(items))

    def send(self, items: Sequence[StoryItem], here: bool = True, more: bool = False) -> Sent:
        """Give the worker the items' parts (the first stays here when `here` and it starts).

        A small batch is analysed here, unless it is `more` of a call that started the worker
        (a build's last thousand): a live feed's few articles are sooner analysed than sent, and
        must not keep a lingering worker (`idle`) alive.
        """
        if len(items) < self._min_items and not (more and self._pool is not None):
            return Sent(items, [])
        parts = range(0, len(items), PART)
        with self._lock:
            self._stop_timer()  # at work again: an idle timer set before must not stop it
            # The first part is analysed here while the worker starts and takes the others.
            here = here and self._pool is None
            return Sent(
                items,
                [None if here and not k else self._submit(items[k : k + PART]) for k in parts],
            )

    def take(self, sent: Sent) -> Iterator[tuple[StoryItem, Ahead | None]]:
        """Yield each sent item with its analysis when the worker has it ready, else with None."""
        items, futures = sent
        if not futures:
            yield from zip(items, repeat(None))
            return
        taken: dict[int, list[Ahead]] = {}  # parts taken back from the worker, analysed here
        try:
            for k, future in enumerate(futures):
                part = _part(items, k)
                # Rather than wait for the worker, analyse its last queued part here: both
                # processes work until the batch is done, and the results are the same.
                while not (self._patient or k in taken or future is None or future.done()):
                    last = _take_back(futures, k)
                    if last is None:
                        break
                    taken[last] = analyse_all(_part(items, last), self._settings)
                found = taken.pop(k) if k in taken else self._ready(future, len(part))
                yield from zip(part, found, strict=True)
        finally:
            for future in filter(None, futures):
                future.cancel()  # a part the consumer did not take (it stopped early)

    def close(self) -> None:
        """Stop the worker process, if one was started."""
        with self._lock:
            self._stop_timer()
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None

    @contextmanager
    def lent(self, linger: float) -> Iterator[AnalysisWorker]:
        """Lend the worker for one call; then let it stop after `linger` idle seconds (`idle`)."""
        try:
            yield self
        finally:
            self.idle(linger)

    def idle(self, linger: float) -> threading.Timer | None:
        """Stop the worker once `linger` seconds pass without work for it; return that timer.

        An import commits a batch at a time, each one call: the worker started for the first
        one serves the next ones too (a start is about a second of imports), and no process
        stays on for long after the work it was started for. A countdown already running
        goes on: only a batch sent to the worker stops it (`send`).
        """
        with self._lock:
            if self._timer is None and self._pool is not None:
                self._timer = threading.Timer(linger, self._close_idle)
                self._timer.daemon = True
                self._timer.start()
            return self._timer

    def _close_idle(self) -> None:
        with self._lock:
            # Stale when a send stopped this timer or a later `idle` set another one.
            if self._timer is threading.current_thread():
                self._timer = None
                self.close()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _submit(self, part: Sequence[StoryItem]) -> Future[list[Ahead]] | None:
        if self._pool is None:
            # spawn, not fork: the bot's threads (the writer, the event loop) hold locks a
            # forked child would inherit held.
            self._pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"))
            if self._nice:  # the first submit starts the process: from a thread at low priority
                return _from_nice_thread(self._nice, self._submit, part)
        try:
            return self._pool.submit(analyse_all, list(part), self._settings)
        except RuntimeError:  # a broken pool refuses work
            self._drop()
            return None

    def _ready(self, future: Future[list[Ahead]] | None, size: int) -> list[Ahead | None]:
        """Return the part's analyses if the worker finished them, else Nones."""
        # A part the worker has begun (or queued next) is sooner done there than started over
        # here; analysing it here too would only put the worker further behind.
        if future is not None and (self._patient or future.running()):
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


def _part(items: Sequence[StoryItem], k: int) -> Sequence[StoryItem]:
    """Return the items of part k."""
    return items[k * PART : (k + 1) * PART]


def _take_back(futures: list[Future[list[Ahead]] | None], after: int) -> int | None:
    """Cancel the last part after `after` the worker has not begun; return its index, or None."""
    for last in range(len(futures) - 1, after, -1):
        future = futures[last]
        if future is None:
            continue  # taken back before
        if not future.cancel():
            return None  # begun, and so is every part before it: the worker takes them in order
        futures[last] = None
        return last
    return None


def _from_nice_thread(nice: int, call: Callable[[T], R], arg: T) -> R:
    """Return call(arg), made in a new thread `nice` steps nicer.

    Linux keeps niceness per thread, and what a thread starts inherits it: the worker process
    is at low priority from its first instruction (its imports are a second of CPU beside the
    first replies), and so is the pool's thread that reads its results.
    """
    done: list[R] = []

    def run() -> None:
        os.nice(nice)
        done.append(call(arg))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if not done:
        raise RuntimeError("the analysis worker could not be started")
    return done[0]
