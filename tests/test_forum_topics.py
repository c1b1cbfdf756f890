"""End to end: a subscription or a follow made in a forum topic is delivered in that topic.

On both stores, across a restart; a story followed in a topic whose topic goes gets its news in
General once. The digests of a gone topic, and the one note a chat gets: test_forum_topics_gone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.digests.records import Subscription
from bot.follows.records import Follow
from bot.tgserver import LocalBotApiServer, SentMessage
from tests.botkit import ask as ask_messages
from tests.digestkit import TIMEOUT, ask, digest_env
from tests.followkit import INJURED, SLOWS, follow_env, follow_first_story
from tests.forumkit import (
    FORUM,
    MOVED_UPDATES,
    TOPIC,
    digests,
    fire,
    forum,
    refused,
    started_server,
    store_settings,
    updates,
)
from tests.storykit import OTHER, VOLCANO


@pytest.fixture(params=["embedded", "postgresql"])
def backend(request: pytest.FixtureRequest) -> dict[str, Any]:
    return store_settings(request)


@pytest.fixture
async def server() -> AsyncIterator[LocalBotApiServer]:
    async with started_server() as started:
        yield started


async def test_a_subscription_made_in_a_topic_brings_its_digest_there_after_a_restart(
    tmp_path: Path, server: LocalBotApiServer, backend: dict[str, Any]
) -> None:
    group, admin = forum(server)
    in_topic, general = group.member(admin, thread_id=TOPIC), group.member(admin)
    async with digest_env(tmp_path, server, **backend):
        assert "Subscribed" in await ask(in_topic, "/subscribe 10:00 lighthouse")
        assert "Subscribed" in await ask(in_topic, "/subscribe 10:00 harbour")
        # Subscribed again from elsewhere, a topic goes where it was asked for last.
        assert "Updated" in await ask(general, "/subscribe 10:00 harbour")
    async with digest_env(tmp_path, server, **backend) as env:
        assert "lighthouse" in await ask(general, "/subscriptions")  # answered: it leads
        env.add("Lighthouse keeper retires", "Harbour opens")
        await fire(env)
    where = {
        ("Lighthouse keeper" in m.text, "Harbour opens" in m.text): m.message_thread_id
        for m in digests(server)
    }
    assert where == {(True, False): TOPIC, (False, True): None}


def topic_links(reply: SentMessage) -> list[tuple[str, str]]:
    """Return each link of a message: the line it is on (its start) and where it goes."""
    text = reply.text.encode("utf-16-le")
    return [
        (text[: 2 * e["offset"]].decode("utf-16-le").rsplit("\n", 1)[-1][:14], e["url"])
        for e in reply.entities
        if e["type"] == "text_link"
    ]


@pytest.mark.parametrize("username", [None, "harbourtown"])
async def test_subscriptions_say_which_topic_each_digest_goes_to(
    tmp_path: Path, server: LocalBotApiServer, username: str | None
) -> None:
    admin = server.user(4601, "Ada")
    group = server.group(-1001234567890, "Forum", admins=[admin], forum=True, username=username)
    in_topic, general = group.member(admin, thread_id=TOPIC), group.member(admin)
    async with digest_env(tmp_path, server):
        await ask(in_topic, "/subscribe 10:00 lighthouse")
        await ask(general, "/subscribe 10:00 harbour")
        [reply] = await ask_messages(general, "/subscriptions")
        await general.press(reply, "🕒 Time 2")
        await general.press(reply, "21:00")  # the list is drawn again, the topic on it
    [*_, redrawn] = [m for m in server.sent(group.chat_id) if m.kind == "edited"]
    assert "2. lighthouse — every day at 21:00" in redrawn.text
    [harbour, lighthouse] = reply.text.splitlines()[1:3]
    assert harbour.startswith("1. harbour — every day at 10:00 (UTC); next ")
    assert "topic" not in harbour  # General: where a digest goes unless asked elsewhere
    assert lighthouse.startswith("2. lighthouse — ") and lighthouse.endswith(" · in a topic")
    # A private group's topic opens by its internal id (t.me/c/), a public one's by its name.
    where = f"https://t.me/{username}/{TOPIC}" if username else f"https://t.me/c/1234567890/{TOPIC}"
    assert topic_links(reply) == topic_links(redrawn) == [("2. lighthouse ", where)]


async def test_a_story_followed_in_a_topic_sends_its_news_there_then_to_general_once_gone(
    tmp_path: Path, server: LocalBotApiServer, backend: dict[str, Any]
) -> None:
    group, admin = forum(server)
    in_topic = group.member(admin, thread_id=TOPIC)
    async with follow_env(tmp_path, server, **backend) as env:
        env.add(*VOLCANO, *OTHER)
        await follow_first_story(env, in_topic)
        env.add(SLOWS)
        await env.settle()
        [update] = updates(env)
        assert "slowed on Tuesday" in update.text and update.message_thread_id == TOPIC
        group.delete_topic(TOPIC)
        env.clock.advance(hours=4)
        env.add(INJURED)
        await env.settle()
        [note, moved] = env.server.sent(FORUM)[-2:]
        assert note.text.startswith(MOVED_UPDATES) and note.message_thread_id is None
        assert "injured" in moved.text and moved.message_thread_id is None
        [follow] = env.services.follows.for_chat(FORUM)
        assert follow.thread_id is None
        assert refused(server) == 1


async def test_follow_in_a_topic_replies_there_and_a_restart_keeps_the_topic(
    tmp_path: Path, server: LocalBotApiServer, backend: dict[str, Any]
) -> None:
    group, admin = forum(server)
    in_topic = group.member(admin, thread_id=TOPIC)
    async with follow_env(tmp_path, server, **backend) as env:
        env.add(*VOLCANO, *OTHER)
        in_topic.replies()
        await in_topic.send("/brief")
        await in_topic.wait_replies(1, timeout=TIMEOUT)
        in_topic.replies()
        [reply] = await ask_messages(in_topic, "/follow 1")
        assert reply.text.startswith("🔔 Following:") and reply.message_thread_id == TOPIC
    async with follow_env(tmp_path, server, **backend) as env:
        assert "1 story" in await ask(in_topic, "/following")  # answered: it leads
        [follow] = env.services.follows.for_chat(FORUM)
        assert follow.thread_id == TOPIC
        env.add(SLOWS)
        await env.settle()
        [update] = updates(env)
        assert update.message_thread_id == TOPIC


def test_records_stored_before_topics_read_as_the_general_topic_and_keep_their_shape() -> None:
    old_sub = {
        "sub_id": "ab12cd34",
        "chat_id": FORUM,
        "topic": "oil",
        "hour": 8,
        "minute": 0,
        "zone": "UTC",
        "created": "2026-03-01T08:00:00+00:00",
        "cursor": None,
        "last_due": None,
        "sent": "",
    }
    sub = Subscription.from_doc(old_sub)
    assert sub.thread_id is None and "thread_id" not in sub.to_doc()
    assert Subscription.from_doc(old_sub | {"thread_id": TOPIC}).to_doc()["thread_id"] == TOPIC
    old_follow = {"chat_id": FORUM, "story_id": "s0123456789", "since": "2026-03-01T08:00:00Z"}
    follow = Follow.from_doc(old_follow)
    assert follow.thread_id is None and "thread_id" not in follow.to_doc()
    assert Follow.from_doc(old_follow | {"thread_id": TOPIC}).to_doc()["thread_id"] == TOPIC


async def test_following_a_story_again_from_another_topic_says_its_updates_come_there_now(
    tmp_path: Path, server: LocalBotApiServer
) -> None:
    # The follow moved, yet the reply said only "You already follow", as if nothing changed.
    group, admin = forum(server)
    in_topic, elsewhere = group.member(admin, thread_id=TOPIC), group.member(admin, thread_id=32)
    general = group.member(admin)
    headline = "Iceland volcano eruption sends lava toward Grindavik"
    async with follow_env(tmp_path, server) as env:
        env.add(*VOLCANO, *OTHER)
        await follow_first_story(env, in_topic)
        elsewhere.replies()
        [moved] = await ask_messages(elsewhere, "/follow 1")
        line = moved.text.split("\n")[0]
        assert line == f"🔔 Updates of {headline} come to this topic now."
        assert moved.message_thread_id == 32
        assert (await ask(elsewhere, "/follow 1")).startswith(f"🔔 You already follow {headline}.")
        general.replies()
        [choose] = await ask_messages(general, "/language")
        await general.press(choose, "Русский")
        general.replies()
        [moved] = await ask_messages(general, "/follow 1")
        line = moved.text.split("\n")[0]
        assert line == f"🔔 Обновления сюжета {headline} теперь приходят в эту тему."
        [follow] = env.services.follows.for_chat(FORUM)
        assert follow.thread_id is None
