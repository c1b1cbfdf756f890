"""`newsbrief backup` during a real digest fan-out through the bot, restored: nothing missing.

The interleaving is chosen, not timed: the backup's progress hook (called after each file)
runs one write on the event loop and waits for it, and on the first file releases the
second half of the fan-out and waits until one of its digests has arrived.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app.wiring import build_application, running
from bot.archive.backup import backup, restore
from bot.archive.store import ArticleStore
from bot.archive.usertables import EmbeddedUserTables
from bot.digests.service import DigestSettings
from bot.digests.subscriptions import SubscriptionStore
from bot.models import ArticleDraft, utcnow
from bot.services import open_services
from bot.tgserver import Limits, LocalBotApiServer
from bot.tgserver.users import UserClient
from tests.botkit import BOT, TOKEN, make_config
from tests.digestkit import FAST
from tests.opskit import empty_seeds

SUBSCRIBERS = 150
HANG_GUARD = 60.0  # seconds; only a broken fan-out gets near it


def news(n: int) -> ArticleDraft:
    return ArticleDraft(
        title=f"Live story {n} about harbours",
        body=f"Harbour story {n}. The harbour reopened after the storm number {n}.",
        url=f"https://news.example.com/live/{n}",
        published=utcnow() - timedelta(minutes=1),
        source="Wire",
    )


async def digests_reach(clients: list[UserClient], count: int) -> None:
    """Return once `count` of these subscribers have their digest (an event per chat)."""
    waits = [asyncio.create_task(c.wait_replies(1, timeout=HANG_GUARD)) for c in clients]
    try:
        for got, arrival in enumerate(asyncio.as_completed(waits), start=1):
            await arrival
            if got == count:
                return
    finally:
        for wait in waits:
            wait.cancel()
        await asyncio.gather(*waits, return_exceptions=True)


def restored_state(data_dir: Path) -> tuple[set[str], dict[str, datetime | None]]:
    """Open a restored data dir the way the bot does; return article ids and sub cursors."""
    store = ArticleStore(data_dir, retention_days=0)
    store.initialize()
    users = EmbeddedUserTables(data_dir)
    users.initialize()
    subs = SubscriptionStore(users, data_dir)
    subs.initialize()  # replays the copied journal
    try:
        return {a.id for a in store}, {s.sub_id: s.cursor for s in subs.all()}
    finally:
        subs.shutdown()
        users.shutdown()
        store.shutdown()


async def test_backup_during_a_digest_fan_out_restores_with_nothing_missing(
    tmp_path: Path,
) -> None:
    server = LocalBotApiServer(token=TOKEN, bot_username=BOT, limits=Limits.unlimited())
    await server.start()
    config = make_config(tmp_path / "data", server, seeds_dir=empty_seeds(tmp_path))
    services = open_services(config, write=True, digest_settings=DigestSettings(pacing=FAST))
    digests = services.digests
    try:
        clients = {}
        for chat in range(20_000, 20_000 + SUBSCRIBERS):
            clients[chat] = server.user(chat, f"U{chat}")
            await digests.subscribe(chat, "", (7, 0), "UTC")
        services.store.add_many(news(n) for n in range(40))  # new for every subscriber
        app = build_application(config, services, own_services=False)
        async with running(app, poll_timeout=1):
            due = datetime.now(UTC).replace(second=0, microsecond=0)
            subs = digests.subs.all()
            early, late = subs[: len(subs) // 2], subs[len(subs) // 2 :]
            for sub in early:  # the 07:00 fan-out starts now; the rest once the backup runs
                digests.due(sub.chat_id, sub.sub_id, due)
            await digests_reach([clients[s.chat_id] for s in early], 5)  # well under way
            before_ids = {a.id for a in services.store}
            before_cursors = {s.sub_id: s.cursor for s in digests.subs.all()}
            # Committed is on disk. The memory leads the users file (its writes queue on the
            # users thread), and the backup, like the CLI's in another process, sees only
            # files: wait for the writes behind this view before the backup begins.
            await digests.subs.saved()
            loop = asyncio.get_running_loop()
            counter = itertools.count(1000)
            written: list[int] = []
            sent_during = 0

            async def write_one() -> None:
                n = next(counter)
                services.store.add_many([news(n)])
                await digests.subscribe(30_000 + n, f"topic {n}", (9, 0), "UTC")
                written.append(n)

            async def release_late() -> int:
                for sub in late:
                    digests.due(sub.chat_id, sub.sub_id, due)
                await digests_reach([clients[s.chat_id] for s in late], 1)
                return 1

            def progress(rel: str) -> None:
                """Between two files: one write; on the first, the late half sent one digest.

                The backup thread waits for each step, so the writes land between its copies
                by construction, and the fan-out goes on while the copy is half done.
                """
                nonlocal sent_during
                if not sent_during:
                    step = asyncio.run_coroutine_threadsafe(release_late(), loop)
                    sent_during = step.result(HANG_GUARD)
                asyncio.run_coroutine_threadsafe(write_one(), loop).result(HANG_GUARD)

            report = await asyncio.to_thread(
                backup, config.data_dir, tmp_path / "backup", progress=progress
            )
            await digests.join()
            after_ids = {a.id for a in services.store}
        assert written and report.files >= 3  # writes really went on while it copied
        assert sent_during > 0  # and so did the fan-out, while the backup was copying
        digests_total = digests.stats["digests"]
    finally:
        services.shutdown()
        await server.stop()

    restore(tmp_path / "backup", tmp_path / "fresh")
    ids, cursors = restored_state(tmp_path / "fresh")
    assert before_ids <= ids <= after_ids
    assert set(before_cursors) <= set(cursors)
    for sub_id, cursor in before_cursors.items():  # no confirmed delivery is forgotten
        assert cursor is None or (cursors[sub_id] is not None and cursors[sub_id] >= cursor)
    delivered_before = sum(1 for c in before_cursors.values() if c is not None)
    delivered_restored = sum(1 for sub_id in before_cursors if cursors[sub_id] is not None)
    assert delivered_before >= 5 and delivered_restored >= delivered_before
    assert digests_total == SUBSCRIBERS
