"""The bot on PostgreSQL: a lone process leads, and what users do is stored in the database."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.botkit import ask, bot_env


async def test_subscribe_and_digest_on_postgresql_keep_the_subscription_and_its_cursor_there(
    tmp_path: Path, pg_url: str
) -> None:
    async with bot_env(tmp_path / "data", database_url=pg_url) as env:
        assert env.services.leader is not None
        ann = env.user()
        (said,) = await ask(ann, "/subscribe 07:30 climate policy")
        assert "climate policy" in said.text
        (digest,) = await ask(ann, "/digest")
        assert "Climate policy talks stall in Bonn" in digest.text
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT doc FROM user_subscriptions").fetchall()
        pending = conn.execute("SELECT count(*) FROM digest_requests").fetchone()
    (doc,) = (row[0] for row in rows)
    assert (doc["chat_id"], doc["topic"], doc["hour"], doc["minute"]) == (
        ann.chat_id,
        "climate policy",
        7,
        30,
    )
    assert doc["cursor"] is not None and doc["sent"]  # recorded in the claim that sent it
    assert pending == (0,)
