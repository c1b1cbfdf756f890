"""End to end over the local Bot API server: /following as a chat that follows many stories reads
it, in parts that fit a message, redrawn after a tap so its numbers stay true."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bot.tgserver.records import SentMessage
from bot.tgserver.users import UserClient
from tests.digestkit import TIMEOUT, ask
from tests.followkit import FollowEnv, follow_env
from tests.storykit import OTHER, VOLCANO


def _unrelated(n: int) -> tuple[str, str, str]:
    """Return a report of its own event: every word made for it, a long headline."""
    letters = [chr(ord("a") + int(d, 16)) for d in hashlib.sha1(str(n).encode()).hexdigest()]
    words = ["".join(letters[k : k + 6]) for k in range(0, 36, 6)]
    name = words[0]
    title = " ".join(words * 5)[:190]
    return f"Desk {name}", title, " ".join(words * 3) + "."


async def _follow_fifty(env: FollowEnv, user: UserClient) -> dict[str, str]:
    """Add fifty unrelated reports, follow each one's story by its id (as a button would);
    return each story's id and the reply to its /follow."""
    env.add(*[_unrelated(n) for n in range(50)])
    ours = [a for a in env.services.store if a.source.startswith("Desk ")]
    ids = {env.services.stories.story_of(a.id) for a in ours}
    story_ids = sorted(i for i in ids if i is not None)
    assert len(story_ids) == 50
    return {story_id: await ask(user, f"/follow {story_id}") for story_id in story_ids}


async def test_following_fifty_long_headlines_comes_in_parts_the_buttons_under_the_last(
    tmp_path: Path,
) -> None:
    async with follow_env(tmp_path) as env:
        user = env.user()
        followed = await _follow_fifty(env, user)  # to the limit
        assert all(reply.startswith("🔔 Following: ") for reply in followed.values())
        story_ids, ids = list(followed), set(followed)
        user.replies()
        await user.send("/following")
        parts = []
        while not parts or not parts[-1].buttons:
            [part] = await user.wait_replies(1, timeout=TIMEOUT)
            parts.append(part)
            assert len(parts) < 6, [p.text[:60] for p in parts]
        assert parts[0].text.startswith("You follow 50 stories")
        assert all(len(p.text) <= 4096 for p in parts)
        text = "\n".join(p.text for p in parts)
        assert "\n50. " in text and all(_unrelated(n)[1][:40] in text for n in range(50))
        assert len(parts[-1].button_texts) == 50 and parts[-1].button_texts[-1] == "🔕 50"
        # At the limit a story followed already is that, not one too many; a new one is.
        assert "You already follow" in await ask(user, f"/follow {story_ids[0]}")
        env.add(_unrelated(50))
        ours = [a for a in env.services.store if a.source.startswith("Desk ")]
        [extra] = {env.services.stories.story_of(a.id) for a in ours} - ids
        assert extra is not None and "follows 50 stories already" in await ask(
            user, f"/follow {extra}"
        )


async def test_a_following_buttons_unfollow_redraws_the_list_so_its_numbers_stay_true(
    tmp_path: Path,
) -> None:
    async with follow_env(tmp_path) as env:
        user = env.user()
        env.add(*VOLCANO, *OTHER)
        await ask(user, "/brief")
        for n in (1, 2, 3):
            await ask(user, f"/follow {n}")
        user.replies()
        await user.send("/following")
        [listing] = await user.wait_replies(1, timeout=TIMEOUT)
        first, second, third = (line for line in listing.text.split("\n")[1:])
        await user.press(listing, "🔕 1")
        [redrawn] = await user.wait_replies(1, timeout=TIMEOUT)
        assert redrawn.text.startswith("You follow 2 stories")
        assert f"\n1. {second[3:]}" in redrawn.text and f"\n2. {third[3:]}" in redrawn.text
        assert redrawn.button_texts == ["🔕 1", "🔕 2"]
        # What the chat now reads as item 2 is what /unfollow 2 stops.
        headline = third[3:].split(" — ")[0]
        assert (await ask(user, "/unfollow 2")) == f"🔕 No longer following: {headline}."
        assert first[3:] not in await ask(user, "/following")


async def test_a_following_list_in_parts_is_redrawn_whole_after_a_tap(tmp_path: Path) -> None:
    """Only a one-message list was redrawn: the parts above the tapped one kept old numbers."""
    async with follow_env(tmp_path) as env:
        user = env.user()
        await _follow_fifty(env, user)
        user.replies()
        await user.send("/following")
        parts = []
        while not parts or not parts[-1].buttons:
            [part] = await user.wait_replies(1, timeout=TIMEOUT)
            parts.append(part)
        assert len(parts) > 1
        second = parts[0].text.split("\n")[2][3:].split(" — ")[0]  # item 2's headline
        await user.press(parts[-1], "🔕 1")
        edits = await user.wait_replies(len(parts), timeout=TIMEOUT)
        assert [e.message_id for e in edits] == [p.message_id for p in parts]
        text = "\n".join(e.text for e in edits)
        assert text.startswith("You follow 49 stories") and "\n49. " in text
        assert f"\n1. {second}" in text and "\n50. " not in text
        assert len(edits[-1].button_texts) == 49 and not any(e.buttons for e in edits[:-1])
        # What the chat now reads as item 1 is what /unfollow 1 stops.
        assert (await ask(user, "/unfollow 1")).startswith(f"🔕 No longer following: {second[:40]}")


async def test_a_following_list_one_part_shorter_after_a_tap_loses_its_last_part(
    tmp_path: Path,
) -> None:
    """A tap that frees a line moves the last part's one row up: that part goes."""
    async with follow_env(tmp_path) as env:
        user = env.user()
        await _follow_fifty(env, user)

        async def following() -> list[SentMessage]:
            user.replies()
            await user.send("/following")
            parts: list[SentMessage] = []
            while not parts or not parts[-1].buttons:
                parts.extend(await user.wait_replies(1, timeout=TIMEOUT))
            return parts

        parts = await following()
        for k in range(len(parts[-1].text.split("\n")) - 1):  # leave the last part one row
            await ask(user, f"/unfollow {len(parts[-1].buttons) - k}")
        parts = await following()
        assert len(parts[-1].text.split("\n")) == 1
        await user.press(parts[-1], "🔕 1")
        edits = await user.wait_replies(len(parts) - 1, timeout=TIMEOUT)
        assert [e.message_id for e in edits] == [p.message_id for p in parts[:-1]]
        assert len(edits[-1].buttons) == len(parts[-1].buttons) - 1
        with pytest.raises(LookupError, match="is gone"):
            await user.press(parts[-1], 0)
