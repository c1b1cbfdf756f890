"""End to end: a subscription or a follow made in a forum topic is delivered in that topic.

On both stores, across a restart. A topic closed or deleted since gets its digest or update in
the General topic once, with a line saying why (one for all that were in it), and the
subscription or follow stays, moved there: the dead topic is not tried again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from math import inf
from pathlib import Path
from typing import Any

import pytest
from telegram.error import BadRequest

from bot.digests.delivery import Deliverer, DigestPart, Outcome
from bot.digests.pacing import Pacer, Pacing
from bot.digests.records import Subscription
from bot.follows.records import Follow
from bot.models import utcnow
from bot.tgserver import GroupChat, LocalBotApiServer, SentMessage
from tests.botkit import BOT, TOKEN
from tests.botkit import ask as ask_messages
from tests.digestkit import TIMEOUT, Clock, Env, ask, digest_env
from tests.followkit import INJURED, SLOWS, FollowEnv, follow_env, follow_first_story
from tests.storykit import OTHER, VOLCANO

FORUM = -1004646
TOPIC = 31
MOVED_DIGEST = "The topic this digest went to is closed or deleted"
MOVED_UPDATES = "The topic these story updates went to is closed or deleted"


@pytest.fixture(params=["embedded", "postgresql"])
def backend(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Return the settings of a store: the data directory alone, or PostgreSQL beside it."""
    if request.param == "embedded":
        return {}
    return {"database_url": request.getfixturevalue("pg_url")}


@pytest.fixture
async def server() -> AsyncIterator[LocalBotApiServer]:
    server = LocalBotApiServer(token=TOKEN, bot_username=BOT)
    server.set_limits(server.limits.unlimited())
    await server.start()
    yield server
    await server.stop()


def forum(server: LocalBotApiServer) -> tuple[GroupChat, Any]:
    """Return a forum supergroup and its admin."""
    admin = server.user(4601, "Ada")
    return server.group(FORUM, "Forum", admins=[admin], forum=True), admin


async def fire(env: Env, days_later: int = 0) -> None:
    """Make the chat's digest due at its next time (days later), as its job does; wait for it."""
    sub = env.digests.subs.for_chat(FORUM)[0]  # the others due then come along
    due = sub.slot.next_due(utcnow()) + timedelta(days=days_later)
    env.digests.due(FORUM, sub.sub_id, due)
    await env.digests.join()


def digests(server: LocalBotApiServer) -> list[SentMessage]:
    return [m for m in server.sent(FORUM) if m.text.startswith("Your news digest")]


def refused(server: LocalBotApiServer) -> int:
    """Return how many sends the server refused with a 400."""
    return server.stats.errors_per_description["Bad Request"]


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


@pytest.mark.parametrize("gone", ["deleted", "closed"])
async def test_a_digest_whose_topic_is_gone_comes_to_general_once_and_stays_there(
    tmp_path: Path, server: LocalBotApiServer, backend: dict[str, Any], gone: str
) -> None:
    group, admin = forum(server)
    async with digest_env(tmp_path, server, **backend) as env:
        in_topic = group.member(admin, TOPIC)
        assert "Subscribed" in await ask(in_topic, "/subscribe 10:00 lighthouse")
        if gone == "deleted":
            group.delete_topic(TOPIC)
        else:
            group.close_topic(TOPIC)
        env.add("Lighthouse keeper retires")
        await fire(env)
        [note, digest] = server.sent(FORUM)[-2:]
        assert note.text.startswith(MOVED_DIGEST) and note.message_thread_id is None
        assert "Lighthouse keeper" in digest.text and digest.message_thread_id is None
        assert refused(server) == 1
    async with digest_env(tmp_path, server, **backend) as env:  # the move is stored
        assert "lighthouse" in await ask(group.member(admin), "/subscriptions")  # it leads
        [sub] = env.digests.subs.for_chat(FORUM)
        assert (sub.topic, sub.thread_id) == ("lighthouse", None)
        env.add("Lighthouse lamp relit")
        await fire(env, days_later=1)
    [*_, latest] = digests(server)
    assert "Lighthouse lamp relit" in latest.text and latest.message_thread_id is None
    assert refused(server) == 1  # the dead topic was not tried again
    assert sum(m.text.startswith(MOVED_DIGEST) for m in server.sent(FORUM)) == 1


def updates(env: FollowEnv) -> list[SentMessage]:
    return [m for m in env.server.sent(FORUM) if m.text.startswith("🔔") and "\n\n• " in m.text]


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


async def test_subscriptions_of_a_gone_topic_all_move_to_general_with_one_note(
    tmp_path: Path, server: LocalBotApiServer, backend: dict[str, Any]
) -> None:
    group, admin = forum(server)
    in_topic = group.member(admin, TOPIC)
    async with digest_env(tmp_path, server, **backend) as env:
        assert "Subscribed" in await ask(in_topic, "/subscribe 10:00 lighthouse")
        assert "Subscribed" in await ask(in_topic, "/subscribe 10:30 harbour")
        group.close_topic(TOPIC)
        env.add("Lighthouse keeper retires", "Harbour opens")
        for sub in env.digests.subs.for_chat(FORUM):  # 10:00, then 10:30: a note each before
            env.digests.due(FORUM, sub.sub_id, sub.slot.next_due(utcnow()))
            await env.digests.join()
        subs = env.digests.subs.for_chat(FORUM)
        assert [(s.topic, s.thread_id) for s in subs] == [("lighthouse", None), ("harbour", None)]
    sent = server.sent(FORUM)
    assert sum(m.text.startswith(MOVED_DIGEST) for m in sent) == 1
    assert len(digests(server)) == 2 and refused(server) == 2  # each tried its topic once
    assert all(m.message_thread_id is None for m in digests(server))


RATES_UP = (
    "FT",
    "European Central Bank raises interest rates to curb inflation",
    "The ECB lifted its deposit rate by a quarter point, saying inflation in the euro area "
    "remained too high.",
)
RATES_MORE = (
    "Reuters",
    "ECB interest rate rise: euro area inflation seen easing, banks say",
    "Economists at three banks said the ECB deposit rate rise would bring euro area inflation "
    "down to 2.5 percent by December.",
)


async def test_follows_of_a_gone_topic_updated_at_once_get_one_note(
    tmp_path: Path, server: LocalBotApiServer, backend: dict[str, Any]
) -> None:
    group, admin = forum(server)
    in_topic = group.member(admin, thread_id=TOPIC)
    async with follow_env(tmp_path, server, **backend) as env:
        env.add(*VOLCANO, RATES_UP, *OTHER)
        stories = env.services.stories
        followed = {stories.story_of(a.id) for a in env.services.store if a.source in ("AP", "FT")}
        assert len(followed) == 2
        for story_id in followed:
            assert (await ask(in_topic, f"/follow {story_id}")).startswith("🔔 Following")
        group.delete_topic(TOPIC)
        env.add(SLOWS, RATES_MORE)
        await env.settle()
        assert len(updates(env)) == 2
        notes = [m for m in env.server.sent(FORUM) if m.text.startswith(MOVED_UPDATES)]
        assert len(notes) == 1 and notes[0].message_thread_id is None
        assert all(u.message_thread_id is None for u in updates(env))
        assert [f.thread_id for f in env.services.follows.for_chat(FORUM)] == [None, None]


async def test_a_chat_is_told_of_a_gone_topic_again_after_an_hour() -> None:
    sent: list[DigestPart] = []

    async def send(chat_id: int, part: DigestPart) -> object:
        if part.thread_id == TOPIC:  # as Telegram answers a send to a deleted topic
            raise BadRequest("Message thread not found")
        sent.append(part)
        return None

    clock = Clock()
    deliverer = Deliverer(send, Pacer(Pacing(inf, inf, inf, overall_per_second=inf)), clock=clock)
    note = DigestPart("gone")
    for minutes in (0, 59, 2, 1):  # the clock moves on this much before each
        clock.advance(minutes=minutes)
        result = await deliverer.deliver(
            FORUM, [DigestPart("news", thread_id=TOPIC)], moved_note=note
        )
        assert result.outcome is Outcome.SENT and result.moved
    assert [p.text for p in sent] == ["gone", "news", "news", "gone", "news", "news"]
