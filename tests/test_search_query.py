"""The query language parser, and property tests: no query text can make search fail."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.search import SearchResult, SearchService, parse_query
from bot.search.query import MAX_QUERY_CHARS, BadFilter, Term
from tests.searchkit import CORPUS, NOW, FakeStore


def test_words_are_and_groups() -> None:
    parsed = parse_query("oil prices")
    assert parsed.groups == ((Term("oil"),), (Term("prices"),))
    assert parsed.prefix


def test_trailing_space_ends_the_last_word() -> None:
    assert not parse_query("oil prices ").prefix


def test_phrase_exclusion_or_and_filters() -> None:
    parsed = parse_query(
        '"crude oil" -opec -"cold war" wheat OR gold source:"bbc news" '
        "since:2024-01-02 before:2024-02-03"
    )
    assert parsed.groups == (
        (Term("crude oil", phrase=True),),
        (Term("wheat"), Term("gold")),
    )
    assert parsed.excluded == (Term("opec"), Term("cold war", phrase=True))
    assert parsed.sources == ("bbc news",)
    assert parsed.since == date(2024, 1, 2)
    assert parsed.before == date(2024, 2, 3)
    assert not parsed.prefix


def test_filter_values_not_understood_are_reported_not_searched() -> None:
    parsed = parse_query('oil since:2024-13-01 before:soon lang:english source: source:""')
    assert parsed.since is None and parsed.before is None and not parsed.langs
    assert parsed.groups == ((Term("oil"),),)
    assert parsed.bad_filters == (
        BadFilter("since", "2024-13-01"),
        BadFilter("before", "soon"),
        BadFilter("lang", "english"),
        BadFilter("source", ""),
        BadFilter("source", ""),
    )
    assert not parse_query("since:2024-01-02 lang:ru source:bbc").bad_filters


# Without quotes: `since:"` (or `since:«`) opens a quoted value that runs to the end, as any
# quote does.
FILTER_VALUES = st.text(
    alphabet=st.characters(blacklist_categories=("Z", "C"), blacklist_characters='"“”„‟«»'),
    max_size=12,
)


@given(st.sampled_from(["since", "before", "lang", "source"]), FILTER_VALUES, st.booleans())
def test_a_filter_is_applied_or_reported_never_searched(key: str, value: str, quoted: bool) -> None:
    typed = f'{key}:"{value}"' if quoted else f"{key}:{value}"
    parsed = parse_query(f"oil {typed} gas")
    assert parsed.groups[0] == (Term("oil"),) and parsed.groups[-1][-1] == Term("gas")
    assert not any(key in t.text for g in parsed.groups for t in g)
    applied = parsed.sources or parsed.langs or parsed.since or parsed.before
    assert bool(applied) != bool(parsed.bad_filters)


def test_html_tags_are_not_words() -> None:
    assert parse_query("<b>oil</b> & gas").groups == parse_query("oil & gas").groups
    parsed = parse_query('2 <i>gold</i> <a href="https://x.org/a b">"crude oil"</a>')
    assert parsed.groups == ((Term("2"),), (Term("gold"),), (Term("crude oil", phrase=True),))
    assert not parse_query("gold</i>").prefix  # the tag ended the word
    excluded = parse_query("oil -<b>opec</b>")  # the minus still excludes the tagged word
    assert excluded.groups == ((Term("oil"),),) and excluded.excluded == (Term("opec"),)


def test_tickers_and_comparisons_in_angle_brackets_stay_words() -> None:
    assert parse_query("GE <GE>").groups == ((Term("GE"),), (Term("<GE>"),))
    assert parse_query("a<b 3>2").groups == ((Term("a<b"),), (Term("3>2"),))


TAGS = st.sampled_from(["<b>", "</b>", "<i>", "</i>", "<br/>", '<a href="x">', "</a>", "<code>"])
# Few enough that the tagged query fits MAX_QUERY_CHARS (a cut tag is text, not a tag).
PLAIN_WORDS = st.lists(
    st.sampled_from(["oil", "gas", "OR", "-opec", '"crude oil"', "ёлка"]), max_size=6
)


@given(PLAIN_WORDS, st.lists(TAGS, min_size=1))
def test_tags_around_words_change_nothing(words: list[str], tags: list[str]) -> None:
    plain = " ".join(words) + " "
    around = [tags[i % len(tags)] + w + tags[-1 - i % len(tags)] for i, w in enumerate(words)]
    tagged = " ".join([*around, tags[0]]) + " "
    assert parse_query(tagged).groups == parse_query(plain).groups
    assert parse_query(tagged).excluded == parse_query(plain).excluded


def test_dangling_operators_are_harmless() -> None:
    assert parse_query("OR OR").groups == ()
    assert parse_query('"').groups == ()
    assert parse_query("- -").groups == ((Term("-"),), (Term("-"),))
    assert parse_query("oil OR").groups == ((Term("oil"),),)


def test_unclosed_quote_runs_to_the_end() -> None:
    assert parse_query('"crude oil').groups == ((Term("crude oil", phrase=True),),)


def test_render_swaps_words() -> None:
    parsed = parse_query("goverment -war source:bbc")
    assert parsed.render({"goverment": "government"}) == "government -war source:bbc"


def test_queries_are_cut() -> None:
    assert len(parse_query("x" * 1000).text) == MAX_QUERY_CHARS


@given(st.text(max_size=400))
def test_parse_never_raises(text: str) -> None:
    parsed = parse_query(text)
    assert len(parsed.text) <= MAX_QUERY_CHARS


@pytest.fixture(scope="module")
def shared_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchService]:
    svc = SearchService(
        FakeStore(list(CORPUS)), Path(tmp_path_factory.mktemp("idx")), clock=lambda: NOW
    )
    svc.initialize()
    yield svc
    svc.shutdown()


# Metacharacters of tantivy's query syntax, regexes and HTML, plus words of both scripts.
WORDS = ["AND", "OR", "NOT", "TO", "source:", "since:", "before:", "oil", "ёлка", "выборы"]
WORDS += ["prices", "goverment", "\x00", "\u200b", " ", "e\u0301", "1987-03-01"]
NASTY = st.sampled_from([*"+-&|!(){}[]^\"~*?:\\/<>.'`$#@%=,;", *WORDS])
QUERIES = st.one_of(st.text(max_size=300), st.lists(NASTY, max_size=40).map("".join))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    QUERIES,
    st.integers(-5, 200),
    st.integers(-5, 20_000),
    st.sampled_from(["relevance", "date", "?"]),
)
def test_search_never_raises(
    shared_service: SearchService,
    caplog: pytest.LogCaptureFixture,
    query: str,
    limit: int,
    offset: int,
    sort: str,
) -> None:
    result = shared_service.search(query, limit=limit, offset=offset, sort=sort)
    # search() logs and swallows internal errors; none may happen at all
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert isinstance(result, SearchResult)
    assert len(result.hits) <= max(0, limit)
    assert len(result.query) <= MAX_QUERY_CHARS
    for hit in result.hits:
        assert "<script" not in hit.snippet


def test_a_bad_filter_searches_nothing_and_says_which(shared_service: SearchService) -> None:
    result = shared_service.search("oil since:garbage")
    assert (result.total, result.hits, result.relaxed) == (0, [], False)
    assert result.bad_filters == (BadFilter("since", "garbage"),)
    assert shared_service.search("oil since:2000-01-01").total > 0


def test_only_stop_words_search_nothing_and_say_so(shared_service: SearchService) -> None:
    # "and" is completed only when typed alone (it may be the start of a word there).
    for query in ("the of and", "and the", "the -"):
        result = shared_service.search(query)
        assert (result.total, result.only_common_words) == (0, True), query
    assert not shared_service.search("oil and").only_common_words
    assert shared_service.search("oil and").total == shared_service.search("oil").total


def test_typographic_quotes_quote_a_phrase_as_straight_ones_do() -> None:
    # Phones and Russian headlines write “…”, «…», „…“: they were letters of the words, so
    # -“premier league” left out "premier" and asked for "league”", the opposite of the ask.
    straight = parse_query('"joint military" -"premier league" source:"bbc news"')
    for typed in (
        "“joint military” -“premier league” source:“bbc news”",
        "«joint military» -«premier league» source:«bbc news»",
        "„joint military“ -„premier league“ source:„bbc news“",
    ):
        parsed = parse_query(typed)
        assert parsed.text == typed  # shown back as typed
        assert (parsed.groups, parsed.excluded, parsed.sources) == (
            straight.groups,
            straight.excluded,
            straight.sources,
        ), typed
    assert parse_query("navy’s").groups == parse_query("navy").groups  # an apostrophe stays one
