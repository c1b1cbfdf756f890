"""End to end over the local Bot API server: stories in digests, and their ids across restarts."""

from __future__ import annotations

from pathlib import Path

from bot.models import ArticleDraft, utcnow
from bot.services import open_services
from tests.digestkit import TIMEOUT, ask, digest_env, digests_in
from tests.storykit import MORE_VOLCANO, OTHER, VOLCANO, add


async def test_three_sources_of_one_event_are_one_digest_item(tmp_path: Path) -> None:
    async with digest_env(tmp_path) as env:
        user = env.user()
        await ask(user, "/subscribe 07:30")
        add(env, VOLCANO + OTHER[:1])
        await env.fire(user.chat_id)
        [digest] = digests_in(env.server, user.chat_id)
        # Two items: the three reports of the eruption are one, the rate rise the other.
        assert "\n1. " in digest and "\n2. " in digest and "\n3. " not in digest
        assert "3 sources · " in digest and "\nReuters, AP, BBC\n" in digest
        assert "Central bank raises interest rates" in digest
        [message] = [m for m in env.server.sent(user.chat_id) if m.text == digest]
        # The names are in a quote folded until tapped; the first item's link is previewed.
        assert "expandable_blockquote" in [e["type"] for e in message.entities]
        assert message.link_preview_options is not None
        assert message.link_preview_options.get("url", "").startswith("https://")
        labels = [b["text"] for row in message.reply_markup["inline_keyboard"] for b in row]
        [story_button] = [label for label in labels if "3 articles" in label]
        user.replies()
        await user.press(message, story_button)
        [listing] = await user.wait_replies(1, timeout=TIMEOUT)
        assert listing.text.count("Grindavik") >= 3
        assert all(source in listing.text for source in ("Reuters", "AP", "BBC"))


async def test_a_story_sent_is_not_resent_until_it_grows_then_it_is_an_update(
    tmp_path: Path,
) -> None:
    async with digest_env(tmp_path) as env:
        user = env.user()
        await ask(user, "/subscribe volcano")
        add(env, VOLCANO, minutes_ago=60)
        await ask(user, "/digest")
        [first] = digests_in(env.server, user.chat_id)
        assert "3 sources" in first
        add(env, MORE_VOLCANO[:1], minutes_ago=20)  # one more source: not news enough
        reply = await ask(user, "/digest")
        assert "Nothing new since your last digest." in reply
        add(env, MORE_VOLCANO[1:], minutes_ago=10)  # three more: an update
        await ask(user, "/digest")
        texts = digests_in(env.server, user.chat_id)
        assert "🔄" in texts[-1] and "update · 7 sources" in texts[-1]
        assert "\n1. " in texts[-1] and "\n2. " not in texts[-1]


async def test_restart_keeps_story_ids_and_a_later_report_joins_the_same_story(
    tmp_path: Path,
) -> None:
    async with digest_env(tmp_path) as env:
        add(env, VOLCANO + OTHER)
        before = {a.id: env.services.stories.story_of(a.id) for a in env.services.store}
    assert len(set(before.values())) == 2 + len(OTHER)  # the seed, the eruption, the others
    config = env.services.config
    again = open_services(config, write=True)
    try:
        after = {a.id: again.stories.story_of(a.id) for a in again.store}
        assert after == before
        volcano_story = before[next(a.id for a in again.store if "Grindavik" in a.title)]
        again.store.add_many(
            [
                ArticleDraft(
                    title=MORE_VOLCANO[0][1],
                    body=MORE_VOLCANO[0][2],
                    url="https://france24.example.com/late",
                    published=utcnow(),
                    source="France24",
                )
            ]
        )
        [late] = [a for a in again.store if a.url == "https://france24.example.com/late"]
        assert again.stories.story_of(late.id) == volcano_story
    finally:
        again.shutdown()
    rebuilt = open_services(config, write=True)
    try:
        (config.data_dir / "stories" / "stories.jsonl").unlink()
        rebuilt.stories.rebuild()  # from scratch, in arrival order: the same ids
        assert {aid: rebuilt.stories.story_of(aid) for aid in before} == before
    finally:
        rebuilt.shutdown()
