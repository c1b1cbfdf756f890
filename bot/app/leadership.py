"""Several bot processes on one database: each sends digests, the leader alone polls and plans.

Long polling allows one reader per bot (Telegram answers a second `getUpdates` with 409
Conflict), and the schedules must run once, so the process holding the leader lock
(`bot/pg/leader.py`) polls Telegram and runs the JobQueue's schedules: digest planning,
follows, housekeeping. Every process, leader or follower, starts its digest workers and its
feed claims at once and claims sends and due feeds from the database (bot/feeds/claims.py),
so a fan-out goes on while the leader is replaced. A follower becomes leader when the lock
comes free (the leader died) and then starts exactly what a lone bot starts (post_init, then
updates); a leader whose lock connection fails stops polling and its schedules and waits for
the lock again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from telegram.ext import Updater

from bot.app.context import NewsApp
from bot.app.housekeeping import schedule_heartbeat
from bot.app.shared_chats import SharedChatState
from bot.digests.delivery import bot_sender

if TYPE_CHECKING:  # psycopg: only a deployment with a database imports it
    from bot.pg.leader import Leader

log = logging.getLogger(__name__)

Begin = Callable[[], Awaitable[None]]


def start_follower(application: NewsApp) -> list[asyncio.Task[None]]:
    """Start what every process runs: digest workers, feed claims, its share of the rate."""
    services = application.bot_data.services
    services.digests.start(bot_sender(application.bot))
    schedule_heartbeat(application)
    # The stories' window is read as a lone bot's post_init reads it: composing needs it.
    give_way = application.bot_data.in_flight.give_way
    asyncio.get_running_loop().run_in_executor(None, services.warm_up, give_way)
    if services.database is None or not services.writable:
        return []
    from bot.app.processes import keep_share  # psycopg: only with a shared database
    from bot.feeds.claims import start_claims

    url = services.database.url
    sharing = asyncio.create_task(keep_share(url, services.digests.pacer), name="rate-share")
    return [start_claims(url, services.feeds), sharing]


async def lead_when_chosen(application: NewsApp, leader: Leader, begin: Begin) -> None:
    """Forever: wait for the lock, begin leading, and step down if the lock is lost."""
    while True:
        await leader.acquire()
        try:
            # The leader before may have taken subscriptions and follows this process has not seen.
            services = application.bot_data.services
            services.digests.subs.initialize()
            services.follows.follows.reload()
            if isinstance(application.persistence, SharedChatState):  # the lists it showed
                await application.persistence.take_over(leader.term)
            await begin()
        except Exception:  # a leader that cannot start must not keep the lock from the others
            log.exception("starting to lead failed; the lock goes back")
            await leader.release()
        else:
            await leader.lost()
        await _step_down(application)


async def _step_down(application: NewsApp) -> None:
    """Stop polling and every schedule but the heartbeat; the next leader runs them."""
    updater: Updater | None = application.updater
    if updater is not None and updater.running:
        await updater.stop()
    if application.job_queue is not None:
        application.job_queue.scheduler.remove_all_jobs()
    schedule_heartbeat(application)
    if application.persistence is not None:  # the next leader reads the chats' lists
        try:
            await application.update_persistence()
            await application.persistence.flush()
        # The outage that cost the lock fails this too: waiting to lead again matters more.
        except Exception as exc:
            log.warning(
                "the chats' lists could not be saved on stepping down (%s)", type(exc).__name__
            )
    log.warning("this process no longer leads; it still sends digests")
