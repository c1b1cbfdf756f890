"""The admins' notice of a failed update: one short line, cut before it is escaped."""

from __future__ import annotations

from pathlib import Path

from telegram import Update
from telegram.ext import CommandHandler

from bot.app.context import NewsContext
from bot.app.wiring import running
from tests.botkit import ADMIN
from tests.opskit import ops_env


async def test_a_long_error_of_markup_characters_reaches_the_admin_whole_to_the_cut(
    tmp_path: Path,
) -> None:
    async def boom(update: Update, context: NewsContext) -> None:
        raise RuntimeError("<" * 400)

    async with ops_env(tmp_path, modules=("handlers.basic",)) as env:
        env.app.add_handler(CommandHandler("boom", boom))
        admin = env.server.user(ADMIN, "Admin")
        async with running(env.app, poll_timeout=1):
            await admin.send("/boom")
            replies = await admin.wait_replies(2)
    notice = next(r.text for r in replies if "newsbrief error" in r.text)
    shown = notice.split("\n", 1)[1]
    # Cut after escaping, the text ended in half an entity ("&l"): the admin saw markup.
    assert shown.startswith("RuntimeError: <<<")
    assert set(shown.removeprefix("RuntimeError: ").rstrip("…")) == {"<"}
