"""The feeds' polling jobs on PTB's JobQueue: one repeating job per active feed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from telegram.ext import CallbackContext, JobQueue

from bot.feeds.registry import FeedRecord

FIRST_POLL_DELAY = 5.0  # seconds after start, so the bot answers before the first poll


def job_name(ident: str) -> str:
    """Return the JobQueue name of a feed's polling job."""
    return f"feed:{ident}"


class FeedJobs:
    """Schedule and cancel each feed's job; a job calls `poll` with the feed's id."""

    def __init__(self, poll: Callable[[str], Awaitable[object]]) -> None:
        self._poll = poll
        self.queue: JobQueue[Any] | None = None  # none yet: nothing is scheduled (the CLI)

    def start(self, job_queue: JobQueue[Any], active: list[FeedRecord], now: datetime) -> None:
        """Add one repeating job per active feed, spread evenly over each feed's interval."""
        self.queue = job_queue
        for index, record in enumerate(active):
            offset = record.interval * index / max(1, len(active))
            first = FIRST_POLL_DELAY + offset
            if record.next_poll is not None and record.next_poll > now:
                # After a restart a feed keeps its place: no extra poll for every restart.
                waited = (record.next_poll - now).total_seconds()
                first = max(FIRST_POLL_DELAY, min(waited, float(record.interval)))
            self.add(record, first=first)

    def add(self, record: FeedRecord, *, first: float) -> None:
        """(Re)schedule the feed's job, its first run `first` seconds from now."""
        if self.queue is None:
            return
        self.remove(record.id)
        self.queue.run_repeating(
            self._run,
            interval=record.interval,
            first=first,
            data=record.id,
            name=job_name(record.id),
        )

    def remove(self, ident: str) -> None:
        """Cancel the feed's job, if it has one."""
        if self.queue is None:
            return
        for job in self.queue.get_jobs_by_name(job_name(ident)):
            job.schedule_removal()

    async def _run(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        job = context.job
        if job is not None:
            await self._poll(str(job.data))
