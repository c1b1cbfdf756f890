"""End to end over the local Bot API server: following a story as a reader meets it, in the
chat's language, with any headline, however many stories the chat follows."""

from __future__ import annotations

from pathlib import Path

from tests.test_digest_bot import ask
from tests.test_follow_bot import SLOWS, follow_env
from tests.test_stories_bot import OTHER, VOLCANO

# A headline with every character HTML escapes: the reply shows it as written, once escaped.
MARKUP = (
    "Wire <Desk>",
    'AT&T <Q3> profit jumps 12% as "5G" subscribers surge',
    "AT&T reported a 12% jump in third-quarter profit on Tuesday as its 5G subscribers surged.",
)


async def test_follow_and_unfollow_show_a_headline_with_html_characters_as_written(
    tmp_path: Path,
) -> None:
    async with follow_env(tmp_path) as env:
        user = env.user()
        env.add(MARKUP, *VOLCANO, *OTHER)
        page = await ask(user, "/brief AT&T")
        assert "AT&T <Q3>" in page
        reply = await ask(user, "/follow 1")
        assert reply.startswith('🔔 Following: AT&T <Q3> profit jumps 12% as "5G" subscribers')
        assert "&amp;" not in reply and "&lt;" not in reply
        reply = await ask(user, "/unfollow 1")
        assert reply.startswith("🔕 No longer following: AT&T <Q3> profit")
        assert "&amp;" not in reply


async def test_a_russian_private_chat_that_follows_gets_its_updates_in_russian(
    tmp_path: Path,
) -> None:
    async with follow_env(tmp_path) as env:
        user = env.server.user(7990, "Иван", language_code="ru")
        env.add(*VOLCANO, *OTHER)
        await ask(user, "/quiet выкл")
        await ask(user, "/brief")
        assert (await ask(user, "/follow 1")).startswith("🔔 Вы следите за сюжетом")
        env.add(SLOWS)
        await env.settle()
        [update] = [m for m in env.server.sent(user.chat_id) if "\n\n• " in m.text]
        assert "slowed on Tuesday" in update.text
        # Its buttons speak the chat's language, as the reply to /follow did.
        assert update.button_texts == ["🗓 Хроника", "📚 Статьи", "🔕 Не следить"]
