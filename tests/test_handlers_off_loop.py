"""A command's search runs on a worker thread, never on the event loop (the loop answers others)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from bot.search import SearchService
from tests.botkit import ask, bot_env


async def test_subscribe_checks_its_topic_with_a_search_off_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []
    search = SearchService.search

    def watched(self: SearchService, *args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())  # the real search still answers
        return search(self, *args, **kwargs)

    monkeypatch.setattr(SearchService, "search", watched)
    async with bot_env(tmp_path) as env:
        [reply] = await ask(env.user(), "/subscribe 07:30 the of and")
        assert "common words" in reply.text  # the topic was searched, and refused
        [reply] = await ask(env.user(), "/subscribe 07:30 climate policy")
        assert reply.text.startswith("Subscribed")
    assert threads and threading.get_ident() not in threads
