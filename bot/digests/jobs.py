"""One JobQueue job per subscription: named `digest:<chat>:<id>`, replaced, never doubled.

Each job carries a DueJob (which subscription, due when) to DigestService's callback. The
planner remembers each subscription's job by name. PTB's `get_jobs_by_name` walks every
job with a regex, so replacing each of 10,000 jobs at start-up that way was 50 million steps
(minutes of CPU on the event loop), and every due job rescheduling itself rescanned them all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
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
    """What a subscription's job carries: which subscription, due when."""

    sub_id: str
    due: datetime


class Planner:
    """Keep each subscription's job at its next due time (nothing before `attach`)."""

    def __init__(self, callback: Any, clock: Callable[[], datetime], grace: timedelta) -> None:
        self._callback = callback
        self._clock = clock
        self._grace = int(grace.total_seconds())
        self._jobs: AnyJobQueue | None = None
        self._by_name: dict[str, Any] = {}  # job name -> the PTB Job scheduled under it

    def attach(self, job_queue: AnyJobQueue) -> None:
        """Schedule on this JobQueue from now on."""
        self._jobs = job_queue

    def schedule(self, sub: Subscription) -> None:
        """Replace the subscription's job with one at its next due time."""
        if self._jobs is None:
            return
        self.unschedule(sub)
        due = sub.slot.next_due(self._clock())
        self._by_name[sub.job_name] = self._jobs.run_once(
            self._callback,
            when=due,
            name=sub.job_name,
            data=DueJob(sub.sub_id, due),
            job_kwargs={"misfire_grace_time": self._grace, "coalesce": True},
        )

    def unschedule(self, sub: Subscription) -> None:
        """Remove the subscription's job, if any."""
        job = self._by_name.pop(sub.job_name, None)
        if job is not None:
            # A job that has run is already gone from the scheduler: nothing to remove.
            with contextlib.suppress(JobLookupError):
                job.schedule_removal()
