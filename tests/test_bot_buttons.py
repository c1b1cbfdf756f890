"""End-to-end: More/Back paging, Summary buttons, did-you-mean, and forged or stale buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from handlers.callbacks import EXPIRED, FORGED
from tests.botkit import BOT, BotEnv, ask, bot_env, valid_telegram_html

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def env(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotEnv]:
    async with bot_env(Path(tmp_path_factory.mktemp("bot-buttons"))) as running_env:
        yield running_env


async def test_more_edits_the_message_to_the_next_page_and_back(env: BotEnv) -> None:
    user = env.user()
    [first] = await ask(user, "/latest")
    answer = await user.press(first, "More »")
    assert answer.text is None
    [edited] = await user.wait_replies(1)
    assert edited.edited and edited.message_id == first.message_id
    # Rows are stories: six topics of five reports each, then five single articles and the seed.
    assert edited.text.startswith("Latest news · 6–10 of 12")
    assert "6. Central bank holds interest rates (5)" in edited.text
    summaries = [f"Summary {n}" for n in range(6, 11)]
    assert edited.button_texts == [*summaries, "📚 6", "« Back", "More »"]
    await user.press(edited, "« Back")
    [back] = await user.wait_replies(1)
    assert back.text == first.text


async def test_summary_n_follows_the_page_shown(env: BotEnv) -> None:
    user = env.user()
    [first] = await ask(user, "/latest")
    await user.press(first, "More »")
    await user.wait_replies(1)
    [reply] = await ask(user, "/summary 6")
    assert reply.text.startswith("Central bank holds interest rates (5)")


async def test_summary_button_sends_the_article_card(env: BotEnv) -> None:
    user = env.user()
    [listing] = await ask(user, "/search chip factory")
    await user.press(listing, "Summary 1")
    [card] = await user.wait_replies(1)
    assert not card.edited
    assert card.text.startswith("New chip factory opens in Dresden")
    assert "Tech Wire ·" in card.text
    assert valid_telegram_html(card)


async def test_summary_button_of_an_article_with_a_long_id(env: BotEnv) -> None:
    user = env.user()
    [listing] = await ask(user, "/search quokka")
    assert all(len(b["callback_data"].encode()) <= 64 for b in listing.buttons)
    await user.press(listing, "Summary 1")
    [card] = await user.wait_replies(1)
    assert card.text.startswith("Quokka census on Rottnest")


async def test_last_page_has_no_more_button(env: BotEnv) -> None:
    user = env.user()
    [listing] = await ask(user, "/latest 10")
    await user.press(listing, "More »")
    [last] = await user.wait_replies(1)
    assert last.text.startswith("Latest news · 11–12 of 12")
    assert "More »" not in last.button_texts
    assert "« Back" in last.button_texts


async def test_a_search_whose_rows_fit_one_page_has_no_more_button(env: BotEnv) -> None:
    # 25 hits, five stories of five: "1–5 of 25" with a More button, which replaced the
    # list by "No more articles.". A page now looks one row ahead before offering More.
    user = env.user()
    [listing] = await ask(user, "/search number -rates")
    assert listing.text.startswith("Search: number -rates · 1–5 of 5"), listing.text
    assert "More »" not in listing.button_texts
    [many] = await ask(user, "/search story")  # six stories: the sixth is a page away
    await user.press(many, "More »")
    [second] = await user.wait_replies(1)
    assert second.text.startswith("Search: story · 6 of 6"), second.text


async def test_did_you_mean_button_runs_the_suggestion(env: BotEnv) -> None:
    user = env.user()
    [reply] = await ask(user, "/search drils")
    assert "Search: drills" in reply.button_texts
    await user.press(reply, "Search: drills")
    [result] = await user.wait_replies(1)
    assert not result.edited
    assert result.text.startswith("Search: drills · 1–")
    assert "Navy drills near the coast draw crowds" in result.text


async def test_double_tap_on_more_edits_once(env: BotEnv) -> None:
    user = env.user()
    [first] = await ask(user, "/latest")
    data = next(b["callback_data"] for b in first.buttons if b["text"] == "More »")
    await user.press_data(first, data)
    await user.wait_replies(1)
    answer = await user.press_data(first, data)
    assert answer.text is None
    assert await user.no_replies(0.3)


@pytest.mark.parametrize(
    ("data", "notice"),
    [
        ("p:999:1", EXPIRED),
        ("d:12345", EXPIRED),
        ("garbage", FORGED),
        ("p:1:-1", FORGED),
        ("p:01:1", FORGED),
        ("s:../../etc", FORGED),
        ("s:999:1", EXPIRED),
        ("<b>", FORGED),
        ("", FORGED),
        ("x" * 64, FORGED),
    ],
)
async def test_forged_or_stale_buttons_get_a_short_notice(
    env: BotEnv, data: str, notice: str
) -> None:
    user = env.user()
    [listing] = await ask(user, "/latest 2")
    answer = await user.press_data(listing, data)
    assert answer.text == notice
    assert await user.no_replies(0.2)


async def test_page_beyond_the_listing_is_refused(env: BotEnv) -> None:
    user = env.user()
    [listing] = await ask(user, "/latest 2")
    data = next(b["callback_data"] for b in listing.buttons if b["text"] == "More »")
    key = data.split(":")[1]
    answer = await user.press_data(listing, f"p:{key}:9999")
    assert answer.text == FORGED


async def test_summary_button_of_a_removed_article(env: BotEnv) -> None:
    user = env.user()
    [listing] = await ask(user, "/latest 1")
    data = listing.buttons[0]["callback_data"]
    key = int(data.split(":")[1])
    # Retention dropped the article after the list was shown.
    env.app.chat_data[user.chat_id].listings[key].shown[1] = "gone-article"
    answer = await user.press(listing, "Summary 1")
    assert answer.text == "That article is no longer available."


async def test_summary_button_with_an_item_the_list_never_showed(env: BotEnv) -> None:
    user = env.user()
    [listing] = await ask(user, "/latest 1")
    key = listing.buttons[0]["callback_data"].split(":")[1]
    answer = await user.press_data(listing, f"s:{key}:7")
    assert answer.text == FORGED


async def test_old_listings_expire(env: BotEnv) -> None:
    user = env.user()
    [oldest] = await ask(user, "/latest 2")
    for _ in range(20):
        await ask(user, "/latest 2")
    answer = await user.press(oldest, "More »")
    assert answer.text == EXPIRED


async def test_buttons_in_a_forum_topic_answer_in_that_topic(env: BotEnv) -> None:
    member = env.user()
    group = env.server.group(-1009000000200, "Forum", members=[member], forum=True)
    in_topic = group.member(member, thread_id=42)
    [listing] = await ask(in_topic, f"/search@{BOT} story")
    assert listing.message_thread_id == 42
    await in_topic.press(listing, "Summary 1")
    [card] = await in_topic.wait_replies(1)
    assert card.message_thread_id == 42
    await in_topic.press(listing, "More »")
    [edited] = await in_topic.wait_replies(1)
    assert edited.edited and edited.text.startswith("Search: story · 6 of 6")


async def test_a_list_message_that_cannot_be_edited_any_more(tmp_path: Path) -> None:
    expected = frozenset({"Bad Request"})  # the one refused edit this test provokes
    async with bot_env(tmp_path, expected_errors=expected) as own_env:
        user = own_env.user()
        mine = await user.send("/latest 2")
        [listing] = await user.wait_replies(1)
        more = next(b["callback_data"] for b in listing.buttons if b["text"] == "More »")
        # A press whose message the bot cannot edit (Telegram: too old, or not the bot's).
        answer = await user.press_data(mine, more)
        assert answer.text == EXPIRED


async def test_buttons_of_a_list_shown_before_forget_do_not_act_on_a_newer_list(
    env: BotEnv,
) -> None:
    # /forget drops the chat's state, its listing keys with it: the first list after it got
    # key 1 again, and "Summary 1" of the old climate list summarised the new list's navy row.
    user = env.user()
    [old] = await ask(user, "/search climate")
    [question] = await ask(user, "/forget")
    await user.press(question, "Delete everything")
    await user.wait_replies(1)
    [new] = await ask(user, "/latest 2")
    assert new.text.startswith("Latest news · 1–2 of")
    answer = await user.press(old, "Summary 1")
    assert answer.text == EXPIRED
    assert await user.no_replies(0.2)
    await user.press(new, "More »")  # the new list's own buttons work
    [page] = await user.wait_replies(1)
    assert page.edited and page.message_id == new.message_id
