"""End-to-end on PostgreSQL: the bot answers /latest and /search from the database, and shows
what another process added, through the local Bot API server."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.archive.dedup import canonical_url
from bot.models import Article, ArticleDraft
from bot.pg.articles import PgArticleStore
from bot.pg.database import Database
from tests.botkit import NEWEST, ask, bot_env


async def test_the_bot_on_postgresql_answers_latest_and_search_and_sees_another_process(
    tmp_path: Path, pg_url: str
) -> None:
    async with bot_env(tmp_path / "one", database_url=pg_url) as env:
        assert isinstance(env.services.store, PgArticleStore)
        user = env.user()
        [latest] = await ask(user, "/latest")
        assert latest.text.startswith("Latest news · 1–5 of")
        assert "1. Navy drills near the coast draw crowds (0)" in latest.text
        [found] = await ask(user, "/search chip factory")
        assert found.text.startswith("Search: chip factory · 1 of 1")
        assert "New chip factory opens in Dresden" in found.text

        loop = asyncio.get_running_loop()
        heard = asyncio.Event()
        env.services.store.add_listener(lambda batch: loop.call_soon_threadsafe(heard.set))
        other = Database(pg_url, max_size=1)  # a second bot process writing to the database
        other.open()
        store = PgArticleStore(other)
        store.initialize()
        wombat = ArticleDraft(
            title="Wombat cubes puzzle zoologists",
            body="Zoologists explain why wombats leave cube-shaped droppings.",
            url="https://other.example/wombat",
            published=NEWEST,
            source="Marsupial Post",
        )
        [added] = await asyncio.to_thread(lambda: store.add_many([wombat]).added)
        other.close()
        await asyncio.wait_for(heard.wait(), timeout=30)  # the catch-up job took it in
        [search] = await ask(user, "/search wombat")
        assert search.text.startswith("Search: wombat · 1 of 1")
        assert "Wombat cubes puzzle zoologists" in search.text
        article = env.services.store.find_by_url("https://other.example/wombat")
        assert isinstance(article, Article) and article.id == added.id
        assert canonical_url(article.url or "") == "https://other.example/wombat"
    # The archive and the story records are in the database.
    assert not (tmp_path / "one" / "articles").exists()
    assert not (tmp_path / "one" / "stories").exists()
