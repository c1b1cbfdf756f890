"""End-to-end: /summary of a list item, a link, an id, some words or pasted text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.botkit import LONG_ID, BotEnv, ask, bot_env, valid_telegram_html

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def env(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotEnv]:
    async with bot_env(Path(tmp_path_factory.mktemp("bot-summary"))) as running_env:
        yield running_env


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


async def test_a_dotted_name_with_a_path_is_words_unless_its_host_ends_in_a_tld(
    env: BotEnv,
) -> None:
    # "vue.js/router" said "I have no article with that link": ".js" is no top-level domain,
    # so no link names it. "asp.net/core" still is one: ".net" is a real TLD, and asp.net is
    # a site, whatever a reader meant by it.
    user = env.user()
    for text in ("/summary vue.js/router", "node.js/express"):
        [reply] = await ask(user, text)
        assert reply.text.startswith(("Summary:", "Nothing found for")), (text, reply.text)
    [link] = await ask(user, "/summary asp.net/core")
    assert link.text == "I have no article with that link."


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
