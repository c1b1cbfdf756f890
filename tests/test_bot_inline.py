"""End-to-end: inline mode (`@newsbrief_bot words`), paged by offset."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.app.query_problems import HINT_LIMIT
from bot.tgserver import parse_html
from tests.botkit import LONG_ID, BotEnv, bot_env

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def env(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotEnv]:
    async with bot_env(Path(tmp_path_factory.mktemp("bot-inline"))) as running_env:
        yield running_env


async def test_inline_query_lists_matching_stories_with_cards(env: BotEnv) -> None:
    answer = await env.user().inline("chip factory")
    [first] = answer.results  # five reports of one story: one result
    assert first["type"] == "article"
    assert first["id"] == env.services.stories.story_of(
        env.services.store.find_by_url("https://news.example.com/3").id  # type: ignore[union-attr]
    )
    assert first["title"].startswith("New chip factory opens in Dresden")
    assert first["description"] == "Tech Wire"
    content = first["input_message_content"]
    assert content["parse_mode"] == "HTML"
    card = parse_html(content["message_text"])
    assert card.text.startswith("New chip factory opens in Dresden")
    assert "Tech Wire · " in card.text
    assert answer.next_offset == ""


async def test_inline_results_are_paged_by_offset(env: BotEnv) -> None:
    user = env.user()
    first = await user.inline("")  # the latest: 12 stories (6 topics, 5 single, the seed)
    assert len(first.results) == 10
    assert first.next_offset == "10"
    second = await user.inline("", offset=first.next_offset)
    assert len(second.results) == 2
    assert {r["id"] for r in first.results}.isdisjoint(r["id"] for r in second.results)
    assert second.next_offset == ""


async def test_empty_inline_query_shows_the_latest(env: BotEnv) -> None:
    answer = await env.user().inline("")
    assert answer.results[0]["title"].startswith("Navy drills near the coast draw crowds (")
    assert answer.next_offset == "10"


@pytest.mark.parametrize("offset", ["abc", "-5", "99999999", "1e3", "10; DROP"])
async def test_forged_offsets_start_from_the_top_or_end_the_list(env: BotEnv, offset: str) -> None:
    answer = await env.user().inline("", offset=offset)
    # Anything this bot did not write (it writes 1-4 digits) starts from the top.
    assert len(answer.results) == 10 and answer.next_offset == "10"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("zzyzxqq", False),
        ("<b>&amp;", True),  # the tag is no word; "amp" is completed to "ampersands"
        ("<script> alert", True),  # the article with markup in its title and source
        (".*[(", False),
        ("x" * 300, False),
        ("\u202e\u0000 drills", True),
        ("🦀" * 100, False),
    ],
)
async def test_odd_inline_queries_get_a_valid_answer(env: BotEnv, query: str, found: bool) -> None:
    answer = await env.user().inline(query)
    assert bool(answer.results) == found
    for result in answer.results:
        parse_html(result["input_message_content"]["message_text"])


async def test_inline_card_of_an_article_without_link_or_with_markup(env: BotEnv) -> None:
    answer = await env.user().inline("Angle brackets ampersands")
    ugly = next(r for r in answer.results if "script" in r["title"])
    assert ugly["title"].startswith('<script>alert("x")</script>')
    card = parse_html(ugly["input_message_content"]["message_text"])
    assert card.text.startswith('<script>alert("x")</script> & <b>Co</b> report')
    plain = await env.user().inline("strange link not allowed")
    no_link = next(r for r in plain.results if r["title"] == "Article without a link")
    assert "url" not in no_link


async def test_inline_result_ids_fit_even_for_long_article_ids(env: BotEnv) -> None:
    answer = await env.user().inline("quokka")
    [result] = answer.results
    assert result["id"] != LONG_ID
    assert 0 < len(result["id"].encode()) <= 64


@pytest.mark.parametrize(
    ("query", "hint"),
    [
        ("chip since:garbage", "since: write a day, e.g. since:2021-08-01"),
        ("lang:english chip", "lang: write a language code, e.g. lang:ru"),
        ("the of and", "Only common words: add one that names the topic"),
    ],
)
async def test_a_query_that_searches_nothing_gets_an_empty_answer_with_a_hint(
    env: BotEnv, query: str, hint: str
) -> None:
    answer = await env.user().inline(query)
    assert answer.results == [] and answer.next_offset == ""
    assert answer.button is not None and answer.button["text"] == hint
    assert (await env.user().inline("chip")).button is None


async def test_a_query_matched_through_its_typos_says_what_it_shows(env: BotEnv) -> None:
    # Chat lists say "(showing results for …)"; inline mode had no place and said nothing.
    answer = await env.user().inline("chip factroy")
    assert answer.results, "the typo is matched"
    assert answer.button is not None
    assert answer.button["text"] == "Showing results for chip factory"
    assert answer.button["start_parameter"] == "help"


async def test_a_long_query_matched_through_its_typos_says_so_in_one_short_line(
    env: BotEnv,
) -> None:
    # The hint of a query that searched nothing is cut to a button's line; this one was not.
    answer = await env.user().inline("new semiconductor chip factroy opens in dresden today")
    assert answer.results and answer.button is not None
    text = answer.button["text"]
    assert text.startswith("Showing results for new semiconductor chip factory")
    assert len(text) <= HINT_LIMIT and text.endswith("…"), text
