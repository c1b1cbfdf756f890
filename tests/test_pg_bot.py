"""End-to-end on PostgreSQL: the bot answers /latest and /search from the database, and shows
what another process added, through the local Bot API server."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from bot.archive.dedup import canonical_url
from bot.models import Article, ArticleDraft
from bot.pg.articles import PgArticleStore
from bot.pg.database import Database
from tests.botkit import NEWEST, ask, bot_env
from tests.pgkit import with_dbname


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


class _Heard(logging.Handler):
    """Set an event when a log line holding `words` is emitted (from any thread)."""

    def __init__(self, words: str) -> None:
        super().__init__()
        self.words = words
        self.loop = asyncio.get_running_loop()
        self.event = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.words in record.getMessage():
            self.loop.call_soon_threadsafe(self.event.set)


async def test_a_leader_cut_off_from_the_database_leads_again_when_it_is_back(
    tmp_path: Path, pg_url: str
) -> None:
    # Stepping down saved the chats' lists first; with the database down that raised, the
    # leadership task died, and the bot never polled Telegram again once the database was back.
    name = conninfo_to_dict(pg_url)["dbname"]
    admin_url = with_dbname(pg_url, "postgres")
    stepped_down = _Heard("no longer leads")
    logging.getLogger("bot.app.leadership").addHandler(stepped_down)
    try:
        # Stepping down stops the Updater: its last long poll ends with 409, as Telegram's.
        conflict = frozenset({"Conflict"})
        async with bot_env(tmp_path / "one", database_url=pg_url, expected_errors=conflict) as env:
            user = env.user()
            [latest] = await ask(user, "/latest")  # the chat has a list to save
            async with await psycopg.AsyncConnection.connect(admin_url, autocommit=True) as admin:
                block = sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}")
                await admin.execute(block.format(sql.Identifier(name), sql.SQL("false")))
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    (name,),
                )
                await asyncio.wait_for(stepped_down.event.wait(), 90)
                await admin.execute(block.format(sql.Identifier(name), sql.SQL("true")))
            await user.send("/latest")
            [again] = await user.wait_replies(1, timeout=60)
            assert again.text == latest.text
    finally:
        logging.getLogger("bot.app.leadership").removeHandler(stepped_down)
