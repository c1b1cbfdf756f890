"""Two bot processes on one database: a list shown by one leader, pressed under the next.

Each runs as `newsbrief run` does (tests/test_pg_two_processes.py spawns them). A leader that
stops gently leaves its chats' lists in the database, and the next pages them; one killed
with SIGKILL may leave none, and then its buttons answer "expired": they never page a list
the new leader has shown since (its listing keys start past the old ones).
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.config import Config
from bot.services import open_services
from bot.tgserver import Limits, LocalBotApiServer, SentMessage, UserClient
from handlers.callbacks import EXPIRED
from tests.botkit import fixture_drafts
from tests.opskit import empty_seeds
from tests.test_chat_state import first_line
from tests.test_pg_two_processes import HANG_GUARD, TOKEN, Bot, spawn, stop_all

pytestmark = pytest.mark.slow


@asynccontextmanager
async def two_bots(tmp_path: Path, pg_url: str) -> AsyncIterator[tuple[UserClient, list[Bot]]]:
    """Store the fixture articles in the database, then run two bot processes on it."""
    config = Config(
        data_dir=tmp_path / "prepare", database_url=pg_url, seeds_dir=empty_seeds(tmp_path)
    )
    services = open_services(config, write=True)
    try:
        services.store.add_many(fixture_drafts())
    finally:
        services.shutdown()
    server = LocalBotApiServer(token=TOKEN, limits=Limits.unlimited())
    await server.start()
    bots = [await spawn(tmp_path, name, server, pg_url) for name in ("one", "two")]
    try:
        yield server.user(4242, "Ann"), bots
    finally:
        await stop_all(bots)
        await server.stop()


async def leader_of(bots: list[Bot]) -> Bot:
    """Wait until one of the processes leads and return it."""
    waits = [asyncio.create_task(bot.leads.wait()) for bot in bots]
    await asyncio.wait(waits, timeout=HANG_GUARD, return_when=asyncio.FIRST_COMPLETED)
    for wait in waits:
        wait.cancel()
    return next(bot for bot in bots if bot.leads.is_set())


async def latest_from_the_leader(user: UserClient, bots: list[Bot]) -> tuple[Bot, SentMessage]:
    """Wait for a leader, then return it and the /latest list it answered with."""
    leader = await leader_of(bots)
    await user.send("/latest")
    [listing] = await user.wait_replies(1, timeout=HANG_GUARD)
    return leader, listing


async def lead_moves(bots: list[Bot], leader: Bot) -> None:
    """Wait until the other process leads."""
    survivor = next(bot for bot in bots if bot is not leader)
    await asyncio.wait_for(survivor.leads.wait(), HANG_GUARD)


async def test_the_next_leader_pages_a_list_the_one_that_stopped_showed(
    tmp_path: Path, pg_url: str
) -> None:
    async with two_bots(tmp_path, pg_url) as (user, bots):
        leader, listing = await latest_from_the_leader(user, bots)
        leader.proc.send_signal(signal.SIGTERM)  # a deploy: it saves its chats and exits
        assert await asyncio.wait_for(leader.proc.wait(), HANG_GUARD) == 0
        await lead_moves(bots, leader)
        answer = await user.press(listing, "More »", timeout=HANG_GUARD)
        assert answer.text is None  # not "expired"
        [page] = await user.wait_replies(1, timeout=HANG_GUARD)
    assert page.edited and page.message_id == listing.message_id
    assert page.text.startswith("Latest news · 6–10 of 11")  # the fixture, without a seed


async def test_a_killed_leaders_buttons_never_page_the_next_leaders_list(
    tmp_path: Path, pg_url: str
) -> None:
    async with two_bots(tmp_path, pg_url) as (user, bots):
        leader, listing = await latest_from_the_leader(user, bots)
        leader.proc.send_signal(signal.SIGKILL)  # its chats' state may never reach the table
        await lead_moves(bots, leader)
        await user.send("/search chip factory")  # the new leader's first list in this chat
        [found] = await user.wait_replies(1, timeout=HANG_GUARD)
        assert first_line(found.text, 1) != first_line(listing.text, 1)
        answer = await user.press(listing, "Summary 1", timeout=HANG_GUARD)
        if answer.text is None:  # the killed leader had saved its lists: the right article
            [card] = await user.wait_replies(1, timeout=HANG_GUARD)
            assert card.text.startswith(first_line(listing.text, 1))
        else:
            assert answer.text == EXPIRED
            assert await user.no_replies()
        await user.press(found, "Summary 1", timeout=HANG_GUARD)  # its own list still works
        [card] = await user.wait_replies(1, timeout=HANG_GUARD)
    assert card.text.startswith(first_line(found.text, 1))
