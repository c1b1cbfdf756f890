"""End-to-end: bad input, blocked chats, failures and flood control never crash the bot."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from telegram import Update
from telegram.ext import CommandHandler, TypeHandler

from bot.app.context import NewsContext
from bot.models import ArticleDraft
from tests.botkit import ADMIN, BOT, NEWEST, BotEnv, ask, bot_env, valid_telegram_html

pytestmark = pytest.mark.asyncio(loop_scope="module")

UGLY = [
    "x" * 10_000,
    ".*[(?<=\\",
    "<b>bold</b> & <script>",
    "&amp; &lt; &#0; &#xFFFFFF;",
    "\u202e\u200b\u0000\u0007 drills",
    "🦀🇺🇦 👍🏽" * 50,
    "'; DROP TABLE articles; --",
    'title:"unclosed AND OR NOT (',
]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def env(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotEnv]:
    expected = frozenset({"Forbidden", "Too Many Requests"})  # blocked chat, forced flood
    async with bot_env(
        Path(tmp_path_factory.mktemp("bot-bad")), expected_errors=expected
    ) as running_env:
        yield running_env


async def test_unknown_command_in_private_gets_a_hint(env: BotEnv) -> None:
    [reply] = await ask(env.user(), "/frobnicate now")
    assert reply.text == "I don't know that command. /help lists what I can do."


async def test_a_command_in_cyrillic_is_an_unknown_command_not_a_search(env: BotEnv) -> None:
    # Telegram marks only Latin /commands as commands: "/новости" came as plain text and was
    # searched ("Search: /поиск нефть … some of them match"), not told it is no command.
    for text in ("/новости", "/поиск нефть", "/Новости_дня"):
        [reply] = await ask(env.user(), text)
        assert reply.text == "I don't know that command. /help lists what I can do.", text
    [search] = await ask(env.user(), "/ chip")  # a slash alone is punctuation of a search
    assert search.text.startswith("Search: / chip"), search.text


@pytest.mark.parametrize("text", UGLY)
async def test_ugly_search_arguments_get_a_valid_reply(env: BotEnv, text: str) -> None:
    [reply] = await ask(env.user(), f"/search {text}")
    assert reply.text.startswith(
        ("Search:", "Nothing found", "Nothing to search for", "Send /search")
    )
    assert valid_telegram_html(reply)
    assert len(reply.text) < 4096


@pytest.mark.parametrize("text", UGLY)
async def test_ugly_latest_and_summary_arguments(env: BotEnv, text: str) -> None:
    user = env.user()
    [latest] = await ask(user, f"/latest {text}")
    assert valid_telegram_html(latest)
    [summary] = await ask(user, f"/summary {text}")
    assert valid_telegram_html(summary)


async def test_query_is_capped_at_256_characters(env: BotEnv) -> None:
    [reply] = await ask(env.user(), "/search " + "ab " * 3000)
    assert reply.text.startswith("Nothing found for ")
    assert len(reply.text) <= len("Nothing found for .") + 256


async def test_a_link_longer_than_a_query_is_still_a_link(env: BotEnv) -> None:
    # Links with tracking parameters run past 256 characters: /summary took one for pasted
    # prose ("Summary of your text: https://…"), and sent alone it was cut to 256 and not found.
    tail = "&".join(f"utm_{n}=campaign-{n}" for n in range(20))
    url = f"https://news.example.com/long-link?{tail}"
    assert len(url) > 256
    env.services.store.add_many(
        [ArticleDraft("Lighthouse keeper retires", "The keeper retires.", url, NEWEST, "Wire")]
    )
    user = env.user()
    for text in (f"/summary {url}", url):
        [reply] = await ask(user, text)
        assert reply.text.startswith("Lighthouse keeper retires"), (text[:9], reply.text)


async def test_plain_ugly_text_in_private_is_a_safe_search(env: BotEnv) -> None:
    [reply] = await ask(env.user(), "<i>unclosed & weird")
    assert reply.text == "Nothing found for <i>unclosed & weird."


async def test_edited_messages_are_ignored(env: BotEnv) -> None:
    user = env.user()
    sent = await user.send("/latest 1")
    await user.wait_replies(1)
    await user.edit(sent, "/latest 2")
    assert await user.no_replies(0.4)


async def test_stickers_and_photos_in_private_get_a_hint(env: BotEnv) -> None:
    user = env.user()
    await user.send_sticker()
    [reply] = await user.wait_replies(1)
    assert reply.text.startswith("I can only read text")
    await user.send_photo(caption="drills")
    [photo] = await user.wait_replies(1)
    assert photo.text.startswith("I can only read text")


async def test_group_stickers_and_chatter_get_silence(env: BotEnv) -> None:
    member = env.user()
    group = env.server.group(-1009000000100, "Chat", members=[member])
    in_group = group.member(member)
    await in_group.send_sticker()
    await in_group.send("interest rates")
    await in_group.send(f"@{env.server.bot_username} hello")
    assert await in_group.no_replies(0.5)


async def test_blocked_chat_is_not_a_crash(env: BotEnv, caplog: pytest.LogCaptureFixture) -> None:
    blocked: list[int] = []
    met = asyncio.Event()

    async def hook(context: NewsContext, chat_id: int) -> None:
        blocked.append(chat_id)
        met.set()

    user = env.user()
    env.server.block(user.chat_id)
    env.app.bot_data.on_chat_blocked.append(hook)
    try:
        with caplog.at_level(logging.INFO):
            await user.send("/latest")
            await asyncio.wait_for(met.wait(), 30)  # the bot met the block (a load guard only)
            assert user.replies() == []
    finally:
        env.app.bot_data.on_chat_blocked.remove(hook)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert blocked == [user.chat_id]
    env.server.unblock(user.chat_id)
    [reply] = await ask(user, "/latest 1")
    assert reply.text.startswith("Latest news")


async def test_a_failing_handler_apologises_and_tells_admins(
    env: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    async def boom(update: Update, context: NewsContext) -> None:
        raise RuntimeError("kaputt <b>&</b> token=secret-ish")

    handler = CommandHandler("boom", boom)
    env.app.add_handler(handler)
    admin = env.server.user(ADMIN, "Admin")
    admin.replies()
    try:
        with caplog.at_level(logging.ERROR):
            [reply] = await ask(env.user(), "/boom")
        [notice] = await admin.wait_replies(1)
    finally:
        env.app.remove_handler(handler)
    assert reply.text == "Sorry, something went wrong. Try again."
    assert "Traceback" not in reply.text and "kaputt" not in reply.text
    assert "RuntimeError: kaputt <b>&</b>" in notice.text
    assert valid_telegram_html(notice)
    assert any(r.exc_info for r in caplog.records)


async def test_flood_control_is_retried_not_failed(env: BotEnv) -> None:
    user = env.user()
    env.server.force_flood(retry_after=1, count=1)
    try:
        [reply] = await ask(user, "/latest 1")
    finally:
        env.server.stop_flood()
    assert reply.text.startswith("Latest news")


async def test_the_token_never_reaches_the_log(
    env: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        await ask(env.user(), "/latest 1")
    assert env.config.token
    assert env.config.token not in caplog.text
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING


async def test_users_outside_the_allow_list_are_turned_away(tmp_path: Path) -> None:
    async with bot_env(tmp_path, allowed_users=frozenset({1})) as private_env:
        stranger = private_env.server.user(31337, "Eve")
        [reply] = await ask(stranger, "/latest")
        assert reply.text == "This bot is private. Ask its owner for access."
        assert (await stranger.inline("drills")).results == []
        friend = private_env.server.user(1, "Friend")
        [ok] = await ask(friend, "/latest 1")
        assert ok.text.startswith("Latest news")


async def test_blocking_the_bot_runs_the_chat_blocked_hooks(env: BotEnv) -> None:
    blocked: list[int] = []
    called = asyncio.Event()

    async def hook(context: NewsContext, chat_id: int) -> None:
        blocked.append(chat_id)
        called.set()

    user = env.user()
    await ask(user, "/start")
    env.app.bot_data.on_chat_blocked.append(hook)
    try:
        await _member_update(env, user.user_id, "member", "kicked")
        await _member_update(env, user.user_id, "kicked", "member")
        [reply] = await ask(user, "/latest 1")
        # Updates run concurrently and the digests' hook before this one awaits its users.json
        # write, so /latest may be answered first: wait for the hook itself.
        await asyncio.wait_for(called.wait(), 10)
    finally:
        env.app.bot_data.on_chat_blocked.remove(hook)
    assert blocked == [user.chat_id]
    assert reply.text.startswith("Latest news")


async def _member_update(env: BotEnv, user_id: int, old: str, new: str) -> None:
    """Deliver a my_chat_member update as Telegram sends when a user (un)blocks the bot."""
    user = {"id": user_id, "is_bot": False, "first_name": "Ann"}
    me = {"id": env.server.bot_id, "is_bot": True, "first_name": "newsbrief"}
    payload = {
        "chat": {"id": user_id, "type": "private", "first_name": "Ann"},
        "from": user,
        "date": 1,
        "old_chat_member": {
            "status": old,
            "user": me,
            **({"until_date": 0} if old == "kicked" else {}),
        },
        "new_chat_member": {
            "status": new,
            "user": me,
            **({"until_date": 0} if new == "kicked" else {}),
        },
    }
    await env.server._core.queue.put("my_chat_member", payload)


async def test_commands_beyond_the_per_user_rate_limit_get_one_notice(tmp_path: Path) -> None:
    async with bot_env(tmp_path, rate_limit=2) as limited_env:
        user = limited_env.server.user(77, "Quick")
        await ask(user, "/latest 1")
        await ask(user, "/latest 1")
        [notice] = await ask(user, "/latest 1")
        assert notice.text.startswith("Slow down: up to 2 commands a minute.")
        await user.send("/latest 1")
        assert await user.no_replies(0.3)  # one notice per burst


async def test_anonymous_admins_of_two_groups_do_not_share_one_rate_limit(tmp_path: Path) -> None:
    # Every anonymous admin is @GroupAnonymousBot: counted by that user, one busy group would
    # silence the anonymous admins of every other group.
    async with bot_env(tmp_path, rate_limit=2) as limited_env:
        server = limited_env.server
        busy = server.group(-1007700001, "Busy").anonymous_admin()
        other = server.group(-1007700002, "Other").anonymous_admin()
        await ask(busy, f"/latest@{BOT} 1")
        await ask(busy, f"/latest@{BOT} 1")
        [notice] = await ask(busy, f"/latest@{BOT} 1")
        assert notice.text.startswith("Slow down: up to 2 commands a minute.")
        [answer] = await ask(other, f"/latest@{BOT} 1")
        assert answer.text.startswith("Latest news")


async def test_an_edited_command_gets_no_answer_and_does_not_count(tmp_path: Path) -> None:
    async with bot_env(tmp_path, rate_limit=2) as limited_env:
        edits: asyncio.Queue[str] = asyncio.Queue()

        async def observe(update: Update, context: NewsContext) -> None:
            if update.edited_message is not None and update.edited_message.text:
                edits.put_nowait(update.edited_message.text)

        # The last group: an edit reaches it once every handler before it has had its turn.
        limited_env.app.add_handler(TypeHandler(Update, observe), group=99)
        user = limited_env.server.user(78, "Typo")
        sent = await user.send("/latest 1")
        [first] = await user.wait_replies(1)
        for spec in limited_env.app.bot_data.commands:
            await user.edit(sent, f"/{spec.name} 1")
            assert await asyncio.wait_for(edits.get(), timeout=10) == f"/{spec.name} 1"
        assert user.replies() == []
        [second] = await ask(user, "/latest 1")  # the second of two a minute: edits were free
        assert second.text.split("\n")[0] == first.text.split("\n")[0]
