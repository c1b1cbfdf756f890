"""A Russian chat reads nothing but the catalog: every command, button, alert and error path.

The bot runs against the local Bot API server with a pseudo-locale installed as its Russian
(every translation wrapped in ⟦…⟧, see tests/pseudokit.py for the exact rule). Users whose
Telegram language is Russian use every command, press every kind of button, search inline,
hit the rate limit and the private-bot gate; every message, edit, button text, alert and
inline result they see must be catalog segments around dynamic values (article titles,
numbers, dates, URLs...). An English word anywhere, a date in English or a string the
catalog does not hold fails the test, with the text it was found in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.models import ArticleDraft, utcnow
from bot.render import html_to_plain
from bot.tgserver import SentMessage, UserClient
from tests.botkit import ADMIN, BOT
from tests.digestkit import TIMEOUT, Env, digest_env
from tests.feedserver import FeedServer
from tests.pseudokit import Checker, write_pseudo_catalog

# Three events reported by three sources each (stories), and singles: enough rows to page.
EVENTS = [
    ("Гавань открылась после шторма", "Порт снова принимает суда после сильного шторма."),
    ("Биржа спокойна после выборов", "Торги на бирже прошли спокойно после выборов."),
    ("Завод микросхем открылся в Дрездене", "Новый завод микросхем начал работу в Дрездене."),
]
SOURCES = ["Вести", "Известия", "Коммерсант"]
SINGLES = [
    ("Москва готовится к весне", "Городские службы готовятся к весне. Дворники убирают снег."),
    ("Театр открыл новый сезон", "Премьера собрала полный зал. Зрители аплодировали стоя."),
    ("Учёные нашли новый вид жука", "Жука нашли в заповеднике. Он живёт под корой деревьев."),
    ("Футбольный клуб выиграл кубок", "Финал прошёл при полных трибунах. Болельщики ликовали."),
    ("Метро продлят до аэропорта", "Новая линия свяжет центр с аэропортом через три года."),
    ("Урожай яблок оказался рекордным", "Садоводы собрали больше яблок, чем когда-либо."),
]
FEED_TITLE = "Лента новостей края"
FEED_XML = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
    f"<title>{FEED_TITLE}</title><link>http://127.0.0.1/</link><description>край</description>"
    "<item><title>Мост через реку открыт</title><link>http://127.0.0.1/1</link>"
    "<guid>urn:ru:1</guid><description>Движение по мосту открыто.</description></item>"
    "</channel></rss>"
).encode()
LIBRARY = ("text/html is not an XML media type",)  # feedparser's words, no catalog's
ECHOED = [
    "zzzqqq",
    "Mars/Base",
    "Europe/Mosco",
    "25:61",
    "биржа выборы",
    "гавань",
]  # the user's words the bot repeats


def drafts() -> list[ArticleDraft]:
    """Return the corpus: Cyrillic titles, bodies and sources, published in the last hours."""
    now = utcnow()
    found = [
        ArticleDraft(
            title=f"{title} ({n + 1})",
            body=f"{body} Подробности {n + 1}.",
            url=f"https://news.example.com/{e}/{n}",
            published=now - timedelta(minutes=10 * n + e),
            source=SOURCES[n],
        )
        for e, (title, body) in enumerate(EVENTS)
        for n in range(3)
    ]
    found += [
        ArticleDraft(
            title=title,
            body=body,
            url=f"https://news.example.com/single/{k}",
            published=now - timedelta(hours=1 + k),
            source="Городские новости",
        )
        for k, (title, body) in enumerate(SINGLES)
    ]
    return found


def corpus_words() -> list[str]:
    texts = [d.title + " " + d.body + " " + (d.source or "") for d in drafts()]
    assert not any(ch.isascii() and ch.isalpha() for text in texts for ch in text)
    return [*texts, FEED_TITLE, "Мост через реку открыт Движение по мосту открыто", *ECHOED]


@asynccontextmanager
async def russian_bot(tmp_path: Path, **overrides: Any) -> AsyncIterator[tuple[Env, Checker]]:
    """Run the bot with the pseudo-locale as its Russian and the Cyrillic corpus."""
    locale = write_pseudo_catalog(tmp_path / "locale")
    seeds = tmp_path / "no-seeds"  # the repository's seed articles are English
    seeds.mkdir()
    async with digest_env(
        tmp_path / "data", locale_dir=locale, seeds_dir=seeds, allow_private_feeds=True, **overrides
    ) as env:
        env.services.store.add_many(drafts())
        yield env, Checker(corpus_words(), BOT, LIBRARY)


def russian(env: Env, user_id: int | None = None) -> UserClient:
    env.next_id += 1
    return env.server.user(user_id or env.next_id, "Иван", language_code="ru")


async def say(user: UserClient, text: str) -> list[SentMessage]:
    """Send text and return its one reply (check_log reads any further ones at the end)."""
    user.replies()
    await user.send(text)
    return await user.wait_replies(1, timeout=TIMEOUT)


def check_log(checker: Checker, env: Env, chats: Iterable[int]) -> None:
    """Check every message and button the bot sent or edited in the chats."""
    for chat_id in chats:
        for message in env.server.sent(chat_id):
            checker.check(f"message in {chat_id}", message.text)
            for text in message.button_texts:
                checker.check(f"button in {chat_id}", text)


async def press(checker: Checker, user: UserClient, message: SentMessage, button: int) -> None:
    """Press a button and check the alert it answers with."""
    user.replies()
    answer = await user.press(message, button, timeout=TIMEOUT)
    checker.check(f"alert of {message.button_texts[button]!r}", answer.text)
    await user.wait_replies(1, timeout=TIMEOUT)  # every press here sends or edits one message


def with_buttons(replies: list[SentMessage]) -> SentMessage:
    [message] = [m for m in replies if m.buttons]
    return message


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
