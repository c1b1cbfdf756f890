"""/addfeed, /removefeed, /feeds through the real Application and the local Bot API server."""

from __future__ import annotations

from pathlib import Path

from bot.feeds import FeedService, job_name
from tests.botkit import ADMIN, ask, bot_env, valid_telegram_html
from tests.feeddocs import generate_feed, rss
from tests.feedserver import FeedServer


async def test_admin_adds_lists_and_removes_a_feed(tmp_path: Path) -> None:
    feed_server = FeedServer()
    feed_server.start()
    feed_server.put("/bot.xml", generate_feed(31, 4))
    try:
        async with bot_env(tmp_path, allow_private_feeds=True) as env:
            admin = env.server.user(ADMIN, "Admin")
            [reply] = await ask(admin, f"/addfeed {feed_server.url('/bot.xml')}")
            assert reply.text.startswith("Added Generated feed 31: 4 items, 4 new articles.")
            service = env.services.feeds
            assert isinstance(service, FeedService)
            [status] = service.list_feeds()
            assert env.app.job_queue is not None
            assert env.app.job_queue.get_jobs_by_name(job_name(status.id))
            [listing] = await ask(admin, "/feeds")
            assert "Generated feed 31" in listing.text and "4 new of 4 items" in listing.text
            assert valid_telegram_html(listing)
            [bad] = await ask(admin, f"/addfeed {feed_server.url('/html')}")
            assert (
                bad.text.startswith("Could not add") and "not an RSS, Atom or JSON feed" in bad.text
            )
            [removed] = await ask(admin, f"/removefeed {status.id}")
            assert removed.text == "Removed Generated feed 31. Its articles stay."
            [empty] = await ask(admin, "/feeds")
            assert empty.text == "No feeds yet. Add one with /addfeed URL."
    finally:
        feed_server.stop()


async def test_others_get_one_polite_line(tmp_path: Path) -> None:
    async with bot_env(tmp_path, allow_private_feeds=True) as env:
        user = env.user()
        for command in ("/addfeed http://127.0.0.1:1/x", "/removefeed abc", "/feeds"):
            [reply] = await ask(user, command)
            assert reply.text == "Sorry, only the bot's admins can manage feeds."
        assert env.services.feeds.list_feeds() == []


async def test_long_urls_and_titles_get_answers_that_fit_a_message(tmp_path: Path) -> None:
    # Each reply quoted the URL or title whole: past 4,096 characters Telegram refused it, and
    # the admin got "Sorry, something went wrong" instead of the answer.
    feed_server = FeedServer()
    feed_server.start()
    feed_server.put("/long.xml", rss("Very long title " * 400, [{"title": "One item"}]))
    long_query = "?q=" + "x" * 3900
    try:
        async with bot_env(tmp_path, allow_private_feeds=True) as env:
            admin = env.server.user(ADMIN, "Admin")
            missing = feed_server.url("/missing.xml?q=") + "x" * 4040  # the command fits 4,096
            [failed] = await ask(admin, f"/addfeed {missing}")
            assert failed.text.startswith("Could not add http://127.0.0.1")
            assert failed.text.endswith(": HTTP 404 Not Found") and valid_telegram_html(failed)
            [unknown] = await ask(admin, "/removefeed " + "b" * 4080)
            assert unknown.text.startswith("No feed bbb") and valid_telegram_html(unknown)
            [added] = await ask(admin, f"/addfeed {feed_server.url('/long.xml')}{long_query}")
            assert added.text.startswith("Added Very long title") and valid_telegram_html(added)
            assert "1 item, 1 new article." in added.text
            await admin.send("/feeds")
            listing = await admin.wait_replies()
            while "next poll" not in listing[-1].text:  # the last line of the one feed
                listing += await admin.wait_replies()
            assert all(valid_telegram_html(part) for part in listing)
            [status] = env.services.feeds.list_feeds()
            [removed] = await ask(admin, f"/removefeed {status.id}")
            assert removed.text.startswith("Removed Very long title")
            assert valid_telegram_html(removed)
    finally:
        feed_server.stop()


async def test_feeds_shows_a_feeds_key_masked(tmp_path: Path) -> None:
    # /feeds showed "http://…/bot.xml?token=s3cr3t" to every admin: an admin of the bot is not
    # necessarily the one who was given the feed's key.
    feed_server = FeedServer()
    feed_server.start()
    feed_server.put("/bot.xml", generate_feed(32, 2))
    try:
        async with bot_env(tmp_path, allow_private_feeds=True) as env:
            admin = env.server.user(ADMIN, "Admin")
            [added] = await ask(admin, f"/addfeed {feed_server.url('/bot.xml?token=s3cr3t')}")
            assert added.text.startswith("Added Generated feed 32")
            # Not fetched yet, so untitled: its address stands for its title.
            env.services.feeds.seed_feeds(["http://127.0.0.1:1/x?lang=en&api_key=k-42"])
            [listing] = await ask(admin, "/feeds")
            assert feed_server.url("/bot.xml?token=***") in listing.text
            assert "http://127.0.0.1:1/x?lang=en&api_key=***" in listing.text
            assert "s3cr3t" not in listing.text and "k-42" not in listing.text
            assert valid_telegram_html(listing)
            [failed] = await ask(admin, f"/addfeed {feed_server.url('/missing.xml?key=k-7')}")
            assert failed.text == (
                f"Could not add {feed_server.url('/missing.xml?key=***')}: HTTP 404 Not Found"
            )
    finally:
        feed_server.stop()
