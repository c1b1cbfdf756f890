"""End to end through the real Application and the local Bot API server: subscribe, digest
at the chosen minute, blocked users, migrated groups, a 429 storm, restart catch-up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.error import NetworkError

from bot.app.context import NewsApp
from bot.app.wiring import build_application, running
from bot.digests.delivery import DigestPart, bot_sender
from bot.digests.jobs import job_name
from bot.digests.pacing import Pacing
from bot.digests.service import DigestService, DigestSettings
from bot.models import ArticleDraft, utcnow
from bot.services import Services, open_services
from bot.tgserver import LocalBotApiServer, UserClient
from tests.botkit import BOT, TOKEN, make_config
from tests.digestkit import FAST

TIMEOUT = 10


@dataclass
class Env:
    server: LocalBotApiServer
    app: NewsApp
    services: Services
    digests: DigestService
    next_id: int = 5000

    def user(self) -> UserClient:
        self.next_id += 1
        return self.server.user(self.next_id, f"User{self.next_id}")

    def add(self, *titles: str) -> None:
        self.services.store.add_many(
            ArticleDraft(
                title=t,
                body=f"{t}.",
                url=f"https://news.example.com/{abs(hash(t))}",
                published=utcnow() - timedelta(minutes=1),
                source="Wire",
            )
            for t in titles
        )

    def job(self, chat_id: int) -> Any:
        [sub] = self.digests.subs.for_chat(chat_id)
        job = self.digests.jobs.job_of(sub)
        assert job is not None
        return job

    async def fire(self, chat_id: int) -> None:
        """Run the chat's job now (as the scheduler would at its minute) and wait for delivery."""
        await self.job(chat_id).run(self.app)
        await self.digests.join()


@asynccontextmanager
async def digest_env(
    data_dir: Path,
    server: LocalBotApiServer | None = None,
    pacing: Pacing = FAST,
    **overrides: Any,
) -> AsyncIterator[Env]:
    own = server is None
    if server is None:
        server = LocalBotApiServer(token=TOKEN, bot_username=BOT)
        server.set_limits(server.limits.unlimited())
        await server.start()
    config = make_config(data_dir, server, tz=__import__("zoneinfo").ZoneInfo("UTC"), **overrides)
    services = open_services(config, write=True, digest_settings=DigestSettings(pacing=pacing))
    digests = services.digests
    try:
        app = build_application(config, services, own_services=False)
        async with running(app, poll_timeout=1):
            yield Env(server, app, services, digests)
    finally:
        services.shutdown()
        if own:
            await server.stop()


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async with digest_env(tmp_path) as e:
        yield e


async def ask(user: UserClient, text: str) -> str:
    user.replies()  # skip digests and edits that arrived meanwhile
    await user.send(text)
    [reply] = await user.wait_replies(1, timeout=TIMEOUT)
    return reply.text


def digests_in(server: LocalBotApiServer, chat_id: int) -> list[str]:
    return [m.text for m in server.sent(chat_id) if m.text.startswith("Your news digest")]


async def test_subscribe_then_the_digest_comes_at_the_chosen_minute_once(env: Env) -> None:
    user = env.user()
    reply = await ask(user, "/subscribe 07:30 Europe/Berlin harbour")
    assert "Subscribed: harbour — every day at 07:30 (Europe/Berlin)" in reply
    job = env.job(user.chat_id)
    local = job.next_t.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
    assert (local.hour, local.minute) == (7, 30)
    assert job.next_t > utcnow() and job.next_t - utcnow() <= timedelta(hours=25)
    env.add("Harbour reopens after storm", "Stock markets calm")
    await env.fire(user.chat_id)
    [digest] = digests_in(env.server, user.chat_id)
    assert "Harbour reopens after storm" in digest and "Stock markets" not in digest
    await env.fire(user.chat_id)  # the same due again (a repeated trigger): never twice
    assert len(digests_in(env.server, user.chat_id)) == 1
    env.add("Harbour gets a new crane")
    await ask(user, "/digest")  # nothing is delivered twice, new articles come
    texts = digests_in(env.server, user.chat_id)
    assert len(texts) == 2 and "new crane" in texts[1] and "reopens" not in texts[1]


async def test_subscriptions_list_remove_and_change_time_by_button(env: Env) -> None:
    user = env.user()
    await ask(user, "/subscribe 06:15 climate")
    await ask(user, "/subscribe sport")
    await user.send("/subscriptions")
    [listing] = await user.wait_replies(1, timeout=TIMEOUT)
    assert "1. climate — every day at 06:15 (UTC)" in listing.text
    assert "2. sport — every day at 08:00 (UTC)" in listing.text
    await user.press(listing, "🕒 Time 2")
    await user.press(listing, "21:00")
    [sport] = [s for s in env.digests.subs.for_chat(user.chat_id) if s.topic == "sport"]
    assert sport.slot.hhmm == "21:00"
    await user.press(listing, "✖ Remove 1")
    assert [s.topic for s in env.digests.subs.for_chat(user.chat_id)] == ["sport"]
    assert "Unsubscribed: sport" in await ask(user, "/unsubscribe")
    assert env.digests.subs.for_chat(user.chat_id) == []


async def test_resubscribing_a_topic_changes_its_time(env: Env) -> None:
    user = env.user()
    await ask(user, "/subscribe 07:00 Climate   Policy")
    assert "Updated: Climate Policy — every day at 09:45" in await ask(
        user, "/subscribe 9:45 climate policy"
    )
    assert len(env.digests.subs.for_chat(user.chat_id)) == 1


async def test_bad_times_and_zones_get_helpful_answers(env: Env) -> None:
    user = env.user()
    assert "the hour must be from 00 to 23. Use HH:MM" in await ask(user, "/subscribe 25:61 news")
    assert "Did you mean Europe/Moscow?" in await ask(user, "/subscribe 07:00 Europe/Mosow news")
    assert "Did you mean America/New_York?" in await ask(user, "/timezone america/new york")
    assert "Time zone set to Asia/Kolkata" in await ask(user, "/timezone asia/kolkata")
    reply = await ask(user, "/subscribe 08:00 markets")
    assert "(Asia/Kolkata)" in reply
    assert "1 subscription now follows it" in await ask(user, "/timezone Europe/Berlin")
    assert "now follow" not in await ask(user, "/timezone Europe/Berlin")


async def test_a_topic_with_a_filter_not_understood_is_refused_not_kept(env: Env) -> None:
    user = env.user()
    reply = await ask(user, "/subscribe 08:00 oil since:garbage")
    # Kept, it would match nothing ever and the digest would never come.
    assert "I don't understand since:garbage" in reply and "Subscribed" not in reply
    assert env.digests.subs.for_chat(user.chat_id) == []
    assert "Subscribed: oil since:2021-08-01" in await ask(
        user, "/subscribe 08:00 oil since:2021-08-01"
    )


async def test_a_time_zone_abbreviation_resolves_or_gets_no_wrong_guess(env: Env) -> None:
    user = env.user()
    assert "Time zone set to Europe/Moscow" in await ask(user, "/timezone MSK")  # not MST
    assert "Did you mean CET?" in await ask(user, "/timezone CEST")  # CET's summer name
    # India's, Israel's and Ireland's: any one guess would be wrong for the others.
    reply = await ask(user, "/timezone IST")
    assert "I do not know the time zone “IST”" in reply and "Did you mean" not in reply


async def test_blocked_user_is_deactivated_kept_and_reactivated_on_start(env: Env) -> None:
    user = env.user()
    await ask(user, "/subscribe ")
    env.add("Blocked story one")
    env.server.block(user.chat_id)
    await env.fire(user.chat_id)
    assert not env.digests.subs.is_active(user.chat_id)
    assert len(env.digests.subs.for_chat(user.chat_id)) == 1  # kept
    env.server.unblock(user.chat_id)
    await ask(user, "/start")
    assert env.digests.subs.is_active(user.chat_id)
    await env.fire(user.chat_id)
    [digest] = digests_in(env.server, user.chat_id)
    assert "Blocked story one" in digest  # nothing was lost while blocked


async def test_group_admins_only_and_migration_moves_subscriptions(env: Env) -> None:
    admin, member = env.user(), env.user()
    group = env.server.group(-4242, "Team", members=[member], admins=[admin])
    in_group_admin = group.member(admin)
    in_group_member = group.member(member)
    assert "Subscribed" in await ask(in_group_admin, "/subscribe 10:00 chips")
    assert "Only this group's admins" in await ask(in_group_member, "/subscribe 11:00 chips")
    env.add("New chips factory opens")
    env.server.migrate(-4242, -1009999)
    await env.fire(-4242)
    assert env.digests.subs.for_chat(-4242) == []
    [moved] = env.digests.subs.for_chat(-1009999)
    assert moved.topic == "chips" and moved.slot.hhmm == "10:00"
    [digest] = digests_in(env.server, -1009999)
    assert "New chips factory opens" in digest
    assert env.job(-1009999).name == job_name(moved.slot.next_due(utcnow()))


async def test_a_group_member_is_told_which_setting_only_admins_change(env: Env) -> None:
    admin, member = env.user(), env.user()
    group = env.server.group(-4545, "Team", members=[member], admins=[admin])
    in_group = group.member(member)
    refused = await ask(in_group, f"/timezone@{BOT} Europe/Berlin")
    assert refused == "Only this group's admins can change its time zone."
    await in_group.send(f"/language@{BOT}")
    [choose] = await in_group.wait_replies(1, timeout=TIMEOUT)
    answer = await in_group.press(choose, "Русский")
    assert answer.text == "Only this group's admins can change its language."
    assert env.digests.subs.chat(-4545).zone is None


async def test_a_group_that_adds_the_bot_back_gets_its_digests_again(env: Env) -> None:
    # Telegram sends no /start when a group adds a bot back: my_chat_member is the only sign.
    admin = env.user()
    group = env.server.group(-4343, "Team", admins=[admin])
    in_group = group.member(admin)
    assert "Subscribed" in await ask(in_group, "/subscribe 10:00 chips")
    env.add("Chips plant announced")
    await env.server.set_bot_member(-4343, in_group, present=False)
    await env.fire(-4343)
    assert digests_in(env.server, -4343) == []
    back = asyncio.Event()

    async def hook(context: Any, chat_id: int) -> None:  # runs after the digests' own hook
        back.set()

    env.app.bot_data.on_chat_start.append(hook)
    await env.server.set_bot_member(-4343, in_group, present=True)
    await asyncio.wait_for(back.wait(), TIMEOUT)
    assert env.digests.is_active(-4343)
    await env.fire(-4343)
    [digest] = digests_in(env.server, -4343)
    assert "Chips plant announced" in digest


async def test_429_storm_is_retried_nothing_lost_nothing_twice(tmp_path: Path) -> None:
    # 30 429s among 12 chats: some chat takes at least 3 of them, more than its 2 attempts,
    # whichever way the senders line up after each pause; a 429 must not use one up.
    async with digest_env(tmp_path, pacing=replace(FAST, max_attempts=2)) as env:
        users = [env.user() for _ in range(12)]
        for user in users:
            await ask(user, "/subscribe 07:00")
        env.add("Storm-proof story")
        env.server.force_flood(retry_after=1, count=30)
        for user in users:
            await env.job(user.chat_id).run(env.app)
        await env.digests.join()
        assert env.server.stats.too_many_requests == 30
        assert max(env.server.stats.too_many_per_chat.values()) > 2
        for user in users:
            [digest] = digests_in(env.server, user.chat_id)
            assert "Storm-proof story" in digest


async def test_digest_command_without_subscriptions(env: Env) -> None:
    user = env.user()
    assert "No subscriptions here" in await ask(user, "/digest")
    await ask(user, "/subscribe volcano")
    assert "Nothing new" in await ask(user, "/digest")


async def test_restart_sends_a_missed_digest_once_within_grace(tmp_path: Path) -> None:
    from bot.digests.records import Subscription

    now = utcnow()
    missed, old, created = (
        now - timedelta(hours=1),
        now - timedelta(hours=7),
        now - timedelta(days=3),
    )
    server = LocalBotApiServer(token=TOKEN, bot_username=BOT)
    await server.start()
    try:
        async with digest_env(tmp_path, server) as env:
            user_a, user_b = env.user(), env.user()
            env.digests.subs.add_many(
                [
                    Subscription(
                        "aaaa0001", user_a.chat_id, "", missed.hour, missed.minute, "UTC", created
                    ),
                    Subscription(
                        "bbbb0002", user_b.chat_id, "", old.hour, old.minute, "UTC", created
                    ),
                ]
            )
            env.add("Overnight story")
        for _restart in range(2):  # two restarts: the missed digest comes once
            async with digest_env(tmp_path, server) as env:
                await env.digests.join()
        assert len(digests_in(server, user_a.chat_id)) == 1
        assert len(digests_in(server, user_b.chat_id)) == 0  # 7 h late: beyond the 6 h grace
    finally:
        await server.stop()


async def test_a_reply_goes_out_while_another_chats_digest_is_still_retrying(
    tmp_path: Path,
) -> None:
    """A chat whose sends fail (network) must not hold back another user's reply."""
    async with digest_env(tmp_path, pacing=replace(FAST, max_attempts=2)) as env:
        broken, other = env.user(), env.user()
        await ask(broken, "/subscribe 07:30 harbour")
        env.add("Harbour reopens after storm")
        real = bot_sender(env.app.bot)
        failed_once, release = asyncio.Event(), asyncio.Event()
        outcomes: list[str] = []
        env.digests.outcome_listeners.append(outcomes.append)

        async def send(chat_id: int, part: DigestPart) -> object:
            if chat_id != broken.chat_id:
                return await real(chat_id, part)
            if failed_once.is_set():
                await release.wait()  # the retry is in flight until the test lets it end
            failed_once.set()
            raise NetworkError("connection reset")

        env.digests.start(send)
        await env.job(broken.chat_id).run(env.app)
        await asyncio.wait_for(failed_once.wait(), TIMEOUT)
        reply = await ask(other, "/subscribe 08:00 chips")
        assert "Subscribed: chips" in reply
        assert outcomes == []  # the broken chat's digest is still being retried
        release.set()
        await env.digests.join()
        assert outcomes == ["failed"] and digests_in(env.server, broken.chat_id) == []


async def test_subscribe_reads_a_zone_before_or_after_the_time_and_a_number_as_topic(
    env: Env,
) -> None:
    user = env.user()
    assert "Subscribed: 50 cent — every day at 08:00" in await ask(user, "/subscribe 50 cent")
    reply = await ask(user, "/subscribe Europe/Paris 10:00 gas")
    assert "Subscribed: gas — every day at 10:00 (Europe/Paris)" in reply
    reply = await ask(user, "/subscribe 25:00 oil")
    assert reply.startswith("“25:00”: the hour must be from 00 to 23. Use HH:MM")


async def test_a_utc_offset_gets_no_wrong_guess_and_is_not_taken_as_topic(env: Env) -> None:
    user = env.user()
    # "Did you mean UTC?" for UTC+3 sent digests three hours late to whoever took it.
    for typed in ("UTC+3", "GMT+03:00", "utc-5", "+03:00"):
        reply = await ask(user, f"/timezone {typed}")
        assert f"I do not know the time zone “{typed}”" in reply and "Did you mean" not in reply
    reply = await ask(user, "/subscribe 08:00 GMT+3 oil")
    assert "I do not know the time zone “GMT+3”" in reply and "Subscribed" not in reply
    assert env.digests.subs.for_chat(user.chat_id) == []


async def test_unsubscribe_all_with_nothing_left_says_there_is_nothing(env: Env) -> None:
    user = env.user()
    await ask(user, "/subscribe 08:00 oil")
    assert "Unsubscribed: oil." in await ask(user, "/unsubscribe all")
    reply = await ask(user, "/unsubscribe all")  # was "No subscription to all here."
    assert reply.startswith("No subscriptions here.") and "to all" not in reply


async def test_a_topic_of_common_words_only_is_refused_like_a_search(env: Env) -> None:
    user = env.user()
    # Kept, it searched nothing and the digest brought all news under the topic's name, its
    # "/brief the of and" answering that there is nothing to search for.
    reply = await ask(user, "/subscribe 08:00 the of and")
    assert "Nothing to search for in the of and: common" in reply and "Subscribed" not in reply
    assert env.digests.subs.for_chat(user.chat_id) == []
    for junk in ("OR", '"', '""'):  # an operator or an empty phrase alone asks for nothing
        reply = await ask(user, f"/subscribe 08:00 {junk}")
        assert f"Nothing to search for in {junk}: common" in reply and "Subscribed" not in reply
    assert env.digests.subs.for_chat(user.chat_id) == []
    assert "Subscribed: -sport" in await ask(user, "/subscribe -sport")  # all news but sport
    for but in ("-lang:en", "-source:Wire"):  # all news but a language, or but an outlet
        assert f"Subscribed: {but}" in await ask(user, f"/subscribe {but}")


async def test_subscribing_again_without_a_time_or_zone_keeps_them(env: Env) -> None:
    user = env.user()
    await ask(user, "/subscribe 07:30 Asia/Tokyo oil")
    # Was "Updated: oil — every day at 08:00 (UTC)": a digest moved nobody asked to move.
    assert "Updated: oil — every day at 07:30 (Asia/Tokyo)" in await ask(user, "/subscribe Oil")
    assert "oil — every day at 09:00 (Asia/Tokyo)" in await ask(user, "/subscribe 09:00 oil")
    reply = await ask(user, "/subscribe Europe/Paris oil")
    assert "oil — every day at 09:00 (Europe/Paris)" in reply


async def test_twenty_long_emoji_topics_still_list_and_unsubscribe(env: Env) -> None:
    user = env.user()
    # 100 characters are 200 of Telegram's UTF-16 units in emoji: 20 such topics made the
    # list and the "Unsubscribed:" line longer than a message, and both failed.
    for n in range(20):
        await env.digests.subscribe(user.chat_id, "😀" * 97 + f"{n:02d}", (8, n), "UTC")
    listing = await ask(user, "/subscriptions")
    assert listing.startswith("Subscriptions\n1. 😀") and "20. 😀" in listing
    assert (await ask(user, "/unsubscribe all")).startswith("Unsubscribed: 😀")
    assert env.digests.subs.for_chat(user.chat_id) == []


async def test_unsubscribe_of_a_long_topic_the_chat_lacks_quotes_it_cut(env: Env) -> None:
    user = env.user()
    await env.digests.subscribe(user.chat_id, "oil", (8, 0), "UTC")
    # The command may hold 4,096 characters; quoted whole in "No subscription to … here. See
    # /subscriptions." the answer was longer than a message, and Telegram refused it.
    topic = "x" * (4_096 - len("/unsubscribe "))
    reply = await ask(user, f"/unsubscribe {topic}")
    assert reply.startswith("No subscription to xxx") and reply.endswith(
        "… here. See /subscriptions."
    )
    assert len(reply) < 200 and len(env.digests.subs.for_chat(user.chat_id)) == 1
