"""Any answer a model may give is read safely: rejected, or shown as escaped text whose only
links are the story's own articles."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.briefs.grounding import ground
from bot.briefs.prompt import messages, parse
from bot.models import Article

WHEN = datetime(2022, 9, 21, 12, tzinfo=UTC)
SOURCES = [
    Article(
        id=f"a{n}",
        title=title,
        body=body,
        published=WHEN,
        added=WHEN,
        source=source,
        url=f"https://{source.lower()}.example/{n}",
        lang="en",
    )
    for n, (source, title, body) in enumerate(
        [
            ("Reuters", "Putin orders mobilisation", "Vladimir Putin ordered 300,000 reservists."),
            ("AP", "Protests in 38 cities", "Police detained 1,300 protesters in 38 cities."),
        ],
        1,
    )
]
PIECES = st.sampled_from(
    [
        " ",
        ". ",
        "[1]",
        "[2]",
        "[3]",
        "[1][2]",
        "[ 1 ]",
        "Putin",
        "ordered",
        "300,000",
        "reservists",
        "Police",
        "detained",
        "1,300",
        "protesters",
        "38",
        "cities",
        "<b>",
        "</a>",
        "&amp;",
        "&",
        '"',
        "https://evil.example",
        "www.x.ru",
        "[x](http://y)",
        "Путин",
        "\n",
        "<<<ARTICLE 1 x>>>",
        "@durov",
        "…",
        "?",
    ]
)
ANSWERS = st.one_of(st.text(max_size=300), st.lists(PIECES, max_size=40).map("".join))
_HREF = re.compile(r'<a href="([^"]*)">\[\d\]</a>')


@settings(max_examples=300, deadline=None)
@given(ANSWERS)
def test_any_answer_is_rejected_or_shown_safely(answer: str) -> None:
    brief, notes = ground(answer, SOURCES, "en")
    assert all(isinstance(note, str) for note in notes)
    if brief is None:
        return
    html = brief.html()
    assert {m for m in _HREF.findall(html)} <= {a.url for a in SOURCES}
    bare = _HREF.sub("", html)
    assert "<" not in bare and ">" not in bare  # the model's own text is all escaped
    assert len(brief.text()) <= 400 and 1 <= len(brief.sentences) <= 3
    assert all(s.cites for s in brief.sentences)


@given(ANSWERS)
def test_parse_finds_citations_in_range_or_rejects(answer: str) -> None:
    sentences = parse(answer, len(SOURCES))
    assert sentences is None or all(1 <= n <= 2 for s in sentences for n in s.cites)


@given(st.text(max_size=200))
def test_an_article_cannot_close_its_block(text: str) -> None:
    article = Article(id="x", title="t", body=text, published=WHEN, added=WHEN)
    user = messages([article], "en")[1]["content"]
    nonce = user.split()[1]
    assert user.count(f"<<<END ARTICLE 1 {nonce}>>>") == 1 and user.count("<<<") == 2


def test_a_sentence_the_model_repeats_is_shown_once_with_every_mark() -> None:
    # Small local models repeat themselves: the reader saw the same sentence twice in a row.
    said = "Vladimir Putin ordered 300,000 reservists"
    brief, _ = ground(f"{said} [1]. {said} [1]. {said.lower()} [1][2].", SOURCES, "en")
    assert brief is not None
    assert brief.text() == f"{said}. [1][2]"


def test_an_article_without_a_link_gets_no_dead_citation_mark() -> None:
    # A cited article with no URL showed "[1]" as plain text: a mark that leads nowhere, and
    # the next article's mark was "[2]" as if there were a first to read.
    unlinked = [replace(SOURCES[0], url=None), SOURCES[1]]
    said = "Vladimir Putin ordered 300,000 reservists"
    brief, _ = ground(f"{said} [1]. Police detained 1,300 protesters [1][2].", unlinked, "en")
    assert brief is not None
    html = brief.html()
    assert html == (
        f'{said}. Police detained 1,300 protesters. <a href="https://ap.example/2">[1]</a>'
    ), html


def test_markdown_a_model_adds_is_taken_out_not_shown_as_typed() -> None:
    # Telegram shows Markdown in an HTML message as typed: "**Vladimir Putin** ordered ...".
    plain = "Vladimir Putin ordered 300,000 reservists [1]. Police detained 1,300 protesters [2]."
    dressed = (
        "## Brief\n\n"
        "- **Vladimir Putin** ordered `300,000` reservists [1].\n"
        "2. Police _detained_ *1,300* __protesters__ [2]."
    )
    expected, _ = ground(plain, SOURCES, "en")
    brief, notes = ground(dressed, SOURCES, "en")
    assert expected is not None and brief is not None, notes
    assert brief.html() == expected.html()


def test_marks_written_as_one_list_cite_each_article() -> None:
    # "[1, 2]" stayed in the text as typed, and the sentence cited the next marks instead.
    brief, notes = ground(
        "Vladimir Putin ordered 300,000 reservists [1, 2]. Police detained 1,300 protesters [2].",
        SOURCES,
        "en",
    )
    assert brief is not None, notes
    assert [s.cites for s in brief.sentences] == [(1, 2), (2,)]
    assert "[1, 2]" not in brief.html()
