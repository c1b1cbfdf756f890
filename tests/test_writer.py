"""Store and index writes leave the event loop: one writer thread, in the order asked."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.archive import writer as writer_module
from bot.archive.writer import Writer, paced
from bot.config import Config
from bot.services import Services, open_services
from tests.feeddocs import generate_feed
from tests.feedserver import FeedServer
from tests.opskit import empty_seeds


async def test_writes_run_one_at_a_time_in_order_on_one_thread() -> None:
    writer = Writer()
    seen: list[tuple[int, str]] = []

    def write(n: int) -> int:
        seen.append((n, threading.current_thread().name))
        return n * 2

    try:
        results = await asyncio.gather(*(writer.run(write, n) for n in range(20)))
    finally:
        writer.shutdown()
    assert results == [n * 2 for n in range(20)]
    assert [n for n, _ in seen] == list(range(20))
    assert {name for _, name in seen} == {"newsbrief-writer_0"}


@dataclass
class Watched:
    """Services with feeds on loopback, and the threads the store's listeners ran on."""

    services: Services
    threads: list[str]


@pytest.fixture
async def watched(tmp_path: Path) -> AsyncIterator[Watched]:
    config = Config(data_dir=tmp_path / "data", seeds_dir=empty_seeds(tmp_path))
    services = open_services(config, write=True)
    services.feeds.allow_private = True
    threads: list[str] = []
    services.store.add_listener(lambda articles: threads.append(threading.current_thread().name))
    await services.feeds.initialize()
    try:
        yield Watched(services, threads)
    finally:
        await services.feeds.shutdown()
        services.shutdown()
        gc.unfreeze()


async def test_a_feed_cycle_commits_store_and_index_off_the_loop(
    watched: Watched, server: FeedServer
) -> None:
    """The store's listeners (the search index among them) run on the writer thread."""
    services = watched.services
    server.put("/big.xml", generate_feed(7, 200))
    services.feeds.seed_feeds([server.url("/big.xml")])
    frozen = gc.get_freeze_count()
    [result] = await services.feeds.poll_all()
    assert len(result.added) == 200
    assert gc.get_freeze_count() > frozen  # the batch's articles left the full passes
    assert watched.threads == ["newsbrief-writer_0"]  # not the loop's thread
    assert services.search.search("feed 7 story 123").total > 0  # and the index has them


async def test_adding_a_feed_stores_its_items_off_the_loop(
    watched: Watched, server: FeedServer
) -> None:
    """/addfeed stores the feed's first items on the writer thread, like a poll cycle."""
    server.put("/first.xml", generate_feed(3, 50))
    status = await watched.services.feeds.add_feed(server.url("/first.xml"))
    assert status.items == 50
    assert watched.threads == ["newsbrief-writer_0"]


class Node:
    """An object that can sit in a reference cycle and be watched through a weak reference."""

    def __init__(self) -> None:
        self.me = self


async def test_a_large_write_frees_its_cyclic_garbage_and_freezes_the_survivors() -> None:
    """A full collection after a batch must not walk the archive (bot.archive.heap)."""
    writer = Writer()
    gone: list[weakref.ref[Node]] = []

    def batch() -> list[Node]:
        gone.append(weakref.ref(Node()))  # a cycle nobody holds: garbage for the collector
        return [Node()]

    gc.disable()  # only the settle may collect here
    try:
        frozen = gc.get_freeze_count()
        [kept] = await writer.commit(batch)
        assert gone[0]() is None  # freed, not frozen
        assert gc.get_freeze_count() > frozen
        in_a_generation = (o is kept for g in range(3) for o in gc.get_objects(generation=g))
        assert not any(in_a_generation)  # frozen: no collection walks it again
    finally:
        gc.enable()
        gc.unfreeze()
        writer.shutdown()


class FakeTime:
    """A clock where each item of work takes 1 ms, and sleeps are recorded."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def perf_counter(self) -> float:
        self.now += 0.001
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def _on_a_thread(items: range) -> list[int]:
    """Return what paced yields on a thread of its own, like the writer's."""
    out: list[int] = []
    thread = threading.Thread(target=lambda: out.extend(paced(items)))
    thread.start()
    thread.join()
    return out


def test_paced_work_pauses_after_every_few_milliseconds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writer-thread loops hand the GIL to the event loop between slices of work."""
    fake = FakeTime()
    monkeypatch.setattr(writer_module, "time", fake)
    assert _on_a_thread(range(40)) == list(range(40))
    assert fake.sleeps  # without pauses a flat-out thread keeps winning the GIL back
    slices = 40 / len(fake.sleeps)  # items (1 ms each) between two pauses
    assert writer_module.WORK_SECONDS * 1000 <= slices <= writer_module.WORK_SECONDS * 1000 + 1
    assert set(fake.sleeps) == {writer_module.PAUSE_SECONDS}


def test_paced_work_on_the_main_thread_never_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    """`newsbrief import` works on the main thread, where nobody waits for the GIL."""
    fake = FakeTime()
    monkeypatch.setattr(writer_module, "time", fake)
    assert list(paced(range(40))) == list(range(40))
    assert fake.sleeps == []
