"""End to end: /subscribe, /subscriptions and /unsubscribe; times, zones and topics a user
writes, and who may change a group's subscriptions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.digests.jobs import job_name
from bot.models import utcnow
from tests.botkit import BOT
from tests.digestkit import TIMEOUT, Env, ask, digest_env, digests_in


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async with digest_env(tmp_path) as e:
        yield e


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


async def test_subscribe_reads_a_zone_before_or_after_the_time_and_a_number_as_topic(
    env: Env,
) -> None:
    user = env.user()
    assert "Subscribed: 50 cent — every day at 08:00" in await ask(user, "/subscribe 50 cent")
    reply = await ask(user, "/subscribe Europe/Paris 10:00 gas")
    assert "Subscribed: gas — every day at 10:00 (Europe/Paris)" in reply
    reply = await ask(user, "/subscribe 25:00 oil")
    assert reply.startswith("“25:00”: the hour must be from 00 to 23. Use HH:MM")
    reply = await ask(user, "/subscribe football 18:30 Europe/London")
    assert "Subscribed: football — every day at 18:30 (Europe/London)" in reply


OFFSET_REFUSED = (
    "“{}” is a UTC offset, and an offset does not change for summer time. "
    "Use a city's time zone instead, like Europe/Berlin."
)


async def test_a_utc_offset_is_refused_with_the_reason_and_not_taken_as_topic(env: Env) -> None:
    user = env.user()
    # "Did you mean UTC?" for UTC+3 sent digests three hours late to whoever took it; then
    # "I do not know the time zone “UTC+3”" told a user who typed a real offset nothing.
    for typed in ("UTC+3", "GMT+03:00", "utc-5", "GMT-5", "+03:00", "UTC−3"):
        assert await ask(user, f"/timezone {typed}") == OFFSET_REFUSED.format(typed)
    reply = await ask(user, "/subscribe 08:00 GMT+3 oil")
    assert reply == OFFSET_REFUSED.format("GMT+3")
    assert env.digests.subs.for_chat(user.chat_id) == []
    assert "Did you mean Europe/Moscow?" in await ask(user, "/timezone Europe/Mosow")
    russian = env.server.user(9901, "Ivan", language_code="ru")
    reply = await ask(russian, "/subscribe 08:00 UTC+3 oil")
    assert reply.startswith("«UTC+3» — смещение от UTC") and "Europe/Moscow" in reply


async def test_a_zero_utc_offset_is_utc(env: Env) -> None:
    user = env.user()
    # Refused like "UTC+3" before; a zero offset has no sign to read the wrong way round.
    for typed in ("UTC+0", "UTC-0", "utc+00:00", "GMT−0", "+00:00"):
        assert await ask(user, f"/timezone {typed}") == "Time zone set to UTC.", typed
    for typed in ("GMT", "GMT+0"):  # tzdata's own names, kept as typed
        assert await ask(user, f"/timezone {typed}") == f"Time zone set to {typed}.", typed
    reply = await ask(user, "/subscribe 08:00 UTC+0 oil")
    assert "Subscribed: oil — every day at 08:00 (UTC)" in reply


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
