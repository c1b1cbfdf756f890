"""One JobQueue job per due instant, shared by every subscription due then.

The planner remembers which subscriptions fall due at each instant and the one job that
fires then (named `digests:<UTC instant>`); the job's callback asks `take` for them. A job
per subscription cost APScheduler about 0.4 ms each to add (it inspects the callback's
signature and re-sorts its job list every time): 36 s of the event loop at start-up with
100,000 subscribers, while the bot answered nobody. Subscriptions fall due on whole minutes,
so there are at most a few thousand instants a day however many subscribers there are.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from apscheduler.jobstores.base import JobLookupError

from bot.digests.records import Subscription


class AnyJobQueue(Protocol):
    """The JobQueue calls the service makes (PTB's JobQueue of any context type)."""

    def run_once(
        self,
        callback: Any,
        when: Any,
        data: Any = ...,
        name: Any = ...,
        chat_id: Any = ...,
        user_id: Any = ...,
        job_kwargs: Any = ...,
    ) -> Any: ...


@dataclass(frozen=True, slots=True)
class DueJob:
    """What a due instant's job carries: the instant (its subscriptions come from `take`)."""

    due: datetime


def job_name(due: datetime) -> str:
    """Return the JobQueue name of the job firing at `due`."""
    return f"digests:{due.astimezone(UTC).isoformat()}"


class Planner:
    """Keep each subscription due at its next time (nothing before `attach`)."""

    def __init__(self, callback: Any, clock: Callable[[], datetime], grace: timedelta) -> None:
        self._callback = callback
        self._clock = clock
        self._grace = int(grace.total_seconds())
        self._jobs: AnyJobQueue | None = None
        self._due_of: dict[str, datetime] = {}  # sub id -> the instant it falls due next
        self._subs_at: dict[datetime, set[str]] = {}  # instant -> the sub ids due then
        self._job_at: dict[datetime, Any] = {}  # instant -> the PTB Job firing then

    def attach(self, job_queue: AnyJobQueue) -> None:
        """Schedule on this JobQueue from now on."""
        self._jobs = job_queue

    def schedule(self, sub: Subscription, due: datetime | None = None) -> None:
        """Move the subscription to its next due time (or `due`), adding that instant's job if new."""
        if self._jobs is None:
            return
        self.unschedule(sub)
        due = due or sub.slot.next_due(self._clock())
        self._due_of[sub.sub_id] = due
        subs = self._subs_at.get(due)
        if subs is None:
            subs = self._subs_at[due] = set()
            self._job_at[due] = self._jobs.run_once(
                self._callback,
                when=due,
                name=job_name(due),
                data=DueJob(due),
                job_kwargs={"misfire_grace_time": self._grace, "coalesce": True},
            )
        subs.add(sub.sub_id)

    def unschedule(self, sub: Subscription) -> None:
        """Take the subscription off its instant; remove the instant's job if it was the last."""
        due = self._due_of.pop(sub.sub_id, None)
        subs = self._subs_at.get(due) if due is not None else None
        if due is None or subs is None:
            return
        subs.discard(sub.sub_id)
        if not subs:
            del self._subs_at[due]
            job = self._job_at.pop(due)
            # A job that has run is already gone from the scheduler: nothing to remove.
            with contextlib.suppress(JobLookupError):
                job.schedule_removal()

    def take(self, due: datetime) -> list[str]:
        """Return the subscriptions due at `due` and forget them: their job is running."""
        subs = self._subs_at.pop(due, set())
        self._job_at.pop(due, None)
        for sub_id in subs:
            self._due_of.pop(sub_id, None)
        return sorted(subs)

    def job_of(self, sub: Subscription) -> Any:
        """Return the job that will fire the subscription's next digest (None: not planned)."""
        due = self._due_of.get(sub.sub_id)
        return self._job_at.get(due) if due is not None else None
