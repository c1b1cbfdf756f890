"""One JobQueue job per subscription: named `digest:<chat>:<id>`, replaced, never doubled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.digests.jobs import AnyJobQueue, DueJob
from bot.digests.records import Subscription


class Planner:
    """Keep each subscription's job at its next due time (nothing before `attach`)."""

    def __init__(self, callback: Any, clock: Callable[[], datetime], grace: timedelta) -> None:
        self._callback = callback
        self._clock = clock
        self._grace = int(grace.total_seconds())
        self._jobs: AnyJobQueue | None = None

    def attach(self, job_queue: AnyJobQueue) -> None:
        """Schedule on this JobQueue from now on."""
        self._jobs = job_queue

    def schedule(self, sub: Subscription) -> None:
        """Replace the subscription's job with one at its next due time."""
        if self._jobs is None:
            return
        self.unschedule(sub)
        due = sub.slot.next_due(self._clock())
        self._jobs.run_once(
            self._callback,
            when=due,
            name=sub.job_name,
            data=DueJob(sub.sub_id, due),
            job_kwargs={"misfire_grace_time": self._grace, "coalesce": True},
        )

    def unschedule(self, sub: Subscription) -> None:
        """Remove the subscription's job, if any."""
        if self._jobs is not None:
            for job in self._jobs.get_jobs_by_name(sub.job_name):
                job.schedule_removal()
