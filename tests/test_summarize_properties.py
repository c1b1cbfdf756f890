"""Property tests: any text gives sane summaries without exceptions."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.summarize import one_line, split_sentences, summarize

# Text made of news-like pieces and markup debris, so the rules get exercised, not just noise.
PIECES = st.sampled_from(
    [
        " ",
        "\n",
        "\n\n",
        ". ",
        "? ",
        "! ",
        "...",
        "Mr.",
        "U.S.",
        "3.5",
        "J.",
        "«",
        "»",
        '"',
        "'",
        "**",
        "_",
        "#",
        "- ",
        "[x](http://a.b/c)",
        "<p>",
        "</b>",
        "&amp;",
        "<script>",
        "т.е.",
        "Москва",
        "The",
        "news",
        "é",
        "東京。",
        "مرحبا",
        "\u00a0",
        "\t",
        "`",
        "~~",
        ">",
        "1.",
    ]
)
TEXT = st.one_of(
    st.text(max_size=400), st.lists(PIECES | st.text(max_size=6), max_size=80).map("".join)
)


def _squash(text: str) -> str:
    # Control, format and space characters all count as whitespace to the splitter.
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "CZ")


@settings(max_examples=200, deadline=None)
@given(TEXT, st.integers(min_value=-1, max_value=6))
def test_summarize_never_fails_and_returns_sentences(text: str, n: int) -> None:
    summary = summarize(text, sentences=n)
    assert len(summary) <= max(n, 0)
    sentences = split_sentences(text)
    assert all(s in sentences for s in summary)
    remaining = iter(sentences)  # in article order: a subsequence, repeats included
    assert all(any(s == t for t in remaining) for s in summary)
    assert all(s and s == s.strip() and "\n" not in s for s in summary)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.text(max_size=50))
def test_plain_text_summary_sentences_occur_in_the_input(text: str, title: str) -> None:
    # Without markup (no <, &, brackets or emphasis marks) nothing is rewritten but whitespace.
    text = "".join(ch for ch in text if ch not in "<>&[]()*_~`#->|")
    squashed = _squash(text)
    for sentence in summarize(text, title, sentences=3):
        assert _squash(sentence) in squashed


@settings(max_examples=200, deadline=None)
@given(TEXT, st.text(max_size=80), st.integers(min_value=0, max_value=250))
def test_one_line_fits_the_limit(text: str, title: str, limit: int) -> None:
    line = one_line(text, title, limit)
    assert len(line) <= limit
    assert "\n" not in line


@settings(max_examples=100, deadline=None)
@given(TEXT)
def test_split_is_deterministic_and_clean(text: str) -> None:
    first = split_sentences(text)
    assert split_sentences(text) == first
    assert all(s == s.strip() and s and len(s) <= 600 for s in first)
