"""Start-up's planning: every subscription's next digest, and the one it missed, a step a turn.

Planning 100,000 subscriptions in one go held the event loop 3.3 s before polling, while the
bot answered nobody. The bot now polls first and plans in a task, in steps of at most
PLAN_CHUNK subscriptions and PLAN_STEP seconds, and between steps it gives way: a turn of the
loop, then a wait (bounded) until no update is in flight. Steps of 500 subscriptions took
about 15 ms alone and 60-270 ms beside the stories' warm-up under load, and a /subscribe
meanwhile waited for several of them (p99 0.9 s at 100,000, quiet). Subscriptions share a few
thousand daily slots at most, so a step works out each slot's next and latest due instants
once (ten zoned datetimes); a new instant's job (PTB's `run_once`, 0.2-0.4 ms) counts in
the step's time too.

Each one is planned as it is when its turn comes: one a command removed meanwhile is skipped,
one it changed is planned again (planning is idempotent: the same next instant), and one a
command added was planned by that command.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.digests.jobs import Planner
from bot.digests.schedule import missed
from bot.digests.subscriptions import SubscriptionStore

log = logging.getLogger(__name__)

PLAN_CHUNK = 500  # subscriptions a step at most
PLAN_STEP = 0.004  # seconds of the loop a step takes at most
Due = Callable[[int, str, datetime], None]  # queue a chat's digest due at an instant
GiveWay = Callable[[], Awaitable[None]]  # between steps: let the replies go first


async def next_turn() -> None:
    """Let one turn of the loop pass: the replies waiting then go first."""
    await asyncio.sleep(0)


async def plan_all(
    subs: SubscriptionStore,
    planner: Planner,
    due: Due,
    grace: timedelta,
    clock: Callable[[], datetime],
    give_way: GiveWay = next_turn,
) -> int:
    """Plan every subscription and queue what fell due while the bot was down; return how many."""
    sub_ids = [sub.sub_id for sub in subs.all()]
    at = 0
    while at < len(sub_ids):
        at = _plan(subs, planner, due, grace, clock(), sub_ids, at)
        await give_way()
    log.info("scheduled %d digest subscriptions", len(sub_ids))
    return len(sub_ids)


def _plan(
    subs: SubscriptionStore,
    planner: Planner,
    due: Due,
    grace: timedelta,
    now: datetime,
    sub_ids: list[str],
    at: int,
) -> int:
    """Plan one step of subscriptions from `at`, queue the digests they missed; return the next."""
    ends = time.perf_counter() + PLAN_STEP
    slots: dict[tuple[int, int, str], tuple[datetime, datetime]] = {}  # next and latest due
    stop = min(at + PLAN_CHUNK, len(sub_ids))
    while at < stop:
        sub = subs.get(sub_ids[at])
        at += 1
        if sub is not None:
            key = (sub.hour, sub.minute, sub.zone)
            instants = slots.get(key)
            if instants is None:
                slot = sub.slot
                instants = slots[key] = (slot.next_due(now), slot.latest_due(now))
            planner.schedule(sub, instants[0])
            if subs.is_active(sub.chat_id):
                late = missed(
                    instants[1], now, last_due=sub.last_due, created=sub.created, grace=grace
                )
                if late is not None:
                    due(sub.chat_id, sub.sub_id, late)
        if time.perf_counter() >= ends:
            break
    return at


def report_failure(task: asyncio.Task[int]) -> None:
    """Log why the planning failed (nobody awaits its task to see it)."""
    if not task.cancelled() and task.exception() is not None:
        log.error("planning the digests failed", exc_info=task.exception())
