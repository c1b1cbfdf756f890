"""The digest planner keeps one job per due instant without scanning the JobQueue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apscheduler.jobstores.base import JobLookupError

from bot.digests.jobs import Planner, job_name
from bot.digests.records import Subscription

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


class FakeJob:
    """A scheduled job; removing one that already ran fails as APScheduler's does."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.alive = True
        self.ran = False

    def schedule_removal(self) -> None:
        if self.ran:
            raise JobLookupError(self.name)
        self.alive = False


class FakeJobQueue:
    """Records jobs; looking jobs up by name is what the planner must not need."""

    def __init__(self) -> None:
        self.jobs: list[FakeJob] = []

    def run_once(self, callback: Any, when: Any, **kwargs: Any) -> FakeJob:
        job = FakeJob(kwargs["name"])
        self.jobs.append(job)
        return job

    def get_jobs_by_name(self, name: str) -> list[FakeJob]:
        raise AssertionError("the planner scanned every job to find one")

    def alive(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for job in self.jobs:
            if job.alive and not job.ran:
                counts[job.name] = counts.get(job.name, 0) + 1
        return counts


def sub(n: int) -> Subscription:
    return Subscription(f"s{n}", 100 + n, "", 8, n % 60, "UTC", NOW - timedelta(days=1))


@pytest.fixture
def planned() -> tuple[Planner, FakeJobQueue]:
    planner = Planner(lambda context: None, lambda: NOW, timedelta(hours=1))
    queue = FakeJobQueue()
    planner.attach(queue)
    return planner, queue


def test_one_job_per_due_instant_and_the_queue_is_never_scanned(
    planned: tuple[Planner, FakeJobQueue],
) -> None:
    planner, queue = planned
    subs = [sub(n) for n in range(500)]  # 08:00 to 08:59: 60 instants
    for s in subs:
        planner.schedule(s)
    for s in subs[:100]:  # retimed, or a restart rebuilding them
        planner.schedule(s)
    alive = queue.alive()
    assert len(alive) == 60 and set(alive.values()) == {1}
    for s in subs:
        if s.minute == 59:
            planner.unschedule(s)
    assert len(queue.alive()) == 59  # the last subscription of an instant takes its job along
    due = subs[0].slot.next_due(NOW)
    assert planner.take(due) == sorted(s.sub_id for s in subs if s.minute == 0)
    assert planner.take(due) == []


def test_a_job_that_has_run_is_replaced_without_an_error(
    planned: tuple[Planner, FakeJobQueue],
) -> None:
    """A due job reschedules its subscriptions; the scheduler already dropped the old job."""
    planner, queue = planned
    planner.schedule(sub(1))
    queue.jobs[-1].ran = True
    planner.schedule(sub(1))
    assert queue.alive() == {job_name(sub(1).slot.next_due(NOW)): 1}
    planner.unschedule(sub(1))
    assert queue.alive() == {}


def test_subscriptions_in_other_zones_due_at_the_same_instant_share_its_job(
    planned: tuple[Planner, FakeJobQueue],
) -> None:
    planner, queue = planned
    utc = sub(0)
    kyiv = Subscription("k", 7, "", 10, 0, "Europe/Kyiv", NOW - timedelta(days=1))  # 08:00 UTC
    planner.schedule(utc)
    planner.schedule(kyiv)
    assert len(queue.alive()) == 1
    assert planner.job_of(utc) is planner.job_of(kyiv)
