"""End to end: a follower's quiet hours, updates paced around them, and /quiet and /unfollow
typed in a Russian chat."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.digestkit import Clock, ask
from tests.followkit import INJURED, SLOWS, follow_env, follow_first_story
from tests.storykit import OTHER, VOLCANO

QUIET_USAGE = "Send /quiet 23:00-07:00, or /quiet off."


async def test_an_update_due_in_quiet_hours_comes_after_them_and_updates_are_paced(
    tmp_path: Path,
) -> None:
    clock = Clock(datetime(2026, 3, 2, 21, 30, tzinfo=UTC))
    async with follow_env(tmp_path, clock=clock) as env:
        user = env.user()
        env.add(*VOLCANO, *OTHER)
        await follow_first_story(env, user)
        env.clock.advance(hours=1)  # 22:30 UTC: the default quiet hours, 22:00–08:00
        env.add(SLOWS)
        await env.settle()
        assert env.updates(user.chat_id) == []
        env.clock.now = datetime(2026, 3, 3, 7, 59, tzinfo=UTC)
        await env.settle()
        assert env.updates(user.chat_id) == []
        env.clock.now = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
        await env.settle()
        [update] = env.updates(user.chat_id)
        assert "slowed on Tuesday" in update
        env.clock.advance(hours=1)  # a second fact within 3 hours waits for the gap
        env.add(INJURED)
        await env.settle()
        assert len(env.updates(user.chat_id)) == 1
        env.clock.advance(hours=2)
        await env.settle()
        updates = env.updates(user.chat_id)
        assert len(updates) == 2 and "12 homes" in updates[1] and "slowed" not in updates[1]


async def test_quiet_hours_can_be_changed_or_turned_off(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 3, 2, 23, 30, tzinfo=UTC))
    async with follow_env(tmp_path, clock=clock) as env:
        user = env.user()
        env.add(*VOLCANO, *OTHER)
        await follow_first_story(env, user)
        assert "between 22:00 and 08:00 (UTC)." in await ask(user, "/quiet")  # whose hours
        await ask(user, "/timezone Europe/Berlin")
        assert "between 22:00 and 08:00 (Europe/Berlin)." in await ask(user, "/quiet")
        reply = await ask(user, "/quiet 25:00-7")
        assert reply == "“25:00”: the hour must be from 00 to 23. " + QUIET_USAGE
        reply = await ask(user, "/quiet 08:00-08:00")
        assert reply.startswith("The start and the end are both 08:00; give two different")
        assert reply.endswith(QUIET_USAGE)
        assert "wait between 23:00 and 07:00" in await ask(user, "/quiet 23-7")
        assert "wait between 23:00 and 07:00" in await ask(user, "/quiet 23:00-07:00")
        assert "any hour" in await ask(user, "/quiet off")
        env.add(SLOWS)
        await env.settle()
        assert len(env.updates(user.chat_id)) == 1


async def test_quiet_hours_read_as_a_range_in_a_russian_chat(tmp_path: Path) -> None:
    async with follow_env(tmp_path) as env:
        user = env.server.user(7999, "Иван", language_code="ru")
        env.add(*VOLCANO, *OTHER)
        # "с 22:00 до 08:00", never "с 22:00–08:00": Russian words a range with two places.
        assert "не приходят с 22:00 до 08:00 (UTC)." in await ask(user, "/quiet")
        assert "не приходят с 23:00 до 07:00 (UTC)." in await ask(user, "/quiet 23:00-07:00")
        await ask(user, "/brief")
        assert "Кроме времени с 23:00 до 07:00 (/quiet)." in await ask(user, "/follow 1")


async def test_a_russian_chat_types_the_command_words_in_russian(tmp_path: Path) -> None:
    async with follow_env(tmp_path) as env:
        user = env.server.user(7998, "Иван", language_code="ru")
        env.add(*VOLCANO, *OTHER)
        await ask(user, "/brief")
        await ask(user, "/follow 1")
        assert "или /quiet выкл." in await ask(user, "/quiet")
        reply = await ask(user, "/quiet 08:00-08:00")
        assert reply == (
            "Начало и конец совпадают (08:00); укажите два разных времени. "
            "Отправьте /quiet 23:00-07:00 или /quiet выкл."
        )
        assert "в любое время" in await ask(user, "/quiet выкл")
        assert env.services.follows.quiet(user.chat_id) is None
        assert "/following или все." in await ask(user, "/unfollow 99")
        assert "/following или все." in await ask(user, "/unfollow ²")  # a digit, not ASCII
        assert "больше не следите за 1 сюжетом" in await ask(user, "/unfollow все")
        assert env.services.follows.for_chat(user.chat_id) == []
