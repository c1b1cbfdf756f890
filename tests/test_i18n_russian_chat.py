"""A Russian chat reads nothing but the catalog: every command, button, alert and error path.

The bot runs against the local Bot API server with a pseudo-locale installed as its Russian
(every translation wrapped in ⟦…⟧, see tests/pseudokit.py for the exact rule). Users whose
Telegram language is Russian use every command, press every kind of button, search inline,
hit the rate limit and the private-bot gate; every message, edit, button text, alert and
inline result they see must be catalog segments around dynamic values (article titles,
numbers, dates, URLs...). An English word anywhere, a date in English or a string the
catalog does not hold fails the test, with the text it was found in."""

from __future__ import annotations

from pathlib import Path

from bot.render import html_to_plain
from tests.botkit import ADMIN, BOT
from tests.digestkit import TIMEOUT
from tests.feedserver import FeedServer
from tests.pseudokit import Checker
from tests.russiankit import (
    FEED_XML,
    LIBRARY,
    check_log,
    corpus_words,
    press,
    russian,
    russian_bot,
    say,
    with_buttons,
)


async def test_every_command_and_button_of_a_russian_chat_is_from_the_catalog(
    tmp_path: Path,
) -> None:
    async with russian_bot(tmp_path) as (env, checker):
        user = russian(env)
        for command in (
            "/start",
            "/help",
            "/latest 3 гавань",
            "/search",
            "/search zzzqqq",
            "гавань",
            "/summary",
            "/summary 99",
            "/summary https://news.example.com/nothing",
            "/summary биржа выборы",
            "/brief week",
            "/brief today гавань",
            "/brief today zzzqqq",
            "/story",
            "/story 99",
            "/subscribe 25:61 гавань",
            "/subscribe Europe/Mosco гавань",
            "/timezone Mars/Base",
            "/timezone",
            "/unsubscribe zzzqqq",
            "/digest",
            "/subscriptions",
            "/frobnicate",
            "/stats",
            "/feeds",
        ):
            await say(user, command)
        await user.send_sticker()
        await user.wait_replies(1, timeout=TIMEOUT)
        listing = with_buttons(await say(user, "/latest"))
        for button in range(len(listing.buttons)):  # Summary N, 📚 N, More »
            await press(checker, user, listing, button)
        [*_, page_two] = [
            m for m in env.server.sent(user.chat_id) if m.message_id == listing.message_id
        ]
        for button in range(len(page_two.buttons)):  # « Back among them
            await press(checker, user, page_two, button)
        await say(user, "/story 1")
        brief = with_buttons(await say(user, "/brief"))
        for button in range(len(brief.buttons)):
            await press(checker, user, brief, button)
        for command in (  # the 🔔 above followed story 1
            "/follow",
            "/follow 99",
            "/follow 1",
            "/quiet",
            "/quiet 25:00-07:00",
            "/quiet 23:00-07:00",
            "/quiet off",
            "/unfollow 99",
        ):
            await say(user, command)
        following = with_buttons(await say(user, "/following"))
        await press(checker, user, following, 0)  # 🔕 1: an alert, then the list redrawn
        await say(user, "/unfollow all")
        for data in ("p:999:1", "zz"):  # an expired list, a forged button
            answer = await user.press_data(listing, data, timeout=TIMEOUT)
            checker.check(f"alert of {data}", answer.text)
        await say(user, "/subscribe")
        await say(user, "/subscribe 07:30 Europe/Moscow гавань")
        await say(user, "/timezone Europe/Berlin")
        subs = with_buttons(await say(user, "/subscriptions"))
        await press(checker, user, subs, 1)  # 🕒 Time 1
        times = env.server.sent(user.chat_id)[-1]
        await press(checker, user, times, 0)  # 06:00
        await say(user, "/digest")
        subs = with_buttons(await say(user, "/subscriptions"))
        await press(checker, user, subs, 0)  # ✖ Remove 1
        await say(user, "/unsubscribe all")
        await say(user, "/digest")
        question = with_buttons(await say(user, "/language"))
        await press(checker, user, question, 1)  # Русский
        forget = with_buttons(await say(user, "/forget"))
        await press(checker, user, forget, 1)  # Cancel
        for query in ("гавань", "", "zzzqqq"):
            answer = await user.inline(query, timeout=TIMEOUT)
            for result in answer.results:
                checker.check("inline title", result.get("title"))
                checker.check("inline description", result.get("description"))
                content = result.get("input_message_content") or {}
                checker.check("inline message", html_to_plain(content.get("message_text", "")))
        check_log(checker, env, [user.chat_id])
    assert checker.seen > 80
    assert checker.leaks == [], "\n".join(checker.leaks)


async def test_admin_feed_commands_and_errors_of_a_russian_chat_are_from_the_catalog(
    tmp_path: Path,
) -> None:
    feeds = FeedServer()
    feeds.start()
    feeds.put("/ru.xml", FEED_XML)
    feeds.put("/page.html", b"<html><body>no feed</body></html>", "text/html")
    try:
        async with russian_bot(tmp_path) as (env, checker):
            admin = russian(env, ADMIN)
            stranger = russian(env)
            for command in (
                "/addfeed",
                "/addfeed ftp://example.com/feed",
                f"/addfeed {feeds.url('/page.html')}",
                f"/addfeed {feeds.url('/ru.xml')}",
                f"/addfeed {feeds.url('/ru.xml')}",
                "/feeds",
                "/removefeed",
                "/removefeed zzzqqq",
                "/stats",
            ):
                await say(admin, command)
            for status in env.services.feeds.list_feeds():
                checker = Checker([*corpus_words(), status.id], BOT, LIBRARY)
                await say(admin, f"/removefeed {status.id}")
            for command in ("/stats", "/feeds", "/addfeed http://127.0.0.1:1/x"):
                await say(stranger, command)
            check_log(checker, env, [admin.chat_id, stranger.chat_id])
    finally:
        feeds.stop()
    assert checker.seen > 12
    assert checker.leaks == [], "\n".join(checker.leaks)


async def test_the_rate_limit_and_the_private_gate_speak_the_chat_s_language(
    tmp_path: Path,
) -> None:
    async with russian_bot(tmp_path, rate_limit=2, allowed_users=frozenset({ADMIN})) as (
        env,
        checker,
    ):
        # The chats chose Russian (the stranger before the allow-list was set); Telegram
        # says English: the chat's choice wins.
        member = env.server.user(ADMIN, "Admin", language_code="en")
        stranger = env.server.user(7777, "Stranger", language_code="en")
        for chat in (member, stranger):
            env.services.digests.subs.set_lang(chat.chat_id, "ru")
        await env.services.digests.subs.saved()
        for text in ("/help", "/start", "/help", "/help"):  # the third is one too many
            await member.send(text)
        # two answers and one notice for the burst (the fourth is refused silently)
        replies = await member.wait_replies(3, timeout=TIMEOUT)
        said = [m.text for m in replies]
        assert any(t.startswith("⟦Не так быстро") for t in said), said  # stored Russian, not "en"
        for _ in range(8):
            answer = await member.inline("гавань", timeout=TIMEOUT)
            if answer.button:
                checker.check("inline button", answer.button.get("text"))
                break
        else:
            raise AssertionError("the inline limit never answered with its button")
        [gate] = await say(stranger, "/start")
        assert gate.text.startswith("⟦Это закрытый бот")
        check_log(checker, env, [member.chat_id, stranger.chat_id])
    assert checker.seen >= 3
    assert checker.leaks == [], "\n".join(checker.leaks)


def test_the_rule_finds_english_inside_and_outside_catalog_strings() -> None:
    checker = Checker(corpus_words(), BOT, LIBRARY)
    assert checker.problem("⟦Подписки⟧\n1. ⟦все новости⟧ — Гавань открылась после шторма") is None
    assert checker.problem("⟦Здесь нет подписок. Попробуйте /subscribe 07:30 климат.⟧") is None
    # English around a catalog string, inside one's placeholder, or a string not in it
    assert checker.problem("⟦Подписки⟧ all news") == "'all' outside the catalog"
    inside = checker.problem("⟦Подписка оформлена: all news — каждый день⟧")
    assert inside is not None and "'all' in a placeholder" in inside
    assert checker.problem("⟦Slow down⟧") == "⟦Slow down⟧ is no catalog string"
    assert checker.problem("⟦Подписки") == "a catalog string cut in two"
    # a date Babel wrote in English, an English unit after a number
    assert checker.problem("Вести, 1 Mar 2026, 21:00") == "'Mar' outside the catalog"
    assert checker.problem("⟦Работает: 5 h⟧") is not None
