"""Many updates of one chat at once (concurrent_updates=16): every answer whole and numbered right.

Lists are built in worker threads while the event loop pages, remembers and persists the
same chat's lists; what the user sees must not depend on which update finished first.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable
from pathlib import Path

import pytest

from bot.tgserver import SentMessage, UserClient
from tests.botkit import ADMIN, bot_env, valid_telegram_html

ITEM = re.compile(r"([0-9]+)\. (.+?)(?: — .*)?")
SPAN = re.compile(r".* · ([0-9]+)(?:–([0-9]+))? of ([0-9]+)")  # "6 of 6" for one item
NO_LIST = "There is no list yet."
NO_ITEM_6 = "There is no item 6 in the last list: it shows items 1–5."
ROUNDS = 4


def items(message: SentMessage) -> dict[int, str]:
    """Return a list message's item numbers and titles, checking they follow its header."""
    header, *rest = message.text.split("\n")
    span = SPAN.fullmatch(header)
    assert span is not None, header
    found = [m for line in rest if (m := ITEM.fullmatch(line))]
    numbers = [int(m[1]) for m in found]
    first, last, total = (int(g) for g in span.groups(span[1]))
    assert numbers == list(range(first, last + 1)) and last <= total, message.text
    assert valid_telegram_html(message)
    return {int(m[1]): m[2] for m in found}


def check_summaries(answers: Iterable[SentMessage], titles: set[str], allowed: set[str]) -> int:
    """Check each /summary answer names an item the bot showed as that number; count them."""
    n = 0
    for answer in answers:
        first_line = answer.text.split("\n")[0]
        assert first_line in titles or any(answer.text.startswith(a) for a in allowed), answer.text
        n += 1
    return n


async def press_all(user: UserClient, messages: list[SentMessage], button: str) -> None:
    await asyncio.gather(*(user.press(m, button, timeout=20) for m in messages))


async def test_lists_pages_and_summaries_at_once_stay_consistent(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with bot_env(tmp_path) as env:
        user = env.user()
        with caplog.at_level(logging.ERROR):
            for _ in range(ROUNDS):  # all in flight together: nothing awaits an answer
                for text in ("/brief", "/latest", "/summary 2"):
                    await user.send(text)
            first = await user.wait_replies(3 * ROUNDS, timeout=30)
            lists = [m for m in first if "1–5 of" in m.text.split("\n")[0]]
            assert len(lists) == 2 * ROUNDS
            seconds = [items(m)[2] for m in lists]
            answers = [m for m in first if m not in lists]
            assert check_summaries(answers, set(seconds), {NO_LIST}) == ROUNDS

            persisting = [env.app.update_persistence() for _ in range(ROUNDS)]
            sixes = [user.send("/summary 6") for _ in range(ROUNDS)]
            await asyncio.gather(press_all(user, lists, "More »"), *sixes, *persisting)
            later = await user.wait_replies(3 * ROUNDS, timeout=30)
            pages = [m for m in later if m.edited]
            assert sorted(m.message_id for m in pages) == sorted(m.message_id for m in lists)
            sixth = {items(m)[6] for m in pages}  # each page 2 starts at 6, numbered on
            answers = [m for m in later if not m.edited]
            assert check_summaries(answers, sixth, {NO_ITEM_6}) == ROUNDS
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert not [m for m in env.server.sent(ADMIN) if "error" in m.text]
