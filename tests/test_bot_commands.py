"""End-to-end: /start, /help, /latest, /search, /summary and plain text, through the local server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from bot.app.context import NewsContext
from bot.models import ArticleDraft
from tests.botkit import (
    ADMIN,
    BOT,
    LONG_ID,
    NEWEST,
    BotEnv,
    ask,
    bot_env,
    valid_telegram_html,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def env(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotEnv]:
    async with bot_env(Path(tmp_path_factory.mktemp("bot-commands"))) as running_env:
        yield running_env


async def test_start_says_what_the_bot_does_and_runs_the_chat_start_hooks(env: BotEnv) -> None:
    started: list[int] = []

    async def hook(context: NewsContext, chat_id: int) -> None:
        started.append(chat_id)

    env.app.bot_data.on_chat_start.append(hook)
    try:
        user = env.user()
        [reply] = await ask(user, "/start")
    finally:
        env.app.bot_data.on_chat_start.remove(hook)
    assert "newsbrief" in reply.text
    for command in ("/latest", "/search", "/summary", "/subscribe", "/help"):
        assert command in reply.text
    assert started == [user.chat_id]


async def test_help_lists_exactly_the_registered_commands(env: BotEnv) -> None:
    [reply] = await ask(env.user(), "/help")
    registered = env.server.commands()
    assert registered, "setMyCommands was not called"
    for command in registered:
        assert f"/{command['command']}" in reply.text
        assert command["description"] in reply.text
    listed = [line.split()[0] for line in reply.text.splitlines() if line.startswith("/")]
    assert sorted(c.lstrip("/") for c in listed) == sorted(c["command"] for c in registered)


async def test_admin_help_includes_admin_commands(env: BotEnv) -> None:
    admin = env.server.user(ADMIN, "Admin")
    [reply] = await ask(admin, "/help")
    admin_only = [spec.name for spec in env.app.bot_data.commands if spec.admin_only]
    for name in admin_only:
        assert f"/{name}" in reply.text
    [plain] = await ask(env.user(), "/help")
    for name in admin_only:
        assert f"/{name} " not in plain.text + " "


async def test_command_addressed_to_this_bot_works(env: BotEnv) -> None:
    [reply] = await ask(env.user(), f"/latest@{BOT} 2")
    assert reply.text.startswith("Latest news · 1–2 of")


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


async def test_summary_of_item_n_of_the_last_list(env: BotEnv) -> None:
    user = env.user()
    await ask(user, "/latest")
    [reply] = await ask(user, "/summary 2")
    assert reply.text.startswith("Climate policy talks stall in Bonn (1)")
    assert "Planet Daily · Mar 1, 2026, 20:00" in reply.text
    assert "climate policy" in reply.text.lower()


async def test_summary_of_items_written_as_people_write_them(env: BotEnv) -> None:
    # "#2", "№2", "2." name item 2, and "1 2" or "1, 2" items 1 and 2: each was a topic search
    # for the digits ("Summary: 1 2" with sentences that merely hold the numbers).
    user = env.user()
    await ask(user, "/latest")
    [second] = await ask(user, "/summary 2")
    for ref in ("#2", "№2", "2."):
        [reply] = await ask(user, f"/summary {ref}")
        assert reply.text == second.text, ref
    [first] = await ask(user, "/summary 1")
    for refs in ("1 2", "1, 2", "1,2"):
        assert [r.text for r in await ask(user, f"/summary {refs}", 2)] == [first.text, second.text]
    [missing] = await ask(user, "/summary 2 9")
    assert missing.text == "There is no item 9 in the last list: it shows items 1–5.", missing.text


async def test_summary_without_a_list_or_out_of_range_explains(env: BotEnv) -> None:
    user = env.user()
    [reply] = await ask(user, "/summary 3")
    assert reply.text.startswith("There is no list yet.")
    await ask(user, "/latest 2")
    [reply] = await ask(user, "/summary 7")
    assert reply.text == "There is no item 7 in the last list: it shows items 1–2."
    [reply] = await ask(user, "/summary 9999")  # a number is an item, never a topic search
    assert reply.text == "There is no item 9999 in the last list: it shows items 1–2."
    positive = "The item number must be a positive number: the last list shows items 1–2."
    for ref in ("0", "-3"):
        [reply] = await ask(user, f"/summary {ref}")
        assert reply.text == positive
    # A list of one item read "1–1 of 1" and "it shows items 1–1".
    [one] = await ask(user, "/latest 1")
    assert one.text.startswith("Latest news · 1 of 12")
    [reply] = await ask(user, "/summary 2")
    assert reply.text == "There is no item 2 in the last list: it shows only item 1."
    [reply] = await ask(user, "/summary 0")
    assert (
        reply.text == "The item number must be a positive number: the last list shows only item 1."
    )


async def test_latest_count_below_one_says_the_range_and_searches_nothing(env: BotEnv) -> None:
    for count in ("0", "-5", "-5 rates"):
        [reply] = await ask(env.user(), f"/latest {count}")
        assert reply.text == "The number of articles must be from 1 to 20, e.g. /latest 10."


async def test_summary_by_url_and_by_id(env: BotEnv) -> None:
    user = env.user()
    [by_url] = await ask(user, "/summary https://news.example.com/3")
    assert by_url.text.startswith("New chip factory opens in Dresden (3)")
    article = env.services.store.find_by_url("https://news.example.com/3")
    assert article is not None
    [by_id] = await ask(user, f"/summary {article.id}")
    assert by_id.text == by_url.text
    [long_id] = await ask(user, f"/summary {LONG_ID}")
    assert long_id.text.startswith("Quokka census on Rottnest")
    [unknown] = await ask(user, "/summary https://elsewhere.example.org/x")
    assert unknown.text == "I have no article with that link."


async def test_summary_finds_an_article_by_its_link_as_people_paste_it(env: BotEnv) -> None:
    # Typed or copied by hand, a link loses its scheme, gains "www." or a slash, or says
    # http: for https. Each was searched as words ("Nothing found for news.example.com/3")
    # or had no article, though the article is there.
    user = env.user()
    [stored] = await ask(user, "/summary https://news.example.com/3")
    for link in (
        "news.example.com/3",
        "www.news.example.com/3",
        "http://news.example.com/3",
        "https://news.example.com/3/",
        "<https://news.example.com/3>",
    ):
        [reply] = await ask(user, f"/summary {link}")
        assert reply.text == stored.text, link
    [unknown] = await ask(user, "/summary elsewhere.example.org/x")
    assert unknown.text == "I have no article with that link."
    [words] = await ask(user, "/summary chip.factory")  # no path: words, not a link
    assert not words.text.startswith("I have no article"), words.text


async def test_a_link_sent_alone_is_summarised_not_searched_as_words(env: BotEnv) -> None:
    # Plain text is a search, and a link is no words an article holds: pasting the link of a
    # stored article said "Nothing found for https://…".
    user = env.user()
    [stored] = await ask(user, "/summary https://news.example.com/3")
    [pasted] = await ask(user, "https://news.example.com/3")
    assert pasted.text == stored.text
    [unknown] = await ask(user, "https://elsewhere.example.org/x")
    assert unknown.text == "I have no article with that link."


async def test_a_topic_summary_of_some_of_the_words_says_so(env: BotEnv) -> None:
    # As a list does: no article had "qqqxz", so the summary is of "election turnout" alone,
    # which the reader was not told.
    [reply] = await ask(env.user(), "/summary election turnout qqqxz")
    assert reply.text.startswith(
        "Summary: election turnout qqqxz (no article has every word; some of them match)"
    ), reply.text
    [whole] = await ask(env.user(), "/summary election turnout")
    assert "some of them match" not in whole.text
    # As a list does: "drils" was summarised from drills articles under "Summary: drils".
    [typo] = await ask(env.user(), "/summary drils")
    assert typo.text.startswith("Summary: drils (showing results for drills)\n"), typo.text


PASTED = (
    "The city council voted on Tuesday to close three public libraries next year to save money. "
    "The mayor said the closures would save two million dollars a year. Residents protested "
    "outside the town hall, saying the libraries are vital for children and elderly people. "
    "The council will review the decision in March after a public consultation. Library "
    "workers said they would strike if the plan went ahead."
)


async def test_pasted_text_is_condensed_itself_not_searched_for(env: BotEnv) -> None:
    # The archive was searched with the text's first 256 characters, and the reader got
    # sentences of unrelated articles that shared some of its words.
    [reply] = await ask(env.user(), f"/summary {PASTED}")
    assert reply.text.startswith("Summary of your text:\n\n"), reply.text
    told = reply.text.split("\n\n", 1)[1].split("\n")
    assert 1 <= len(told) <= 3 and all(line in PASTED for line in told), told
    assert valid_telegram_html(reply)
    [words] = await ask(env.user(), "/summary election turnout")  # a few words stay a topic
    assert words.text.startswith("Summary: election turnout")


async def test_summary_of_words_is_a_linked_topic_summary(env: BotEnv) -> None:
    [reply] = await ask(env.user(), "/summary election turnout")
    assert reply.text.startswith("Summary: election turnout")
    assert "•" in reply.text
    assert any(e["type"] == "text_link" for e in reply.entities)


async def test_summary_without_argument_explains_usage(env: BotEnv) -> None:
    [reply] = await ask(env.user(), "/summary")
    assert "/summary 1" in reply.text


async def test_long_article_summary_fits_telegram(env: BotEnv) -> None:
    [reply] = await ask(env.user(), "/summary https://news.example.com/long")
    assert reply.text.startswith("Marathon article about glaciers")
    assert valid_telegram_html(reply)


async def test_html_in_articles_is_shown_as_text(env: BotEnv) -> None:
    [reply] = await ask(env.user(), "/summary https://news.example.com/ugly")
    assert reply.text.startswith('<script>alert("x")</script> & <b>Co</b> report')
    assert "<Ugly & Sons>" in reply.text


async def test_group_commands_reply_in_the_forum_topic(env: BotEnv) -> None:
    member = env.user()
    group = env.server.group(-1009000000001, "Forum", members=[member], forum=True)
    in_topic = group.member(member, thread_id=77)
    [reply] = await ask(in_topic, f"/latest@{BOT} 1")
    assert reply.message_thread_id == 77
    assert reply.text.startswith("Latest news · 1 of")


async def test_group_plain_text_and_other_bots_commands_get_silence(env: BotEnv) -> None:
    member = env.user()
    group = env.server.group(-1009000000002, "Chat", members=[member])
    in_group = group.member(member)
    await in_group.send("/latest@some_other_bot")
    await in_group.send("/frobnicate")
    assert await in_group.no_replies(0.5)
    [reply] = await ask(in_group, f"/frobnicate@{BOT}")
    assert "/help" in reply.text


async def test_a_group_that_becomes_a_supergroup_keeps_its_lists(env: BotEnv) -> None:
    member = env.user()
    group = env.server.group(-9000000003, "Chat", members=[member])
    [shown] = await ask(group.member(member), f"/latest@{BOT} 2")
    moved = asyncio.Event()

    async def on_moved(old: int, new: int) -> None:
        moved.set()

    env.services.digests.moved_listeners.append(on_moved)
    try:
        supergroup = await env.server.upgrade(-9000000003, -1009000000003, group.member(member))
        await asyncio.wait_for(moved.wait(), 10)
    finally:
        env.services.digests.moved_listeners.remove(on_moved)
    # Telegram keeps the history: the list shown before is still there to be read and used.
    [summary] = await ask(supergroup.member(member), f"/summary@{BOT} 2")
    assert "2. Climate policy talks stall in Bonn (1)" in shown.text
    assert summary.text.startswith("Climate policy talks stall in Bonn (1)\nPlanet Daily")


async def test_a_chat_zone_set_with_timezone_is_used_for_dates(env: BotEnv) -> None:
    user = env.user()
    saved = env.app.bot_data.zone_lookup
    zones = {user.chat_id: ZoneInfo("America/New_York")}
    env.app.bot_data.zone_lookup = zones.get
    try:
        [reply] = await ask(user, "/latest 1")
        answer = await user.inline("chip factory")
        other = await env.user().inline("chip factory")
    finally:
        env.app.bot_data.zone_lookup = saved
    assert "Sea News, Mar 1, 2026, 07:00" in reply.text  # 12:00 UTC in New York
    assert answer.is_personal and not other.is_personal


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
