"""End-to-end: /latest, /search and plain text, their filters and what a query without words is told."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from bot.models import ArticleDraft
from tests.botkit import NEWEST, BotEnv, ask, bot_env, valid_telegram_html

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def env(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotEnv]:
    async with bot_env(Path(tmp_path_factory.mktemp("bot-search"))) as running_env:
        yield running_env


async def test_latest_shows_five_newest_with_links_sources_local_dates(env: BotEnv) -> None:
    [reply] = await ask(env.user(), "/latest")
    assert reply.text.startswith("Latest news · 1–5 of")
    assert "1. Navy drills near the coast draw crowds (0)" in reply.text
    assert "5. Election turnout hits record high (4)" in reply.text
    assert "6." not in reply.text
    # 12:00 UTC is 21:00 in Tokyo, the configured zone.
    assert "Sea News, Mar 1, 2026, 21:00" in reply.text
    links = [e for e in reply.entities if e["type"] == "text_link"]
    assert links[0]["url"] == "https://news.example.com/0"
    assert reply.link_preview_disabled
    assert "The Naval drills story, report number 0." in reply.text
    stories = [f"📚 {n}" for n in range(1, 6)]  # each row is a story of five reports
    assert reply.button_texts == [f"Summary {n}" for n in range(1, 6)] + stories + ["More »"]
    assert valid_telegram_html(reply)


async def test_latest_count_is_capped_at_twenty_and_fits_one_message(env: BotEnv) -> None:
    for count in ("500", "1234567"):  # seven digits were searched as words: "Nothing found"
        [reply] = await ask(env.user(), f"/latest {count}")
        # The archive holds 12 stories: a page of at most 20 shows them all, in one message.
        assert reply.text.startswith("Latest news · 1–12 of 12"), count
        assert "12. " in reply.text and "13. " not in reply.text
        assert valid_telegram_html(reply)
    [three] = await ask(env.user(), "/latest 3")
    assert three.text.startswith("Latest news · 1–3 of")


async def test_latest_with_words_filters_newest_first(env: BotEnv) -> None:
    [reply] = await ask(env.user(), "/latest 3 football")
    # Five football reports are one story: one row, its newest report first.
    assert reply.text.startswith("Latest on football · 1 of 1")
    assert "1. Local football club wins the cup (2)" in reply.text
    assert "(8)" not in reply.text
    assert "📚 1" in reply.button_texts


async def test_search_ranks_and_bolds_matched_words(env: BotEnv) -> None:
    [reply] = await ask(env.user(), "/search chip factory")
    assert reply.text.startswith("Search: chip factory · 1 of 1")
    assert "New chip factory opens in Dresden" in reply.text
    bolded = [
        reply.text[e["offset"] : e["offset"] + e["length"]].lower()
        for e in reply.entities
        if e["type"] == "bold"
    ]
    assert any(word.startswith("chip") for word in bolded)
    assert "More »" not in reply.button_texts  # five chip articles, one story
    [many] = await ask(env.user(), "/search story")
    assert many.button_texts[-1] == "More »"


async def test_search_nothing_found_says_so_with_a_suggestion(env: BotEnv) -> None:
    [reply] = await ask(env.user(), "/search zzyzxqq")
    assert reply.text == "Nothing found for zzyzxqq."
    [typo] = await ask(env.user(), "/search drils")
    assert "Search: drills" in typo.button_texts
    # The rows are drills' own: the header said only "Search: drils", as if found as typed.
    assert typo.text.split("\n")[0].endswith("(showing results for drills)"), typo.text
    [latest] = await ask(env.user(), "/latest 3 militray drils")
    assert "(showing results for military drills)" in latest.text.split("\n")[0]
    [exact] = await ask(env.user(), "/search drills")
    assert "showing results for" not in exact.text
    [brief] = await ask(env.user(), "/brief week drils")  # its stories are drills' too
    assert brief.text.split("\n")[0].endswith("· 1 of 1 (showing results for drills)"), brief.text
    [navy] = await ask(env.user(), "/brief week navy")
    assert "showing results for" not in navy.text
    [relaxed] = await ask(env.user(), "/search chip zzyzxqq")
    assert "some of them match" in relaxed.text


async def test_search_without_words_explains_usage(env: BotEnv) -> None:
    [reply] = await ask(env.user(), "/search")
    assert "/search climate policy" in reply.text


async def test_plain_text_in_a_private_chat_is_a_search(env: BotEnv) -> None:
    [reply] = await ask(env.user(), "interest rates")
    assert reply.text.startswith("Search: interest rates")
    assert "Central bank holds interest rates" in reply.text


async def test_latest_count_below_one_says_the_range_and_searches_nothing(env: BotEnv) -> None:
    for count in ("0", "-5", "-5 rates"):
        [reply] = await ask(env.user(), f"/latest {count}")
        assert reply.text == "The number of articles must be from 1 to 20, e.g. /latest 10."


@pytest.mark.parametrize(
    ("command", "told"),
    [
        (
            "/search chip since:garbage",
            "I don't understand since:garbage — write a day as since:2021-08-01 (that day or later).",
        ),
        (
            "/latest 2 before:soon chip",
            "I don't understand before:soon — write a day as before:2021-09-01 (before that day).",
        ),
        (
            "/brief week chip lang:english",
            "I don't understand lang:english — write a language code, e.g. lang:ru or lang:en.",
        ),
        (
            "/summary source: chip",
            "I don't understand source: — write a source's name, e.g. source:reuters or "
            'source:"bbc news".',
        ),
        ("chip since:2026-02-30", "I don't understand since:2026-02-30 — write a day as"),
    ],
)
async def test_a_filter_value_not_understood_is_told_with_its_valid_form(
    env: BotEnv, command: str, told: str
) -> None:
    [reply] = await ask(env.user(), command)
    assert reply.text.startswith(told)
    assert "<code>" in reply.source and valid_telegram_html(reply)


async def test_a_query_of_only_stop_words_says_so_instead_of_completing_them(env: BotEnv) -> None:
    # "/search the" and "/search and" completed the word to itself: every article holding it.
    for command in ("/search the of and", "/latest 3 and the", "/search the", "/search and"):
        [reply] = await ask(env.user(), command)
        assert reply.text.startswith("Nothing to search for in "), command
        assert "Add a word that names what you are looking for." in reply.text


async def test_a_lone_stop_word_sent_is_only_common_words_though_words_begin_with_it(
    env: BotEnv,
) -> None:
    # "/search the" listed "Theatre season opens", completing "the" as if still being typed;
    # a message is sent whole. Inline mode is typed: "the" may yet become "theatre" there.
    env.services.store.add_many(
        [
            ArticleDraft(
                title="Theatre season opens with a thermal power play",
                body="Theorists and thespians gathered at the new theatre.",
                url="https://news.example.com/theatre",
                published=NEWEST - timedelta(days=9),  # older than every list the tests count
                source="Wire",
            )
        ]
    )
    user = env.user()
    for command in ("/search the", "the", "/latest 3 the", "/summary the", "/search The"):
        [reply] = await ask(user, command)
        assert reply.text.startswith("Nothing to search for in "), (command, reply.text)
    [theatre] = await ask(user, "/search thea")  # not a stop word: completed as before
    assert "Theatre season opens" in theatre.text
    typed = await user.inline("the")
    assert typed.results and typed.button is None


async def test_a_three_letter_language_code_finds_that_language(env: BotEnv) -> None:
    # "lang:rus" (ISO 639-2, as many sites and apps write it) matched no article, whose
    # languages are stored as two-letter codes: "Nothing found", with Russian news there.
    for command in ("/search весне lang:rus", "/search весне lang:RU", "/latest 3 lang:rus"):
        [reply] = await ask(env.user(), command)
        assert "Москва готовится к весне" in reply.text, (command, reply.text)


async def test_a_filter_after_a_minus_leaves_that_source_or_language_out(env: BotEnv) -> None:
    # "-source:x" was searched as the words "source" and "x" left out: every article of x
    # stayed in the answer, and the reader was not told.
    search = env.services.search.search
    assert search('report -source:"sea news"').total == search("report").total - 5
    assert search("report -source:planet -source:sports").total == search("report").total - 10
    assert (search("весне -lang:ru").total, search("весне -lang:en").total) == (0, 1)
    before = search("report before:2026-03-01").total
    assert 0 < before < search("report").total
    assert search("report -since:2026-03-01").total == before
    assert search("report -before:2026-03-01").total == search("report since:2026-03-01").total
    [reply] = await ask(env.user(), '/latest 20 report -source:"sea news"')
    assert "Planet Daily" in reply.text and "Sea News" not in reply.text


async def test_a_query_with_no_word_to_search_says_so_not_nothing_found(env: BotEnv) -> None:
    # A one-letter stop word is too short to complete, a lone quote or OR holds no word, and
    # an excluded stop word excludes nothing: each searched nothing, yet was told "Nothing
    # found", as if the archive lacked the news.
    for command in (
        "/search и",
        "/search a",
        '/search "',
        '/search ""',
        "/search OR",
        "/search -the",
    ):
        [reply] = await ask(env.user(), command)
        assert reply.text.startswith("Nothing to search for in "), (command, reply.text)
    [reply] = await ask(env.user(), "/latest 3 и")
    assert reply.text.startswith("Nothing to search for in "), reply.text


async def test_html_tags_pasted_into_a_query_are_not_words(env: BotEnv) -> None:
    [reply] = await ask(env.user(), "/search <b>chip</b> & factory")
    assert reply.text.startswith("Search: <b>chip</b> & factory · 1 of 1")
    assert "some of them match" not in reply.text
    [latest] = await ask(env.user(), "/latest 2 <i>football</i>")
    assert latest.text.startswith("Latest on <i>football</i> · 1 of 1")


async def test_a_headline_only_article_shows_its_title_once(env: BotEnv) -> None:
    headline = "ZANZIBAR FERRY SERVICE RESUMES AFTER STORM"
    when = NEWEST - timedelta(days=9)  # older than every list the other tests count
    env.services.store.add_many(
        [
            ArticleDraft(
                title=headline,
                body="",
                url="https://news.example.com/zf1",
                published=when,
                source="Wire",
            ),
            ArticleDraft(
                title="Tasmanian quarry workers strike",
                body="Tasmanian quarry workers strike.",
                url="https://news.example.com/zf2",
                published=when,
                source="Other Wire",
            ),
        ]
    )
    user = env.user()
    # Without a body, and with the title as body (the Reuters flashes of the QA archive).
    asked = [
        ("/search zanzibar ferry", headline),
        ("/latest 5 zanzibar", headline),
        ("/search quarry strike", "Tasmanian quarry workers strike"),
    ]
    for command, title in asked:
        [reply] = await ask(user, command)
        header, rows = reply.text.split("\n\n", 1)
        assert header.endswith(" 1 of 1") and rows.count(title) == 1, reply.text
    [story] = await ask(user, "/story 1")
    assert story.text.count("Tasmanian quarry workers strike") == 2
    await ask(user, "/search zanzibar")
    [story] = await ask(user, "/story 1")
    assert story.text.count(headline) == 2  # the story's headline, then its first report
    assert "• " not in story.text


async def test_a_word_pasted_with_a_soft_hyphen_or_zero_width_space_is_one_word(
    env: BotEnv,
) -> None:
    # "cli\u200bmate" was searched as "cli mate": unrelated articles under "Search: cli mate".
    for word in ("cli\u200bmate", "cli\u00admate"):
        [reply] = await ask(env.user(), f"/search {word}")
        assert reply.text.startswith("Search: climate · 1 of 1"), reply.text
        assert "1. Climate policy talks stall in Bonn" in reply.text


async def test_a_right_to_left_query_keeps_the_span_after_it(env: BotEnv) -> None:
    # "Search: النفط climate · 1 of 1" drew as "Search: climate 1 · النفط of 1" (and "1–5" as
    # "5–1"): the span's digits joined the Arabic run. A left-to-right mark ends the query.
    [reply] = await ask(env.user(), "/search النفط climate")
    assert reply.text.startswith("Search: النفط climate\u200e · 1 of 1"), reply.text
    [latest] = await ask(env.user(), "/latest 3 climate")
    assert latest.text.startswith("Latest on climate · 1 of 1")  # no mark where none is needed
