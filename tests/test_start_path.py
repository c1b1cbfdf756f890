"""What the bot leaves until polling has begun still comes out right (issue 25: the start).

Planning every subscription's digest runs in a task beside the replies, a chunk a turn of
the loop; a command that lands meanwhile gets its answer and its change sticks. The start
path imports none of the packages only later work needs, and compiles a catalog without its
.mo once, not once per service.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.archive.store import ArticleStore
from bot.digests import startplan
from bot.digests.records import Subscription
from bot.i18n import Catalogs
from bot.models import ArticleDraft, Laps, utcnow
from bot.stories import restore
from bot.stories.restore import window_items
from tests.botkit import REPO
from tests.digestkit import ask, digest_env

SUBSCRIBERS = 3000
# Imported where later work needs them, never by `newsbrief run` before its first getUpdates.
# psycopg only where a database is configured: an embedded start does not pay for it.
LATE = (
    "openai",
    "trafilatura",
    "feedparser",
    "dateparser",
    "courlan",
    "datasketch",
    "scipy",
    "psycopg",
    "psycopg_pool",
)
# What `newsbrief run` imports before its first getUpdates (bot/cli/main.py imports the rest).
START_PATH = "bot.cli.main, bot.services, bot.app.wiring, bot.run.polling"


def subscriptions(count: int) -> list[Subscription]:
    """Return one subscription per chat (chats 1000...), none due within the test."""
    now = utcnow()
    created = now - timedelta(days=1)
    return [
        Subscription(f"{n:08x}", 1000 + n, "", (now.hour + 2) % 24, n % 60, "UTC", created)
        for n in range(count)
    ]


async def test_commands_are_answered_and_kept_while_start_up_plans_subscriptions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    subs = subscriptions(SUBSCRIBERS)
    async with digest_env(tmp_path) as env:
        env.digests.subs.add_many(subs)
    monkeypatch.setattr(startplan, "PLAN_CHUNK", 1)  # thousands of turns: commands land within
    async with digest_env(tmp_path) as env:
        leaving = env.server.user(subs[-1].chat_id)  # planned last
        newcomer = env.server.user(99)
        assert (await ask(leaving, "/unsubscribe all")).startswith("Unsubscribed")
        assert (await ask(newcomer, "/subscribe 07:30 harbour")).startswith("Subscribed")
        await env.digests.join()  # start-up's planning is done
        jobs = env.digests.jobs
        assert env.digests.subs.get(subs[-1].sub_id) is None
        assert jobs.job_of(subs[-1]) is None  # planning skipped the removed subscription
        assert all(jobs.job_of(sub) is not None for sub in subs[:-1])
        [new] = env.digests.for_chat(newcomer.chat_id)
        assert jobs.job_of(new) is not None


def test_the_start_path_leaves_late_packages_unimported() -> None:
    code = f"import sys, {START_PATH}; print(sorted(set({LATE!r}) & set(sys.modules)))"
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "[]"


def test_laps_charge_each_step_the_time_since_the_last() -> None:
    ticks = iter([10.0, 11.5, 11.75, 13.0])
    laps = Laps(clock=lambda: next(ticks))
    laps.lap("store")
    laps.lap("stories")
    laps.lap("store")  # a step met again adds up
    assert laps.steps == {"store": 2.75, "stories": 0.25}
    assert laps.line() == "store 2.75 s, stories 0.25 s, total 3.00 s"


def test_a_catalog_without_its_mo_is_compiled_once_per_version(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "ru" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "newsbrief.po"
    shutil.copy(REPO / "bot" / "i18n" / "locale" / "ru" / "LC_MESSAGES" / "newsbrief.po", po)
    caplog.set_level(logging.INFO, logger="bot.i18n.catalogs")
    first, second = Catalogs(tmp_path), Catalogs(tmp_path)  # the services and the bot each make one
    assert first.get("ru").gettext("Subscriptions") == "Подписки"
    assert second.get("ru").gettext("Subscriptions") == "Подписки"
    assert caplog.text.count("compiling the ru catalog") == 1
    po.write_text(po.read_text().replace('msgstr "Подписки"', 'msgstr "Мои подписки"'))
    os.utime(po, ns=(po.stat().st_atime_ns, po.stat().st_mtime_ns + 1_000_000_000))
    assert Catalogs(tmp_path).get("ru").gettext("Subscriptions") == "Мои подписки"  # edited: anew


def test_the_warm_up_picks_the_same_newest_members_a_chunk_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """window_items reads the keys PICK_CHUNK ids at a time (no long hold of the GIL): same pick."""
    start = utcnow() - timedelta(days=1)
    ticks = iter(range(1000))
    store = ArticleStore(
        tmp_path, retention_days=0, clock=lambda: start + timedelta(minutes=next(ticks))
    )
    store.initialize()
    for batch in range(6):  # arrivals a minute apart, a batch at a time
        store.add_many(
            ArticleDraft(title=f"Report {batch}-{n}", body=f"Body {batch} {n}.", id=f"a{batch}-{n}")
            for n in range(10)
        )
    story_of = {f"a{b}-{n}": f"s{n % 4}" for b in range(6) for n in range(10)}
    whole = window_items(story_of, store, limit=25)
    monkeypatch.setattr(restore, "PICK_CHUNK", 7)
    assert window_items(story_of, store, limit=25) == whole
    newest = sorted(store.light(story_of, "added", "id"))[-25:]  # the newest 25 arrivals
    assert [item.id for _, item in whole] == [aid for _, aid in newest]
    assert all(story == story_of[item.id] for story, item in whole)
    store.shutdown()
