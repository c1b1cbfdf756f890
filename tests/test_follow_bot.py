"""End to end over the local Bot API server: follow a story, get only its news, its timeline.

The follows' clock is a fake one the tests move (the 3-hour gap, 7 quiet days); articles
arrive with the store's own times, which only the follows' cursors compare."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.i18n import Translator
from bot.models import utcnow
from bot.tgserver import LocalBotApiServer
from tests.botkit import BOT, TOKEN
from tests.digestkit import TIMEOUT, Clock, ask, digest_env, digests_in
from tests.followkit import INJURED, SLOWS, follow_env, follow_first_story
from tests.storykit import MORE_VOLCANO, OTHER, VOLCANO, add

REPRINT = (
    "Le Monde",
    "Iceland volcano: the lava flow slows near Grindavik",
    "The lava flow from the Reykjanes volcano near Grindavik in Iceland slowed on Tuesday.",
)


async def test_a_new_fact_is_one_update_a_reprint_nothing_and_unfollow_stops(
    tmp_path: Path,
) -> None:
    async with follow_env(tmp_path) as env:
        user = env.user()
        env.add(*VOLCANO, *OTHER)
        await follow_first_story(env, user)
        await env.settle()
        assert env.updates(user.chat_id) == []  # what it had when followed is not news
        env.add(SLOWS)
        await env.settle()
        [update] = env.updates(user.chat_id)
        assert update.startswith("🔔 ") and "slowed on Tuesday" in update
        assert "France24" in update
        assert "erupted" not in update  # the summary sent before does not come back
        env.clock.advance(hours=4)
        env.add(REPRINT)
        await env.settle()
        assert len(env.updates(user.chat_id)) == 1  # a reprint brings no fact
        assert "No longer following" in await ask(user, "/unfollow 1")
        env.clock.advance(hours=4)
        env.add(INJURED)
        await env.settle()
        assert len(env.updates(user.chat_id)) == 1
        assert "You follow no story" in await ask(user, "/following")


async def test_a_restart_keeps_follows_and_forget_removes_them(tmp_path: Path) -> None:
    server = LocalBotApiServer(token=TOKEN, bot_username=BOT)
    server.set_limits(server.limits.unlimited())
    await server.start()
    try:
        async with follow_env(tmp_path, server) as env:
            user = env.user(4242)
            env.add(*VOLCANO, *OTHER)
            await follow_first_story(env, user)
        async with follow_env(tmp_path, server) as env:
            user = env.user(4242)
            assert "You follow 1 story" in await ask(user, "/following")
            env.add(SLOWS)
            await env.settle()
            [update] = env.updates(user.chat_id)
            assert "slowed on Tuesday" in update
            user.replies()
            await user.send("/forget")
            [question] = await user.wait_replies(1, timeout=TIMEOUT)
            assert "the stories it follows" in question.text
            await user.press(question, "Delete everything")
            [done] = await user.wait_replies(1, timeout=TIMEOUT)
            assert "1 followed story" in done.text
            assert env.services.follows.for_chat(user.chat_id) == []
    finally:
        await server.stop()


async def test_an_update_dates_a_report_from_another_day(tmp_path: Path) -> None:
    # A report from yesterday read "France24 · 12:00" as if it were this morning's.
    midnight = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    async with follow_env(tmp_path, clock=Clock(midnight + timedelta(hours=12))) as env:
        user = env.user()
        env.add(*VOLCANO, *OTHER, published=midnight - timedelta(days=2))
        await follow_first_story(env, user)
        yesterday = midnight - timedelta(hours=12)
        env.add(SLOWS, published=yesterday)
        await env.settle()
        [update] = env.updates(user.chat_id)
        assert f"France24 · {Translator.english().date_time(yesterday)}" in update, update
        env.clock.advance(hours=4)  # past the gap between two updates
        env.add(INJURED, published=midnight + timedelta(hours=1))
        await env.settle()
        assert env.updates(user.chat_id)[-1].endswith("Guardian · 01:00"), env.updates


async def test_a_story_quiet_for_seven_days_stops_being_followed_with_one_line(
    tmp_path: Path,
) -> None:
    async with follow_env(tmp_path) as env:
        user = env.user()
        env.add(*VOLCANO, *OTHER)
        await follow_first_story(env, user)
        env.clock.advance(days=6, hours=23)
        await env.settle()
        assert not [m for m in env.server.sent(user.chat_id) if m.text.startswith("🔕")]
        env.clock.advance(hours=1)
        await env.settle()
        await env.settle()  # a second tick says nothing more
        [last] = [m.text for m in env.server.sent(user.chat_id) if m.text.startswith("🔕")]
        assert "No news for 7 days" in last and "Grindavik" in last
        assert env.services.follows.for_chat(user.chat_id) == []


async def test_the_timeline_shows_the_first_report_then_new_facts_by_day(
    tmp_path: Path,
) -> None:
    midnight = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    days = [midnight - timedelta(days=n) + timedelta(hours=12) for n in (3, 2, 1)]
    async with follow_env(tmp_path) as env:
        user = env.user()
        env.add(VOLCANO[0], published=days[0])
        env.add(SLOWS, published=days[1])
        env.add(REPRINT, published=days[1] + timedelta(hours=1))
        env.add(INJURED, published=days[2])
        [first] = [a for a in env.services.store if a.source == "Reuters"]
        story_id = env.services.stories.story_of(first.id)
        assert story_id is not None
        user.replies()
        await user.send(f"/story {story_id}")
        [timeline] = await user.wait_replies(1, timeout=TIMEOUT)
        text = timeline.text
        headings = [Translator.english().date(d) for d in days]
        places = [text.index(h) for h in headings]
        assert places == sorted(places)
        # After the head (headline, summary, sources), day by day.
        order = [
            text.index(s, places[0]) for s in ("First report", "slowed on Tuesday", "12 homes")
        ]
        assert order == sorted(order) and places[0] < order[0] < places[1] < order[1]
        assert places[2] < order[2]
        assert "· Le Monde" not in text  # the reprint is no development (only a source)
        labels = timeline.button_texts
        assert "📚 4 articles" in labels and "🔔 Follow" in labels
        await user.press(timeline, "📚 4 articles")
        [listing] = await user.wait_replies(1, timeout=TIMEOUT)
        assert "Le Monde" in listing.text


async def test_a_digest_update_holds_only_the_new_sentences(tmp_path: Path) -> None:
    async with digest_env(tmp_path) as env:
        user = env.user()
        await ask(user, "/subscribe volcano")
        add(env, VOLCANO, minutes_ago=60)
        await ask(user, "/digest")
        [first] = digests_in(env.server, user.chat_id)
        assert "erupted" in first or "eruption" in first
        # Three more sources: two only reprint what was said, one tells something new.
        reprints = [(s, f"{t} (wire)", VOLCANO[0][2]) for s, t, _ in MORE_VOLCANO[2:]]
        add(env, [*reprints, INJURED], minutes_ago=10)
        await ask(user, "/digest")
        update = digests_in(env.server, user.chat_id)[-1]
        assert "🔄" in update and "12 homes destroyed" in update
        assert VOLCANO[0][2][:40] not in update and "erupted" not in update
        # Grown again, by reprints and rewordings only: it does not come back.
        outlets = ("Le Monde", "El Pais", "Spiegel")
        copies = [(s, f"Grindavik homes lost to lava, {s} reports", INJURED[2]) for s in outlets]
        add(env, copies, minutes_ago=5)
        reply = await ask(user, "/digest")
        assert "Nothing new since your last digest." in reply


async def test_follow_by_number_and_by_a_digest_button_and_unfollow_all(tmp_path: Path) -> None:
    async with follow_env(tmp_path) as env:
        user = env.user()
        env.add(*VOLCANO, *OTHER)
        assert "/follow 2" in await ask(user, "/follow")
        assert "/follow 2" in await ask(user, "/follow nonsense")
        await ask(user, "/brief")
        assert "There is no item 99" in await ask(user, "/follow 99")
        assert (await ask(user, "/follow 1")).startswith("🔔 Following: ")
        assert "already follow" in await ask(user, "/follow 1")
        await ask(user, "/subscribe 07:30")
        await ask(user, "/digest")
        [digest] = [m for m in env.server.sent(user.chat_id) if m.text.startswith("Your news")]
        await user.press(digest, "🔔 2")
        [reply] = await user.wait_replies(1, timeout=TIMEOUT)
        assert reply.text.startswith("🔔 Following: ")
        assert "You follow 2 stories" in await ask(user, "/following")
        assert await ask(user, "/unfollow all") == "Stopped following 2 stories."
        assert env.services.follows.for_chat(user.chat_id) == []


async def test_a_group_that_became_a_supergroup_keeps_its_follows_and_quiet_hours(
    tmp_path: Path,
) -> None:
    async with follow_env(tmp_path) as env:
        admin = env.user()
        group = env.server.group(-4343, "Volcano watch", admins=[admin]).member(admin)
        env.add(*VOLCANO, *OTHER)
        await follow_first_story(env, group)
        assert "23:00" in await ask(group, "/quiet 23:00-06:00")
        env.server.migrate(-4343, -1004343)
        env.add(SLOWS)
        await env.settle()  # the send to the old id answers with the new one: all moves there
        assert env.updates(-4343) == []
        assert env.services.follows.for_chat(-4343) == []
        [moved] = env.services.follows.for_chat(-1004343)
        assert "Grindavik" in moved.headline
        quiet = env.services.follows.quiet(-1004343)
        assert quiet is not None and quiet.text.startswith("23:00")
        await env.settle()  # the next tick finds the update again, for the new id
        [update] = env.updates(-1004343)
        assert "slowed on Tuesday" in update
