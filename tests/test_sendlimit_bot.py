"""End to end: a person's reply goes ahead of a digest fan-out, through the real Application.

The local Bot API server keeps Telegram's limits (30 messages a second); the digests may go
as fast as the bot's overall limit lets them, so they fill the whole budget and queue for
it. A person who asks /search in the middle must not wait behind that queue.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from bot.app.wiring import build_application, running
from bot.digests.pacing import Pacing
from bot.digests.records import Subscription
from bot.digests.service import DigestSettings
from bot.models import ArticleDraft, utcnow
from bot.services import open_services
from bot.tgserver import Limits, LocalBotApiServer
from tests.botkit import BOT, TOKEN, make_config

SUBSCRIBERS = 90  # three seconds of messages at Telegram's 30 a second
SEARCHER = 777
# Digests limited only by the bot's overall rate, one worker per subscriber: every digest
# of the fan-out is queued for the global budget at once.
FILL = Pacing(
    global_per_second=1000.0,
    per_chat_per_second=1000.0,
    group_per_minute=60000.0,
    workers=SUBSCRIBERS,
)


async def test_a_search_reply_goes_ahead_of_the_digests_queued_before_it(tmp_path: Path) -> None:
    server = LocalBotApiServer(token=TOKEN, bot_username=BOT, limits=Limits())
    await server.start()
    chats = list(range(1, SUBSCRIBERS + 1))
    users = [server.user(chat, f"U{chat}") for chat in chats]
    searcher = server.user(SEARCHER, "Searcher")
    config = make_config(tmp_path, server)
    services = open_services(config, write=True, digest_settings=DigestSettings(pacing=FILL))
    try:
        now = utcnow()
        services.store.add_many(
            [
                ArticleDraft(
                    title="Oil prices fall as supply grows",
                    body="Oil prices fell on Monday as supply grew.",
                    url="https://news.example.com/oil",
                    published=now - timedelta(minutes=5),
                    source="Wire",
                )
            ]
        )
        due = now - timedelta(minutes=1)  # fell due a minute ago: sent at start (catch-up)
        services.digests.subs.add_many(
            Subscription(f"{c:08x}", c, "", due.hour, due.minute, "UTC", now - timedelta(days=2))
            for c in chats
        )
        app = build_application(config, services, own_services=False)
        async with running(app, poll_timeout=1):
            await users[0].wait_replies(1, timeout=10)  # the fan-out is under way
            asked = time.time()
            await searcher.send("/search oil")
            [reply] = await searcher.wait_replies(1, timeout=10)
            await services.digests.join()
        stamps = [m.timestamp for chat in chats for m in server.sent(chat)]
        still_to_go = [t for t in stamps if t > asked]
        ahead_of_reply = [t for t in still_to_go if t < reply.timestamp]
        assert len(still_to_go) >= SUBSCRIBERS // 2
        # Before: the reply queued behind every digest waiting for the global budget.
        assert len(ahead_of_reply) < len(still_to_go) // 4
        assert len(stamps) == SUBSCRIBERS  # every subscriber got their digest, once
        assert server.stats.too_many_requests == 0  # and no send went over Telegram's limits
    finally:
        services.shutdown()
        await server.stop()
