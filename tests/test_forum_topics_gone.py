"""End to end: a forum topic closed or deleted since gets its digest or update in the General
topic, with a line saying why (one for all that were in it, once an hour), and the
subscription or follow stays, moved there: the dead topic is not tried again. On both stores.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from math import inf
from pathlib import Path
from typing import Any

import pytest
from telegram.error import BadRequest

from bot.digests.delivery import Deliverer, DigestPart, Outcome
from bot.digests.pacing import Pacer, Pacing
from bot.models import utcnow
from bot.tgserver import LocalBotApiServer
from tests.digestkit import Clock, ask, digest_env
from tests.followkit import SLOWS, follow_env
from tests.forumkit import (
    FORUM,
    MOVED_DIGEST,
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
