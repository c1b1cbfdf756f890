"""The jobs the bot runs for itself from the JobQueue: retention, catch-up and the heartbeat."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from bot.app.context import NewsApp, NewsContext
from bot.archive.heartbeat import beat

log = logging.getLogger(__name__)

JobFn = Callable[[NewsContext], Coroutine[Any, Any, None]]

RETENTION_JOB = "retention"
RETENTION_EVERY = 6 * 3600  # seconds; retention is counted in days, so a few runs a day suffice


def schedule_retention(application: NewsApp) -> None:
    """Prune articles past NEWSBRIEF_RETENTION_DAYS a few times a day (open_services did it at start)."""
    if application.bot_data.services.writable:
        _repeat(application, _prune, RETENTION_JOB, RETENTION_EVERY, first=RETENTION_EVERY)


async def _prune(context: NewsContext) -> None:
    """Drop expired articles; the search index hears of it through the store's listener."""
    services = context.bot_data.services
    removed = await services.writer.commit(services.store.prune)
    if removed:
        log.info("retention removed %d articles", removed)


CATCH_UP_JOB = "archive:catch-up"
CATCH_UP_EVERY = 2.0  # seconds; an indexed `seq >` query, so a new article shows up everywhere soon


def schedule_catch_up(application: NewsApp) -> None:
    """With PostgreSQL, take in other processes' articles every few seconds, on the writer thread.

    The writer thread, because the store's listeners (search index, stories) expect to run
    where batches are written; a process alone on its database finds nothing and moves on.
    """
    if application.bot_data.services.database is not None:
        _repeat(application, _catch_up, CATCH_UP_JOB, CATCH_UP_EVERY, first=CATCH_UP_EVERY)


async def _catch_up(context: NewsContext) -> None:
    """Run the store's catch-up on the writer thread."""
    services = context.bot_data.services
    changes = await services.writer.run(services.store.catch_up)
    if changes:
        log.debug("took in %d article changes from other processes", changes)


HEARTBEAT_JOB = "heartbeat"


def schedule_heartbeat(application: NewsApp) -> None:
    """Beat every NEWSBRIEF_HEARTBEAT_SECONDS from the JobQueue, in every mode, first right away.

    A job, not a thread: it beats only while the event loop runs jobs, which is what
    `python -m bot.run.health --max-age` needs to see. Only the lock holder (writable) beats.
    """
    if application.bot_data.services.writable:
        _repeat(application, _beat, HEARTBEAT_JOB, application.bot_data.config.heartbeat_seconds)


async def _beat(context: NewsContext) -> None:
    """Write the heartbeat file off the loop (a slow disk must not look like a hung loop)."""
    await asyncio.to_thread(beat, context.bot_data.services.config.data_dir)


def _repeat(
    application: NewsApp, callback: JobFn, name: str, every: float, *, first: float = 0
) -> None:
    """Run callback every `every` seconds from the JobQueue, replacing a job of the same name."""
    if application.job_queue is None:
        return
    for job in application.job_queue.get_jobs_by_name(name):
        job.schedule_removal()
    application.job_queue.run_repeating(callback, interval=every, first=first, name=name)
