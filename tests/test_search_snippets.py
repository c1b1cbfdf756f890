"""Search snippets: HTML-safe, the best passage, matched and corrected words in bold."""

from __future__ import annotations

import html
import re
from pathlib import Path

from bot.search import SearchService
from tests.searchkit import FakeStore, art


def test_snippet_is_html_safe_with_matches_in_bold(service: SearchService) -> None:
    snippet = service.search("oil spill").hits[0].snippet
    assert "<script" not in snippet and "&lt;script&gt;" in snippet
    assert "&amp;" in snippet
    assert "<b>oil</b>" in snippet and "<b>spill</b>" in snippet
    assert "&lt;b&gt;bold&lt;/b&gt;" in snippet
    assert re.sub(r"</?b>", "", snippet).count("<") == 0


def test_snippet_shows_the_best_passage_of_a_long_body(tmp_path: Path) -> None:
    body = "Filler words here. " * 40 + "The turbine factory closed today. " + "More filler. " * 40
    svc = SearchService(FakeStore([art("long", "News", body)]), tmp_path / "i")
    svc.initialize()
    snippet = svc.search("turbine factory").hits[0].snippet
    assert "<b>turbine</b> <b>factory</b>" in snippet
    visible = html.unescape(re.sub(r"</?b>", "", snippet))
    assert len(visible) <= 205
    assert visible.startswith("…") and visible.endswith("…")


def test_snippet_bolds_the_corrected_word(service: SearchService) -> None:
    assert "<b>government</b>" in service.search("goverment").hits[0].snippet


def test_snippet_of_an_article_without_body_is_its_title(tmp_path: Path) -> None:
    svc = SearchService(FakeStore([art("t", "Quake & <aftershocks>")]), tmp_path / "i")
    svc.initialize()
    assert svc.search("quake").hits[0].snippet == "<b>Quake</b> &amp; &lt;aftershocks&gt;"


def test_accented_words_are_bolded_for_plain_queries(service: SearchService) -> None:
    assert "<b>cafés</b>" in service.search("cafe ").hits[0].snippet
