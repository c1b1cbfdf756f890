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
from bot.search.query import MAX_QUERY_CHARS, Term
from tests.test_search import CORPUS, NOW, FakeStore


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


def test_invalid_filter_values_become_words() -> None:
    parsed = parse_query("since:2024-13-01 before:soon")
    assert parsed.since is None and parsed.before is None
    assert parsed.groups == ((Term("since:2024-13-01"),), (Term("before:soon"),))


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
