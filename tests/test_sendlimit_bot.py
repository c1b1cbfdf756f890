"""End to end: a person's reply goes ahead of a digest fan-out, through the real Application.

The digests may go as fast as the bot's overall limit lets them, so they fill the whole
budget and queue for it. A person who asks /search in the middle must not wait behind that
queue. The overall limit is one message a second here, so the fan-out takes SUBSCRIBERS
seconds and the verdict counts digests, not times: a reply queued behind the fan-out would
come after all of them, one that takes the next slot comes after a few.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.app.wiring import build_application, running
from bot.digests.pacing import Pacing
from bot.digests.records import Subscription
from bot.digests.service import DigestSettings
from bot.models import ArticleDraft, utcnow
from bot.services import open_services
from bot.tgserver import Limits, LocalBotApiServer
from bot.tgserver.users import UserClient
from tests.botkit import BOT, TOKEN, make_config

SUBSCRIBERS = 40
SEARCHER = 777
# Digests limited only by the bot's overall rate, one worker per subscriber: every digest
# of the fan-out is queued for the global budget at once.
FILL = Pacing(
    global_per_second=1000.0,
    per_chat_per_second=1000.0,
    group_per_minute=60000.0,
    workers=SUBSCRIBERS,
    overall_per_second=1.0,
    reply_burst=1,
)


async def first_digest(users: list[UserClient]) -> None:
    """Return once any subscriber has a digest: the rest are queued for the budget by then."""
    waits = [asyncio.create_task(user.wait_replies(1, timeout=30)) for user in users]
    done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for wait in pending:
        wait.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    next(iter(done)).result()


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
            await first_digest(users)
            await searcher.send("/search oil")
            [reply] = await searcher.wait_replies(1, timeout=SUBSCRIBERS / 2)
            delivered = sum(len(server.sent(chat)) for chat in chats)
        assert "Oil prices fall" in reply.text
        # Before: the reply queued behind every digest waiting for the global budget.
        assert delivered < SUBSCRIBERS // 2
        assert server.stats.too_many_requests == 0  # and no send went over Telegram's limits
    finally:
        services.shutdown()
        await server.stop()
