"""Digests are composed on the composer's thread: the event loop answers people meanwhile."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from tests.digestkit import ask, digest_env, digests_in


async def test_the_loop_answers_while_a_digest_waits_for_the_composer(tmp_path: Path) -> None:
    async with digest_env(tmp_path) as env:
        subscriber, searcher = env.user(), env.user()
        await ask(subscriber, "/subscribe 07:30")
        env.add("Glacier melt speeds up in the Alps")
        busy = threading.Event()
        # Hold the composer's one thread, as a long composition would.
        held = env.digests.composer._thread.submit(busy.wait, 30)
        digest = asyncio.create_task(env.digests.send_now(subscriber.chat_id))
        assert "Glacier melt" in await ask(searcher, "/search glacier")
        assert not digest.done() and not digests_in(env.server, subscriber.chat_id)
        busy.set()
        assert await asyncio.wait_for(digest, 10) == "sent"
        assert held.result() is True
        [text] = digests_in(env.server, subscriber.chat_id)
        assert "Glacier melt speeds up in the Alps" in text
