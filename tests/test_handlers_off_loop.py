"""A command's search runs on a worker thread, never on the event loop (the loop answers others)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from bot.search import SearchService
from bot.stories.service import StoryService
from tests.botkit import ask, bot_env
from tests.digestkit import TIMEOUT
from tests.digestkit import ask as ask_text
from tests.followkit import follow_env
from tests.storykit import OTHER, VOLCANO


def watch_threads(monkeypatch: pytest.MonkeyPatch, owner: type, name: str) -> list[int]:
    """Record the thread of every call of owner.name (the real method still answers)."""
    threads: list[int] = []
    real = getattr(owner, name)

    def watched(self: object, *args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return real(self, *args, **kwargs)

    monkeypatch.setattr(owner, name, watched)
    return threads


async def test_subscribe_checks_its_topic_with_a_search_off_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = watch_threads(monkeypatch, SearchService, "search")
    async with bot_env(tmp_path) as env:
        [reply] = await ask(env.user(), "/subscribe 07:30 the of and")
        assert "common words" in reply.text  # the topic was searched, and refused
        [reply] = await ask(env.user(), "/subscribe 07:30 climate policy")
        assert reply.text.startswith("Subscribed")
    assert threads and threading.get_ident() not in threads


async def test_a_timeline_button_reads_its_story_off_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with follow_env(tmp_path) as env:
        user = env.user()
        env.add(*VOLCANO, *OTHER)
        user.replies()
        await user.send("/brief")
        [page] = await user.wait_replies(1, timeout=TIMEOUT)
        stories = env.services.stories
        [story_id] = {stories.story_of(a.id) for a in env.services.store if "Grindavik" in a.body}
        # A view reads the members' stored fields.
        threads = watch_threads(monkeypatch, StoryService, "story")
        await user.press_data(page, f"w:{story_id}")
        [timeline] = await user.wait_replies(1, timeout=TIMEOUT)
        assert "volcano" in timeline.text.lower()
        # 12c2987's "is it still there?" built the whole view on the loop before the thread did.
        assert threads and threading.get_ident() not in threads


async def test_following_and_its_redraw_read_the_stories_off_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with follow_env(tmp_path) as env:
        user = env.user()
        env.add(*VOLCANO, *OTHER)
        await ask_text(user, "/brief")
        for n in (1, 2):
            assert (await ask_text(user, f"/follow {n}")).startswith("🔔 Following")
        threads = watch_threads(monkeypatch, StoryService, "story")
        user.replies()
        await user.send("/following")
        [listing] = await user.wait_replies(1, timeout=TIMEOUT)
        assert listing.text.startswith("You follow 2 stories")
        await user.press(listing, "🔕 1")
        [redrawn] = await user.wait_replies(1, timeout=TIMEOUT)
        assert redrawn.text.startswith("You follow 1 story")
        # A view per followed story (50 at most), built on the loop for /following and, since
        # 6dc5d94, again for each 🔕 tap's redraw.
        assert threads and threading.get_ident() not in threads


async def test_follow_and_its_button_read_the_story_off_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with follow_env(tmp_path) as env:
        user = env.user()
        env.add(*VOLCANO, *OTHER)
        user.replies()
        await user.send("/brief")
        [page] = await user.wait_replies(1, timeout=TIMEOUT)
        threads = watch_threads(monkeypatch, StoryService, "story")
        assert (await ask_text(user, "/follow 2")).startswith("🔔 Following")
        await user.press(page, "🔔 1")
        [followed] = await user.wait_replies(1, timeout=TIMEOUT)
        assert followed.text.startswith("🔔 Following")
        # f012dba's "is it still there?" and /follow's own lookup built views on the loop.
        assert threads and threading.get_ident() not in threads
