"""/addfeed, /removefeed, /feeds through the real Application and the local Bot API server."""

from __future__ import annotations

from pathlib import Path

from bot.feeds import FeedService, job_name
from tests.botkit import ADMIN, ask, bot_env, valid_telegram_html
from tests.feedserver import FeedServer, generate_feed


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
            assert bad.text.startswith("Could not add") and "not an RSS or Atom feed" in bad.text
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
