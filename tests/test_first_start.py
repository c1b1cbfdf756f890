"""A new data dir's first start: the default feed list, and an offline first poll that stays quiet."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from bot.backoff import JITTER
from bot.config import load_config
from bot.feeds.defaults import default_feeds
from bot.feeds.opml import OpmlFeed
from bot.services import open_services
from tests.botkit import ADMIN, ask, bot_env


def closed_ports(count: int) -> list[int]:
    """Return loopback ports nothing listens on (bound, then released)."""
    ports = []
    for _ in range(count):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
    return ports


def write_opml(path: Path, urls: list[str]) -> Path:
    """Write a small OPML list of urls."""
    outlines = "".join(
        f'<outline type="rss" text="Feed {n}" xmlUrl="{u}"/>' for n, u in enumerate(urls)
    )
    path.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>')
    return path


def test_the_built_in_list_is_a_dozen_english_and_russian_https_feeds() -> None:
    feeds = default_feeds()
    assert len(feeds) == 12
    assert all(f.url.startswith("https://") and f.title for f in feeds)
    assert len({f.url for f in feeds}) == 12
    assert sum(1 for f in feeds if any("а" <= c <= "я" for c in f.title.lower())) >= 3


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "default"),
        ({"NEWSBRIEF_DEFAULT_FEEDS": "1"}, "default"),
        ({"NEWSBRIEF_DEFAULT_FEEDS": "0"}, "none"),
        ({"NEWSBRIEF_FEEDS": "https://example.org/a.xml"}, "configured"),
    ],
)
def test_a_new_data_dir_registers_the_default_feeds_unless_told_otherwise(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    config = load_config(
        {**env, "NEWSBRIEF_SEEDS_DIR": str(tmp_path / "noseeds")}, data_dir=tmp_path
    )
    services = open_services(config, write=True)
    try:
        urls = [s.url for s in services.feeds.list_feeds()]
    finally:
        services.shutdown()
    wanted = {
        "default": [f.url for f in default_feeds()],
        "none": [],
        "configured": ["https://example.org/a.xml"],
    }
    assert urls == wanted[expected]


async def test_a_removed_default_feed_stays_removed_after_a_restart(tmp_path: Path) -> None:
    config = load_config({"NEWSBRIEF_SEEDS_DIR": str(tmp_path / "noseeds")}, data_dir=tmp_path)
    services = open_services(config, write=True)
    first = services.feeds.list_feeds()[0]
    assert await services.feeds.remove_feed(first.id)
    services.shutdown()
    services = open_services(config, write=True)
    try:
        urls = [s.url for s in services.feeds.list_feeds()]
    finally:
        services.shutdown()
    assert len(urls) == 11 and first.url not in urls


async def test_an_offline_first_poll_fails_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Default feeds on closed ports: one log line each, backoff, /feeds says so, no admin spam."""
    urls = [f"http://127.0.0.1:{port}/rss.xml" for port in closed_ports(3)]
    opml = write_opml(tmp_path / "list.opml", urls)
    caplog.set_level(logging.INFO)
    async with bot_env(
        tmp_path / "data", default_feeds=True, default_feeds_opml=opml, allow_private_feeds=True
    ) as env:
        assert [s.url for s in env.services.feeds.list_feeds()] == urls
        assert env.app.job_queue is not None
        jobs = [j for j in env.app.job_queue.jobs() if j.name and j.name.startswith("feed:")]
        assert len(jobs) == 3
        admin = env.server.user(ADMIN, "Admin")
        [before] = await ask(admin, "/feeds")
        assert before.text.count("Not fetched yet: first poll within 15 min of start") == 3
        assert "Feed 0" in before.text  # the list's titles, until a fetch brings the real ones
        for job in jobs:  # the first scheduled poll of each feed, as the JobQueue runs it
            await job.run(env.app)
        statuses = env.services.feeds.list_feeds()
        assert all(s.failures == 1 and s.active for s in statuses)
        for status in statuses:  # backoff: the next try waits two intervals
            assert status.last_fetch is not None and status.next_poll is not None
            wait = (status.next_poll - status.last_fetch).total_seconds()
            assert (1 - JITTER) * 2 * 15 * 60 <= wait <= 2 * 15 * 60  # less up to a fifth
        [listing] = await ask(admin, "/feeds")
        assert listing.text.count("Unreachable since ") == 3
        [latest] = await ask(env.user(), "/latest")
        assert latest.text.startswith("Latest news · 1–5 of ")  # it answers from what it has
        assert admin.replies() == []  # nothing but the answer to /feeds reached the admin
    for url in urls:
        lines = [r for r in caplog.records if url in r.getMessage()]
        assert len(lines) == 1, [r.getMessage() for r in lines]
    assert not [r for r in caplog.records if r.exc_info is not None]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_opml_titles_come_back(tmp_path: Path) -> None:
    opml = write_opml(tmp_path / "x.opml", ["http://127.0.0.1:1/a"])
    assert default_feeds(opml) == [OpmlFeed("http://127.0.0.1:1/a", "Feed 0")]
