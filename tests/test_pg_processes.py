"""Several processes share Telegram's per-bot rate: a live roster in PostgreSQL, 1/N each."""

from __future__ import annotations

import bisect

from hypothesis import given
from hypothesis import strategies as st
from psycopg import AsyncConnection

from bot.app.processes import share
from bot.digests.pacing import Pacer, Pacing
from bot.pg.database import Database
from bot.pg.processes import Roster
from tests.sendkit import VirtualTime

CHATS_EACH = 300


async def sends_of_two_processes(pacing: Pacing) -> list[float]:
    """Return when two processes, each pacing by `pacing`, send a digest each to 300 chats."""
    time = VirtualTime()
    sent: list[float] = []

    async def fan_out(pacer: Pacer, first_chat: int) -> None:
        for chat in range(first_chat, first_chat + CHATS_EACH):
            await pacer.wait_turn(chat)
            sent.append(time.clock())

    one = Pacer(pacing, clock=time.clock, sleep=time.sleep)
    two = Pacer(pacing, clock=time.clock, sleep=time.sleep)
    await time.run(fan_out(one, 1), fan_out(two, 10_000))
    return sorted(sent)


def busiest_second(times: list[float]) -> int:
    """Return the most sends in any window of one second (a send on its end is the next's)."""
    end = 1.0 - 1e-9  # slots k/14 s apart add up to a hair under 1.0 in floats
    return max(bisect.bisect_left(times, t + end) - i for i, t in enumerate(times))


async def test_two_processes_at_their_share_stay_under_the_bots_rate_together() -> None:
    whole = Pacing()
    alone = await sends_of_two_processes(whole)
    assert busiest_second(alone) > 50  # each at the whole rate: together nearly twice over
    shared = await sends_of_two_processes(share(whole, 2))
    assert busiest_second(shared) <= int(whole.overall_per_second)
    # The budget is used, not wasted: 600 digests at ~28/s take about 21 s of virtual time.
    assert shared[-1] - shared[0] < 600 / (whole.global_per_second * 0.95)


@given(st.integers(min_value=1, max_value=64))
def test_a_share_times_the_processes_is_the_whole_rate(processes: int) -> None:
    whole = Pacing()
    mine = share(whole, processes)
    assert mine.overall_per_second * processes <= whole.overall_per_second + 1e-9
    assert mine.global_per_second * processes <= whole.global_per_second + 1e-9
    assert mine.per_chat_per_second == whole.per_chat_per_second  # one process sends to a chat
    assert mine.group_per_minute == whole.group_per_minute
    assert mine.reply_burst >= 1


async def test_the_roster_counts_live_processes_and_forgets_the_stale_and_the_gone(
    pg_url: str,
) -> None:
    database = Database(pg_url)
    database.open()  # applies the migrations
    database.close()
    async with (
        await AsyncConnection.connect(pg_url, autocommit=True) as first,
        await AsyncConnection.connect(pg_url, autocommit=True) as second,
    ):
        one, two = Roster(ident="one"), Roster(ident="two")
        assert await one.beat(first) == 1
        assert await two.beat(second) == 2
        assert await one.beat(first) == 2
        # A process killed a minute ago left its row: not counted, and deleted by a beat.
        await first.execute(
            "INSERT INTO bot_processes (id, seen) VALUES ('killed', now() - interval '1 minute')"
        )
        assert await two.beat(second) == 2
        cur = await first.execute("SELECT id FROM bot_processes ORDER BY id")
        assert await cur.fetchall() == [("one",), ("two",)]
        # A process that stops leaves: the other takes the whole rate at its next beat.
        await one.leave(first)
        assert await two.beat(second) == 1
