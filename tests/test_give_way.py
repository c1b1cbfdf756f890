"""Start-up's background work gives way to the updates in flight (issue 25: the first minute).

The stories' warm-up (a thread) and the digests' planning (a task on the loop) work in short
slices and, between them, wait until no update is being handled; the planning still plans
every subscription, and catches up the digests missed, as one pass would.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app.inflight import InFlight
from bot.archive import writer
from bot.archive.store import ArticleStore
from bot.config import Config
from bot.digests import startplan
from bot.digests.jobs import Planner, job_name
from bot.digests.records import Subscription
from bot.digests.schedule import catch_up_due
from bot.services import Services, open_services
from tests.conftest import FakeClock
from tests.test_digest_planner import FakeJobQueue
from tests.test_digest_store import open_store
from tests.test_stories_service import drafts
from tests.test_stories_startup import VOLCANO, CountingStore, open_stories

NOW = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
ENOUGH = 60.0  # seconds: a bound no test reaches; the order of events is what is checked


async def test_a_thread_giving_way_waits_until_the_update_in_flight_is_answered() -> None:
    in_flight = InFlight(4)
    order: list[str] = []
    entered, release = asyncio.Event(), asyncio.Event()
    waiting = threading.Event()

    async def handle() -> None:
        entered.set()
        await release.wait()
        order.append("answered")

    update = asyncio.create_task(in_flight.process_update(object(), handle()))
    await entered.wait()
    assert in_flight.count == 1

    def background() -> None:
        waiting.set()
        in_flight.give_way(ENOUGH)
        order.append("background")

    done = asyncio.get_running_loop().run_in_executor(None, background)
    await asyncio.to_thread(waiting.wait)
    release.set()
    await asyncio.gather(update, done)
    assert order == ["answered", "background"]
    assert in_flight.count == 0


async def test_the_loop_giving_way_waits_for_the_update_in_flight() -> None:
    in_flight = InFlight(4)
    order: list[str] = []
    release, started, entered = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def handle() -> None:
        started.set()
        await release.wait()
        order.append("answered")

    async def planning() -> None:
        entered.set()
        await in_flight.give_way_async(ENOUGH)
        order.append("planning")

    update = asyncio.create_task(in_flight.process_update(object(), handle()))
    await started.wait()  # the update is in flight
    step = asyncio.create_task(planning())
    await entered.wait()  # planning is giving way
    release.set()
    await asyncio.gather(update, step)
    assert order == ["answered", "planning"]


async def test_giving_way_with_nothing_in_flight_goes_on_at_once() -> None:
    in_flight = InFlight(4)
    await in_flight.give_way_async(ENOUGH)
    await asyncio.to_thread(in_flight.give_way, ENOUGH)


def test_the_warm_up_gives_way_between_slices_and_restores_the_same_window(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ArticleStore(tmp_path, retention_days=0, clock=clock)
    store.initialize()
    stories = open_stories(store, tmp_path)
    store.add_many(drafts(VOLCANO[:2], clock))
    stories.shutdown()
    monkeypatch.setattr(writer, "WORK_SECONDS", 0.0)  # a pause after every item
    monkeypatch.setattr(writer, "PAUSE_SECONDS", 0.0)
    calls: list[str] = []
    again = open_stories(CountingStore(store), tmp_path)
    worker = threading.Thread(target=again.warm_up, args=(lambda: calls.append("gave way"),))
    worker.start()  # off the main thread, as in the bot: the loop's thread never pauses
    worker.join()
    assert len(calls) >= 2  # between the pick's chunks and between the restored items
    store.add_many(drafts(VOLCANO[2:], clock))
    ids = {a.source: a.id for a in store}
    assert again.story_of(ids["BBC"]) == again.story_of(ids["Reuters"])  # the window is back


def subscriptions(count: int) -> list[Subscription]:
    """Return subscriptions on a few shared slots; some missed a digest while the bot was down."""
    return [
        Subscription(
            f"{n:08x}",
            1000 + n,
            "",
            (6 + n % 3) % 24,  # 06:xx (missed an hour ago), 07:xx, 08:xx
            (n % 4) * 15,
            ("UTC", "Europe/Berlin")[n % 2],
            NOW - timedelta(days=2),
            last_due=None if n % 5 else NOW - timedelta(days=1),
        )
        for n in range(count)
    ]


async def test_planning_in_short_steps_plans_every_subscription_and_catches_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _users, store = open_store(tmp_path)
    subs = subscriptions(120)
    store.add_many(subs)
    planner = Planner(lambda context: None, lambda: NOW, timedelta(hours=6))
    planner.attach(FakeJobQueue())
    monkeypatch.setattr(startplan, "PLAN_STEP", 0.0)  # every step ends after one subscription
    steps: list[int] = []
    queued: dict[str, datetime] = {}

    async def give_way() -> None:
        steps.append(sum(planner.job_of(s) is not None for s in subs))

    planned = await startplan.plan_all(
        store,
        planner,
        lambda chat, sub_id, due: queued.setdefault(sub_id, due),
        timedelta(hours=6),
        lambda: NOW,
        give_way,
    )
    assert planned == len(subs) == len(steps)
    assert steps == list(range(1, len(subs) + 1))  # one subscription a step, each planned
    for sub in subs:
        assert planner.job_of(sub).name == job_name(sub.slot.next_due(NOW))
        missed = catch_up_due(sub.slot, NOW, last_due=sub.last_due, created=sub.created)
        assert queued.get(sub.sub_id) == missed
    assert queued  # the 06:00 UTC ones, and Berlin's (an hour ahead): missed and sent


def test_a_warm_up_stopped_as_the_bot_stops_ends_at_a_pause_and_resumes_when_needed(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Config(data_dir=tmp_path, seeds_dir=tmp_path / "no-seeds")
    services = open_services(config, write=True)
    services.store.add_many(drafts(VOLCANO[:2], clock))
    services.shutdown()
    monkeypatch.setattr(writer, "WORK_SECONDS", 0.0)  # a pause after every item
    monkeypatch.setattr(writer, "PAUSE_SECONDS", 0.0)
    whole: list[str] = []
    warm_up_in_a_thread(open_services(config, write=True), whole.append, close=True)
    again = open_services(config, write=True)
    calls: list[str] = []

    def give_way(call: str) -> None:  # the bot begins stopping with the first article replayed
        calls.append(call)
        if len(calls) == len(whole) - 2:
            again.stop_warm_up()

    warm_up_in_a_thread(again, give_way)
    assert len(calls) == len(whole) - 2  # it stopped at the next pause
    again.store.add_many(drafts(VOLCANO[2:], clock))  # the engine finishes the window now
    ids = {a.source: a.id for a in again.store}
    assert again.stories.story_of(ids["BBC"]) == again.stories.story_of(ids["Reuters"])
    again.shutdown()


def warm_up_in_a_thread(
    services: Services, give_way: Callable[[str], object], close: bool = False
) -> None:
    """Run the warm-up off the main thread, as the bot does (the main thread never pauses)."""
    worker = threading.Thread(target=services.warm_up, args=(lambda: give_way("gave way"),))
    worker.start()
    worker.join()
    if close:
        services.shutdown()


def reopened_with_articles(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Services:
    """Return services reopened over two stored articles, pausing after every warm-up item."""
    config = Config(data_dir=tmp_path, seeds_dir=tmp_path / "no-seeds")
    services = open_services(config, write=True)
    services.store.add_many(drafts(VOLCANO[:2], clock))
    services.shutdown()
    monkeypatch.setattr(writer, "WORK_SECONDS", 0.0)  # a pause after every item
    monkeypatch.setattr(writer, "PAUSE_SECONDS", 0.0)
    return open_services(config, write=True)


def test_closing_the_services_waits_for_a_running_warm_up_to_stop(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `newsbrief chat` closes its services while the loop (and its executor) still runs: on
    # PostgreSQL the warm-up's next body read met a closed pool and logged a traceback.
    again = reopened_with_articles(tmp_path, clock, monkeypatch)
    paused = threading.Event()
    calls: list[str] = []

    def give_way() -> None:  # the warm-up is in the middle of its work when the bot stops
        calls.append("gave way")
        paused.set()
        again.stopping.wait(ENOUGH)

    worker = threading.Thread(target=again.warm_up, args=(give_way,))
    worker.start()
    assert paused.wait(ENOUGH)
    again.shutdown()
    closed = len(calls)
    worker.join()
    assert len(calls) == closed  # it had stopped before anything it reads was closed


def test_a_warm_up_that_begins_after_the_services_closed_does_nothing(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    again = reopened_with_articles(tmp_path, clock, monkeypatch)
    again.shutdown()
    calls: list[str] = []
    warm_up_in_a_thread(again, calls.append)  # the executor ran it late: it must not start
    assert calls == []
