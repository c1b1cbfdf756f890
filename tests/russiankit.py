"""The Russian-chat bot the catalog tests drive: its corpus, the bot with the pseudo-locale
installed as Russian, and steps that check every text a step shows against the catalog."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.models import ArticleDraft, utcnow
from bot.tgserver import SentMessage, UserClient
from tests.botkit import BOT
from tests.digestkit import TIMEOUT, Env, digest_env
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
