"""Polling over time: backoff, deactivation with a note, and jobs on PTB's JobQueue."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from telegram.ext import Application, ApplicationBuilder

from bot.archive.store import ArticleStore
from bot.archive.usertables import EmbeddedUserTables
from bot.backoff import JITTER, retry_after
from bot.feeds import FeedError, FeedService, FeedStatus, FetchSettings, job_name
from tests.conftest import FakeClock
from tests.feeddocs import generate_feed
from tests.feedserver import FeedServer

SETTINGS = FetchSettings(timeout=0.5, connect_timeout=0.5)


@pytest.fixture
async def feeds(
    store: ArticleStore, users: EmbeddedUserTables, clock: FakeClock
) -> AsyncIterator[FeedService]:
    service = FeedService(store, users, allow_private=True, clock=clock, fetch_settings=SETTINGS)
    await service.initialize()
    yield service
    await service.shutdown()


@pytest.fixture
def app() -> Application[Any, Any, Any, Any, Any, Any]:
    return ApplicationBuilder().token("123456:TEST-token").build()


async def test_errors_back_off_exponentially_up_to_a_cap(
    feeds: FeedService, server: FeedServer, clock: FakeClock
) -> None:
    [status] = feeds.seed_feeds([server.url("/status/502")])
    waits = []
    for _ in range(6):
        result = await feeds.poll_feed(status.id, force=False)
        assert result.outcome == "error" and result.error == "HTTP 502 Bad Gateway"
        current = feeds.get_feed(status.id)
        assert current is not None and current.next_poll is not None
        waits.append(current.next_poll - clock())
        early = await feeds.poll_feed(status.id, force=False)
        assert (early.outcome, early.error) == ("skipped", "backing off")
        clock.now = current.next_poll
    full = [timedelta(minutes=m) for m in (30, 60, 120, 240, 360, 360)]
    # Each wait is the full one less up to a fifth at random (bot/backoff.py: jitter).
    assert all((1 - JITTER) * f <= w <= f for w, f in zip(waits, full, strict=True)), waits
    assert server.count("/status/502") == 6


@pytest.mark.parametrize(
    ("path", "wait"),
    [
        ("/status/429?retry_after=7200", timedelta(hours=2)),
        ("/status/503?retry_after=7200", timedelta(hours=2)),
        ("/status/429?retry_after=9999999", timedelta(hours=6)),  # no longer than the cap
    ],
)
async def test_a_server_that_asks_to_wait_is_not_asked_again_sooner(
    feeds: FeedService, server: FeedServer, clock: FakeClock, path: str, wait: timedelta
) -> None:
    # Retry-After was ignored: a feed told to wait two hours was fetched again in 30 minutes.
    [status] = feeds.seed_feeds([server.url(path)])
    result = await feeds.poll_feed(status.id, force=False)
    assert result.outcome == "error" and result.error is not None
    current = feeds.get_feed(status.id)
    assert current is not None and current.next_poll == clock() + wait


def test_retry_after_is_read_as_seconds_or_a_date() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert retry_after("120", now) == 120.0
    assert retry_after("Sun, 01 Mar 2026 14:00:00 GMT", now) == 7200.0
    assert (retry_after("9" * 400, now) or 0) > 86400 * 365  # long: the poller caps it
    for useless in (None, "", "0", "soon", "-5", "Sun, 01 Mar 2026 11:00:00 GMT"):
        assert retry_after(useless, now) is None, useless


async def test_a_feed_that_recovers_is_back_to_its_interval(
    feeds: FeedService, server: FeedServer, clock: FakeClock
) -> None:
    [status] = feeds.seed_feeds([server.url("/flaky.xml")])
    assert (await feeds.poll_feed(status.id)).error == "HTTP 404 Not Found"
    server.put("/flaky.xml", generate_feed(1, 2))
    result = await feeds.poll_feed(status.id)
    assert result.outcome == "new" and len(result.added) == 2
    current = feeds.get_feed(status.id)
    assert current is not None
    assert (current.failures, current.last_error) == (0, None)
    assert current.next_poll == clock() + timedelta(minutes=15)


async def test_a_feed_failing_for_days_is_deactivated_and_admins_are_told(
    feeds: FeedService, server: FeedServer, clock: FakeClock, app: Any
) -> None:
    notes: list[FeedStatus] = []

    async def tell_admins(status: FeedStatus) -> None:
        notes.append(status)

    feeds.add_deactivation_listener(tell_admins)
    [dead] = feeds.seed_feeds([server.url("/status/410")])
    feeds.schedule(app.job_queue)
    polls = 0
    while feeds.get_feed(dead.id).active:  # type: ignore[union-attr]
        await feeds.poll_feed(dead.id)
        polls += 1
        clock.advance(hours=6)
    assert polls == 13  # every 6 h (the backoff cap) for 3 days
    [note] = notes
    assert not note.active and note.next_poll is None
    assert note.note is not None and "deactivated: failing since 2026-03-01 12:00 UTC" in note.note
    assert "HTTP 410" in note.note
    assert app.job_queue.get_jobs_by_name(job_name(dead.id)) == ()
    assert await feeds.poll_all() == []
    skipped = await feeds.poll_feed(dead.id)
    assert (skipped.outcome, skipped.error) == ("skipped", "inactive")


async def test_adding_a_feed_turned_off_for_failing_turns_it_on_again(
    feeds: FeedService, server: FeedServer, clock: FakeClock, app: Any
) -> None:
    # The admin told "Feed … was turned off" had no way back: /addfeed said "already added as
    # …", and only /removefeed and adding it anew brought it back.
    [status] = feeds.seed_feeds([server.url("/back.xml")])
    feeds.schedule(app.job_queue)
    while feeds.get_feed(status.id).active:  # type: ignore[union-attr]
        await feeds.poll_feed(status.id)
        clock.advance(hours=6)
    with pytest.raises(FeedError, match="HTTP 404"):  # still down: it stays off
        await feeds.add_feed(server.url("/back.xml"))
    assert not feeds.get_feed(status.id).active  # type: ignore[union-attr]
    server.put("/back.xml", generate_feed(7, 3))
    again = await feeds.add_feed(server.url("/back.xml"))
    assert (again.id, again.active, again.note, again.failures) == (status.id, True, None, 0)
    assert (again.items, again.articles) == (3, 3)
    assert app.job_queue.get_jobs_by_name(job_name(status.id))
    with pytest.raises(FeedError, match=f"already added as {status.id}"):
        await feeds.add_feed(server.url("/back.xml"))


async def test_a_feed_turned_off_comes_back_though_it_did_not_change_meanwhile(
    feeds: FeedService, server: FeedServer, clock: FakeClock
) -> None:
    # Fetched with the ETag of its last success, the unchanged feed answered 304, and adding
    # it again failed with "not an RSS or Atom feed".
    server.put("/same.xml", generate_feed(8, 2))
    status = await feeds.add_feed(server.url("/same.xml"))
    record = feeds.registry.get(status.id)
    assert record is not None and record.etag is not None
    record.active, record.note = False, "deactivated: failing since … (HTTP 404 Not Found)"
    await feeds.registry.save(record)
    again = await feeds.add_feed(server.url("/same.xml"))
    assert (again.active, again.items, again.articles) == (True, 2, 0)


async def test_schedule_adds_one_named_job_per_feed_spread_over_the_interval(
    feeds: FeedService, server: FeedServer, app: Any
) -> None:
    statuses = feeds.seed_feeds([server.url(f"/gen/{n}.xml") for n in range(4)])
    feeds.schedule(app.job_queue)
    feeds.schedule(app.job_queue)  # again, e.g. after a restart of the jobs: no duplicates
    jobs = sorted(app.job_queue.jobs(), key=lambda j: j.job.trigger.start_date)
    assert [j.name for j in jobs] == [job_name(s.id) for s in statuses]
    starts = [j.job.trigger.start_date for j in jobs]
    gaps = {round((b - a).total_seconds()) for a, b in itertools.pairwise(starts)}
    assert gaps == {225}  # 15 min / 4 feeds
    assert {j.job.trigger.interval for j in jobs} == {timedelta(minutes=15)}


async def test_added_and_removed_feeds_join_and_leave_the_schedule(
    feeds: FeedService, server: FeedServer, app: Any
) -> None:
    feeds.schedule(app.job_queue)
    status = await feeds.add_feed(server.url("/gen/3.xml"), interval_minutes=7)
    [job] = app.job_queue.get_jobs_by_name(job_name(status.id))
    assert job.job.trigger.interval == timedelta(minutes=7)
    assert await feeds.remove_feed(status.id)
    assert app.job_queue.get_jobs_by_name(job_name(status.id)) == ()


async def test_a_job_run_polls_its_feed(
    feeds: FeedService, server: FeedServer, store: ArticleStore, app: Any
) -> None:
    [status] = feeds.seed_feeds([server.url("/gen/21.xml?items=3")])
    feeds.schedule(app.job_queue)
    [job] = app.job_queue.get_jobs_by_name(job_name(status.id))
    await job.run(app)
    assert len(store) == 3
    current = feeds.get_feed(status.id)
    assert current is not None and current.last_status == "3 new of 3 items"


async def test_after_a_restart_a_polled_feed_keeps_its_place(
    feeds: FeedService, server: FeedServer, clock: FakeClock, app: Any
) -> None:
    polled = await feeds.add_feed(server.url("/gen/1.xml?items=1"))
    [fresh] = feeds.seed_feeds([server.url("/gen/2.xml?items=1")])
    clock.advance(minutes=5)
    feeds.schedule(app.job_queue)
    starts = {j.name: j.job.trigger.start_date for j in app.job_queue.jobs()}
    wait = starts[job_name(polled.id)] - starts[job_name(fresh.id)]
    # fresh: due now (5 s after start, the 2nd of two feeds: +7.5 min); polled: due in 10 min.
    assert round(wait.total_seconds()) == 600 - 5 - 450
