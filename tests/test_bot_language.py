"""The bot speaks the reader's language, end to end over the local Bot API server: a Russian
user gets Russian /start, /help, lists with buttons, errors and digests; a German user (no
catalog) gets English; /language switches and is stored with the chat; setMyCommands per
language; a group speaks the language of whoever set it up."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.models import ArticleDraft, utcnow
from bot.tgserver import SentMessage, UserClient
from tests.digestkit import TIMEOUT, Env, ask, digest_env


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async with digest_env(tmp_path) as e:
        e.add("Harbour reopens after storm", "Markets calm after the vote")
        yield e


def person(env: Env, lang: str | None) -> UserClient:
    env.next_id += 1
    return env.server.user(env.next_id, f"User{env.next_id}", language_code=lang)


async def reply_to(user: UserClient, text: str) -> SentMessage:
    user.replies()
    await user.send(text)
    [reply] = await user.wait_replies(1, timeout=TIMEOUT)
    return reply


def buttons(message: SentMessage) -> list[str]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [b["text"] for row in rows for b in row]


async def test_a_russian_user_gets_russian_start_help_lists_buttons_and_errors(env: Env) -> None:
    user = person(env, "ru")
    start = await ask(user, "/start")
    assert "следит за новостями" in start and "/language — Выбрать язык" in start
    helped = await ask(user, "/help")
    assert helped.startswith("Команды") and "/subscribe [ЧЧ:ММ] [Регион/Город] [слова]" in helped
    latest = await reply_to(user, "/latest")
    assert re.match(r"Последние новости · 1–\d из \d\n", latest.text)
    assert "Кратко 1" in buttons(latest)
    assert "Я не знаю такой команды" in await ask(user, "/frobnicate")
    reply = await ask(user, "/subscribe 25:61 news")
    assert "«25:61»: час должен быть от 00 до 23. Пишите ЧЧ:ММ" in reply
    assert "ничего не найдено" in await ask(user, "/search zzzqqq")


async def test_a_russian_user_gets_a_russian_subscription_list_and_digest(env: Env) -> None:
    user = person(env, "ru")
    subscribed = await ask(user, "/subscribe 07:30 Europe/Moscow harbour")
    assert subscribed.startswith(
        "Подписка оформлена: harbour — каждый день в 07:30 (Europe/Moscow)"
    )
    listing = await reply_to(user, "/subscriptions")
    assert listing.text.startswith("Подписки\n1. harbour")
    assert buttons(listing) == ["✖ Удалить 1", "🕒 Время 1"]
    await env.fire(user.chat_id)  # the scheduler: no update, the stored language decides
    [digest] = [m.text for m in env.server.sent(user.chat_id) if "сводка" in m.text]
    assert digest.startswith("Ваша сводка новостей — ")
    assert "Harbour reopens after storm" in digest
    assert "Your news digest" not in "".join(m.text for m in env.server.sent(user.chat_id))


async def test_a_german_user_gets_english(env: Env) -> None:
    user = person(env, "de")
    assert "keeps up with the news for you" in await ask(user, "/start")
    assert (await ask(user, "/help")).startswith("Commands")
    assert "I don't know that command" in await ask(user, "/frobnicate")


async def test_language_buttons_switch_and_the_choice_is_stored(env: Env) -> None:
    user = person(env, "en")
    question = await reply_to(user, "/language")
    assert "English" in question.text and buttons(question) == ["English", "Русский"]
    await user.press(question, "Русский")
    assert env.digests.subs.chat(user.chat_id).lang == "ru"
    assert (await ask(user, "/help")).startswith("Команды")
    again = await reply_to(user, "/language")
    assert again.text.startswith("Язык бота в этом чате — русский")
    await user.press(again, "English")
    assert (await ask(user, "/help")).startswith("Commands")


async def test_a_group_speaks_the_language_of_whoever_set_it_up(env: Env) -> None:
    admin, member = person(env, "ru"), person(env, "en")
    group = env.server.group(-4343, "Команда", members=[member], admins=[admin])
    await group.member(admin).send("/start")
    await group.member(admin).wait_replies(1, timeout=TIMEOUT)
    assert env.digests.subs.chat(-4343).lang == "ru"
    in_group = group.member(member)
    in_group.replies()
    await in_group.send("/help")
    [reply] = await in_group.wait_replies(1, timeout=TIMEOUT)
    assert reply.text.startswith("Команды")


async def test_the_command_menu_is_set_per_language(env: Env) -> None:
    english = {c["command"]: c["description"] for c in env.server.commands()}
    russian = {c["command"]: c["description"] for c in env.server.commands(language_code="ru")}
    assert english["start"] == "What this bot does"
    assert russian["start"] == "Что умеет этот бот"
    assert set(english) == set(russian)


async def test_a_digest_topic_can_ask_for_one_language(env: Env) -> None:
    env.services.store.add_many(
        [
            ArticleDraft(
                title="Москва готовится к зиме",
                body="Городские службы Москвы готовятся к зиме. Дворники закупают соль и песок.",
                url="https://news.example.com/ru-winter",
                published=utcnow() - timedelta(minutes=1),
                source="Вести",
            )
        ]
    )
    user = person(env, "ru")
    await ask(user, "/subscribe lang:ru")
    await env.fire(user.chat_id)
    [digest] = [m.text for m in env.server.sent(user.chat_id) if "сводка" in m.text]
    assert "Москва готовится к зиме" in digest
    assert "Harbour" not in digest and "Markets" not in digest
