"""End to end: `/unfollow N` reads N as /following numbers it, however the number is written."""

from __future__ import annotations

from pathlib import Path

from tests.digestkit import ask
from tests.followkit import follow_env
from tests.storykit import OTHER, VOLCANO


async def test_unfollow_of_a_number_written_with_a_mark_stops_the_following_row(
    tmp_path: Path,
) -> None:
    # "#2", "№2" and "2." name item 2 (README). /unfollow read a plain "2" as /following's row
    # and the others as item 2 of the last list: "/unfollow 2." stopped another story.
    async with follow_env(tmp_path) as env:
        user = env.user()
        env.add(*VOLCANO, *OTHER)
        await ask(user, "/brief")
        assert (await ask(user, "/follow 2")).startswith("🔔 Following: ")
        assert (await ask(user, "/follow 1")).startswith("🔔 Following: ")
        follows = env.services.follows.for_chat(user.chat_id)
        listed = await ask(user, "/following")
        second = follows[1]
        assert f"2. {second.headline[:20]}" in listed
        assert "No longer following" in await ask(user, "/unfollow 2.")
        [kept] = env.services.follows.for_chat(user.chat_id)
        assert kept.story_id == follows[0].story_id
