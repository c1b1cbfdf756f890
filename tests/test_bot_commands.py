"""End-to-end: /start, /help, commands in groups and forum topics, a chat's zone, through the local server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from bot.app.context import NewsContext
from tests.botkit import ADMIN, BOT, BotEnv, ask, bot_env

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def env(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotEnv]:
    async with bot_env(Path(tmp_path_factory.mktemp("bot-commands"))) as running_env:
        yield running_env


async def test_start_says_what_the_bot_does_and_runs_the_chat_start_hooks(env: BotEnv) -> None:
    started: list[int] = []

    async def hook(context: NewsContext, chat_id: int) -> None:
        started.append(chat_id)

    env.app.bot_data.on_chat_start.append(hook)
    try:
        user = env.user()
        [reply] = await ask(user, "/start")
    finally:
        env.app.bot_data.on_chat_start.remove(hook)
    assert "newsbrief" in reply.text
    for command in ("/latest", "/search", "/summary", "/subscribe", "/help"):
        assert command in reply.text
    assert started == [user.chat_id]


async def test_help_lists_exactly_the_registered_commands(env: BotEnv) -> None:
    [reply] = await ask(env.user(), "/help")
    registered = env.server.commands()
    assert registered, "setMyCommands was not called"
    for command in registered:
        assert f"/{command['command']}" in reply.text
        assert command["description"] in reply.text
    listed = [line.split()[0] for line in reply.text.splitlines() if line.startswith("/")]
    assert sorted(c.lstrip("/") for c in listed) == sorted(c["command"] for c in registered)


async def test_admin_help_includes_admin_commands(env: BotEnv) -> None:
    admin = env.server.user(ADMIN, "Admin")
    [reply] = await ask(admin, "/help")
    admin_only = [spec.name for spec in env.app.bot_data.commands if spec.admin_only]
    for name in admin_only:
        assert f"/{name}" in reply.text
    [plain] = await ask(env.user(), "/help")
    for name in admin_only:
        assert f"/{name} " not in plain.text + " "


async def test_command_addressed_to_this_bot_works(env: BotEnv) -> None:
    [reply] = await ask(env.user(), f"/latest@{BOT} 2")
    assert reply.text.startswith("Latest news · 1–2 of")


async def test_group_commands_reply_in_the_forum_topic(env: BotEnv) -> None:
    member = env.user()
    group = env.server.group(-1009000000001, "Forum", members=[member], forum=True)
    in_topic = group.member(member, thread_id=77)
    [reply] = await ask(in_topic, f"/latest@{BOT} 1")
    assert reply.message_thread_id == 77
    assert reply.text.startswith("Latest news · 1 of")


async def test_group_plain_text_and_other_bots_commands_get_silence(env: BotEnv) -> None:
    member = env.user()
    group = env.server.group(-1009000000002, "Chat", members=[member])
    in_group = group.member(member)
    await in_group.send("/latest@some_other_bot")
    await in_group.send("/frobnicate")
    assert await in_group.no_replies(0.5)
    [reply] = await ask(in_group, f"/frobnicate@{BOT}")
    assert "/help" in reply.text


async def test_a_group_that_becomes_a_supergroup_keeps_its_lists(env: BotEnv) -> None:
    member = env.user()
    group = env.server.group(-9000000003, "Chat", members=[member])
    [shown] = await ask(group.member(member), f"/latest@{BOT} 2")
    moved = asyncio.Event()

    async def on_moved(old: int, new: int) -> None:
        moved.set()

    env.services.digests.moved_listeners.append(on_moved)
    try:
        supergroup = await env.server.upgrade(-9000000003, -1009000000003, group.member(member))
        await asyncio.wait_for(moved.wait(), 10)
    finally:
        env.services.digests.moved_listeners.remove(on_moved)
    # Telegram keeps the history: the list shown before is still there to be read and used.
    [summary] = await ask(supergroup.member(member), f"/summary@{BOT} 2")
    assert "2. Climate policy talks stall in Bonn (1)" in shown.text
    assert summary.text.startswith("Climate policy talks stall in Bonn (1)\nPlanet Daily")


async def test_a_chat_zone_set_with_timezone_is_used_for_dates(env: BotEnv) -> None:
    user = env.user()
    saved = env.app.bot_data.zone_lookup
    zones = {user.chat_id: ZoneInfo("America/New_York")}
    env.app.bot_data.zone_lookup = zones.get
    try:
        [reply] = await ask(user, "/latest 1")
        answer = await user.inline("chip factory")
        other = await env.user().inline("chip factory")
    finally:
        env.app.bot_data.zone_lookup = saved
    assert "Sea News, Mar 1, 2026, 07:00" in reply.text  # 12:00 UTC in New York
    assert answer.is_personal and not other.is_personal
