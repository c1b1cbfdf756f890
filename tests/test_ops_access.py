"""Access end to end: allow-list, per-user rate limit, admin-only /stats, /forget."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import orjson

from bot.app.persistence import STATE_FILE
from bot.app.ratelimit import INLINE_PER_COMMAND, CommandRateLimiter, install_rate_limit
from bot.app.wiring import running
from bot.digests.service import DigestService, DigestSettings
from bot.digests.subscriptions import CHATS_TABLE
from bot.follows.records import Quiet
from tests.botkit import ADMIN
from tests.digestkit import FAST
from tests.opskit import OPS_MODULES, OpsEnv, ops_env, polling_ops_env

FRIEND = 3001
STRANGER = 3002
PRIVATE_LINE = "This bot is private. Ask its owner for access."


class ManualClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def with_digests(tmp_path: Path) -> AsyncIterator[tuple[OpsEnv, DigestService]]:
    """A polling bot whose services have a digest service."""
    async with (
        ops_env(
            tmp_path,
            modules=(*OPS_MODULES, "handlers.subscriptions"),  # starts the digests' delivery
            digest_settings=DigestSettings(pacing=FAST),
        ) as env,
        running(env.app, poll_timeout=1),
    ):
        yield env, env.services.digests


async def test_allow_list_answers_strangers_with_one_polite_line(tmp_path: Path) -> None:
    async with polling_ops_env(tmp_path, allowed_users=frozenset({FRIEND})) as env:
        stranger = env.server.user(STRANGER, "Eve")
        for text in ("/start", "/stats", "/forget", "climate policy"):
            await stranger.send(text)
            (reply,) = await stranger.wait_replies(1, timeout=10)
            assert reply.text == PRIVATE_LINE
        friend = env.server.user(FRIEND, "Fred")
        await friend.send("/start")
        (welcome,) = await friend.wait_replies(1, timeout=10)
        assert "newsbrief" in welcome.text
        admin = env.server.user(ADMIN)  # admins are always allowed
        await admin.send("/help")
        (help_reply,) = await admin.wait_replies(1, timeout=10)
        assert "/stats" in help_reply.text
        assert await stranger.no_replies(0.3)


async def test_21st_command_in_a_minute_gets_a_notice_and_others_are_unaffected(
    tmp_path: Path,
) -> None:
    clock = ManualClock()
    async with ops_env(tmp_path) as env:
        install_rate_limit(env.app, CommandRateLimiter(20, 60.0, clock=clock))
        async with running(env.app, poll_timeout=1):
            ann = env.server.user(4001, "Ann")
            for _ in range(20):
                await ann.send("/help")
            replies = await ann.wait_replies(20, timeout=20)
            assert all("/start" in r.text for r in replies)
            await ann.send("/help")
            (notice,) = await ann.wait_replies(1, timeout=10)
            assert notice.text.startswith("Slow down: up to 20 commands a minute.")
            await ann.send("/help")  # still over: no second notice, no answer
            assert await ann.no_replies(0.5)

            bob = env.server.user(4002, "Bob")
            await bob.send("/help")
            (bob_reply,) = await bob.wait_replies(1, timeout=10)
            assert "/start" in bob_reply.text

            clock.now += 61  # the window slid past Ann's burst
            await ann.send("/help")
            (again,) = await ann.wait_replies(1, timeout=10)
            assert "/start" in again.text


async def test_inline_queries_are_rate_limited_per_user(tmp_path: Path) -> None:
    clock = ManualClock()
    async with ops_env(tmp_path, modules=(*OPS_MODULES, "handlers.inline")) as env:
        install_rate_limit(env.app, CommandRateLimiter(2, 60.0, clock=clock))  # 6 inline
        async with running(env.app, poll_timeout=1):
            ann = env.server.user(4101, "Ann")
            for _ in range(2 * INLINE_PER_COMMAND):
                answer = await ann.inline("climate")
                assert answer.results and answer.button is None
            refused = await ann.inline("climate")
            assert refused.results == []
            assert refused.button is not None
            assert refused.button["text"].startswith("Slow down: try again in ")

            bob = env.server.user(4102, "Bob")
            assert (await bob.inline("climate")).results  # others are unaffected

            clock.now += 61
            assert (await ann.inline("climate")).results


async def test_stats_is_for_admins_only(tmp_path: Path) -> None:
    async with with_digests(tmp_path) as (env, digests):
        feeds = env.services.feeds
        feeds.seed_feeds(["https://a.example.com/rss", "https://b.example.com/rss", "https://c.example.com/rss", "https://d.example.com/rss"])  # fmt: skip
        records = feeds.registry.all()
        await feeds.registry.save(
            replace(records[0], title="<Broken & Co>", failures=4, last_error="HTTP 500")
        )
        await feeds.registry.save(replace(records[1], active=False, note="gone"))
        # The third was fetched once; the fourth never was, so it is not counted as healthy.
        await feeds.registry.save(replace(records[2], last_success=records[2].added))
        for chat in (7001, 7002, 7003):
            await digests.subscribe(chat, "climate", (8, 0), "UTC")
        await digests.subscribe(7001, "football", (9, 0), "UTC")
        await digests.deactivate(7003)
        admin = env.server.user(ADMIN)
        await digests.subscribe(ADMIN, "climate", (9, 0), "UTC")
        # A real delivery feeds the day's counters (the digest says there is nothing new).
        assert await digests.send_now(ADMIN) == "sent"
        await admin.wait_replies(1, timeout=10)

        user = env.server.user(5001, "Nosy")
        await user.send("/stats")
        (refused,) = await user.wait_replies(1, timeout=10)
        assert refused.text == "Only the bot's admins can use /stats."

        await admin.send("/stats")
        (stats,) = await admin.wait_replies(1, timeout=10)
    lines = stats.text.splitlines()
    assert lines[0] == "newsbrief stats"
    assert lines[1].startswith(f"Articles: {len(env.services.store)} (")
    assert lines[2] == "Feeds: 4 — 1 healthy, 1 not fetched yet, 1 failing, 1 deactivated"
    assert "<Broken & Co> — 4 failures in a row: HTTP 500" in lines[3]
    assert "Subscribers: 3 active, 1 deactivated (5 subscriptions)" in stats.text
    assert "Digests today: 1 sent, 0 failed" in stats.text
    assert "Uptime: " in stats.text


async def test_forget_deletes_the_chats_data_after_confirmation(tmp_path: Path) -> None:
    async with with_digests(tmp_path) as (env, digests):
        ann = env.server.user(6001, "Ann")
        other = 6002
        await digests.subscribe(ann.chat_id, "climate", (8, 0), "UTC")
        await digests.subscribe(ann.chat_id, "football", (9, 0), "UTC")
        await digests.set_zone(ann.chat_id, "Europe/Berlin")
        await digests.subscribe(other, "climate", (8, 0), "UTC")
        await ann.send("/latest")  # leaves a last-list state in the chat
        await ann.wait_replies(1, timeout=10)
        assert env.app.chat_data[ann.chat_id].last_ids
        env.app.mark_data_for_update_persistence(chat_ids=ann.chat_id)
        await env.app.update_persistence()
        assert str(ann.chat_id) in chat_state_file(env.config.data_dir)

        await ann.send("/forget")
        (question,) = await ann.wait_replies(1, timeout=10)
        assert "2 subscriptions" in question.text
        await ann.press(question, "Cancel")
        (cancelled,) = await ann.wait_replies(1, timeout=10)
        assert cancelled.edited and cancelled.text == "Cancelled. Nothing was deleted."
        assert len(digests.subs.for_chat(ann.chat_id)) == 2

        await ann.send("/forget")
        (question,) = await ann.wait_replies(1, timeout=10)
        answer = await ann.press(question, "Delete everything")
        (done,) = await ann.wait_replies(1, timeout=10)
        assert answer.text == "Deleted."
        assert done.edited and done.text.startswith("Done. Deleted 2 subscriptions")

        assert digests.subs.for_chat(ann.chat_id) == []
        assert digests.zone_of(ann.chat_id) is None
        await env.services.users.flush()
        chats = env.services.users.load(CHATS_TABLE)
        assert all(doc["chat_id"] != ann.chat_id for doc in chats)
        assert not env.app.chat_data.get(ann.chat_id, None) or not (
            env.app.chat_data[ann.chat_id].last_ids
        )
        assert len(digests.subs.for_chat(other)) == 1  # nobody else's data is touched
        await env.app.update_persistence()  # the chat's list state is not on disk either
        assert str(ann.chat_id) not in chat_state_file(env.config.data_dir)


async def test_forget_leaves_no_trace_of_the_chat_in_the_users_files(tmp_path: Path) -> None:
    # The tables are append-only logs: a delete used to add a line after the chat's own and
    # leave them (topics, zone, quiet hours) on disk until half the table was dead.
    async with with_digests(tmp_path) as (env, digests):
        ann = env.server.user(6201, "Ann")
        await digests.subscribe(ann.chat_id, "zanzibar cloves", (8, 0), "UTC")
        await digests.set_zone(ann.chat_id, "Pacific/Chatham")
        await env.services.follows.set_quiet(ann.chat_id, Quiet.parse("21:17-06:43"))
        await digests.subscribe(6202, "climate", (8, 0), "UTC")
        await ann.send("/forget")
        (question,) = await ann.wait_replies(1, timeout=10)
        await ann.press(question, "Delete everything")
        await ann.wait_replies(1, timeout=10)
        await env.services.users.flush()
        files = b"".join(p.read_bytes() for p in (env.config.data_dir / "users").iterdir())
        for trace in (b"zanzibar", b"Chatham", b"21:17", b"6201"):
            assert trace not in files
        assert b"climate" in files and b"6202" in files  # nobody else's data is touched


async def test_forget_in_a_group_needs_a_group_admin_and_the_same_person(tmp_path: Path) -> None:
    async with with_digests(tmp_path) as (env, digests):
        owner = env.server.user(8001, "Olga")
        member = env.server.user(8002, "Max")
        group = env.server.group(-1008000, "Club", members=[member], owner=owner)
        await digests.subscribe(group.chat_id, "football", (8, 0), "UTC")
        as_member = group.member(member)

        await as_member.send("/forget")
        (refused,) = await as_member.wait_replies(1, timeout=10)
        assert refused.text == "Only this group's admins can make the bot forget it."

        as_owner = group.member(owner)
        as_owner.replies()  # start reading after the member's exchange
        await as_owner.send("/forget")
        (question,) = await as_owner.wait_replies(1, timeout=10)
        answer = await as_member.press(question, "Delete everything")
        assert answer.text == "Only the person who sent /forget can answer."
        assert len(digests.subs.for_chat(group.chat_id)) == 1

        answer = await as_owner.press(question, "Delete everything")
        assert answer.text == "Deleted."
        assert digests.subs.for_chat(group.chat_id) == []


async def test_an_anonymous_admin_can_make_a_group_forget_it(tmp_path: Path) -> None:
    # An admin who stays anonymous posts as the group, from @GroupAnonymousBot; the press on
    # the question comes from the person. Any admin of the group may answer, no member.
    async with with_digests(tmp_path) as (env, digests):
        admin = env.server.user(8011, "Olga")
        member = env.server.user(8012, "Max")
        group = env.server.group(-1008010, "Club", members=[member], admins=[admin])
        await digests.subscribe(group.chat_id, "football", (8, 0), "UTC")
        anonymous = group.anonymous_admin()
        await anonymous.send("/forget")
        (question,) = await anonymous.wait_replies(1, timeout=10)
        assert question.text.startswith("This deletes everything newsbrief keeps")
        answer = await group.member(member).press(question, "Delete everything")
        assert answer.text == "Only this group's admins can make the bot forget it."
        assert len(digests.subs.for_chat(group.chat_id)) == 1
        answer = await group.member(admin).press(question, "Delete everything")
        assert answer.text == "Deleted."
        assert digests.subs.for_chat(group.chat_id) == []


async def test_forged_forget_buttons_are_refused(tmp_path: Path) -> None:
    async with with_digests(tmp_path) as (env, digests):
        ann = env.server.user(6101, "Ann")
        await digests.subscribe(ann.chat_id, "climate", (8, 0), "UTC")
        await ann.send("/forget")
        (question,) = await ann.wait_replies(1, timeout=10)
        for data in ("forget:yes:6102", "forget:yes:", "forget:maybe:6101", "forget:yes:6101x"):
            answer = await ann.press_data(question, data)
            assert answer.text in (
                "Only the person who sent /forget can answer.",
                "This button is not valid any more.",
            )
        assert len(digests.subs.for_chat(ann.chat_id)) == 1


def chat_state_file(data_dir: Path) -> dict[str, object]:
    """Return the chats of the persisted chat state."""
    chats = orjson.loads((data_dir / STATE_FILE).read_bytes())["chats"]
    assert isinstance(chats, dict)
    return chats


async def test_a_channel_admin_can_make_the_channel_forget_it(tmp_path: Path) -> None:
    # A channel post names no user, only the channel: /forget was silently ignored there.
    async with with_digests(tmp_path) as (env, digests):
        poster = env.server.channel(-1008020, env.server.user(8021, "Vera"), "Daily")
        await digests.subscribe(poster.chat_id, "football", (8, 0), "UTC")
        await poster.send("/forget")
        (question,) = await poster.wait_replies(1, timeout=10)
        assert question.text.startswith("This deletes everything newsbrief keeps")
        answer = await poster.press(question, "Delete everything")
        assert answer.text == "Deleted."
        assert digests.subs.for_chat(poster.chat_id) == []
