"""Sentence splitting: abbreviations, decimals, initials, quotes, Russian, Markdown, HTML."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.summarize import split_sentences
from bot.summarize.article import shorten
from bot.summarize.sentences import ends_sentence, mark_cut
from bot.text.clean import html_to_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Dr. Jones. They talked.",
            ["Mr. Smith met Dr. Jones.", "They talked."],
        ),
        (
            "The U.S. economy grew 3.5% in Jan. last year. Prices fell.",
            ["The U.S. economy grew 3.5% in Jan. last year.", "Prices fell."],
        ),
        (
            "He moved to the U.S. The next year he left.",
            ["He moved to the U.S.", "The next year he left."],
        ),
        ("J. K. Rowling wrote it. It sold well.", ["J. K. Rowling wrote it.", "It sold well."]),
        (
            "Shares rose 1.25 points to 3,401.7. Bonds fell.",
            ["Shares rose 1.25 points to 3,401.7.", "Bonds fell."],
        ),
        ("See No. 5 on the list. Then go.", ["See No. 5 on the list.", "Then go."]),
        (
            "It starts at 9 a.m. The doors open early.",
            ["It starts at 9 a.m.", "The doors open early."],
        ),
        ("Is it true? Yes! It is.", ["Is it true?", "Yes!", "It is."]),
        ("Prices rose... Then they fell.", ["Prices rose...", "Then they fell."]),
    ],
)
def test_english_abbreviations_numbers_and_initials(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_quotes_stay_with_their_sentence() -> None:
    text = 'He said "Go home." Then he left. "Stop!" he shouted. ‘I won,’ she said.'
    assert split_sentences(text) == [
        'He said "Go home."',
        "Then he left.",
        '"Stop!" he shouted.',
        "‘I won,’ she said.",
    ]


def test_sentences_glued_without_a_space_are_split() -> None:
    text = 'It was a race.Dr Venter won it. "Yes," he said.And he smiled. Visit bbc.co.uk today.'
    assert split_sentences(text) == [
        "It was a race.",
        "Dr Venter won it.",
        '"Yes," he said.',
        "And he smiled.",
        "Visit bbc.co.uk today.",
    ]


def test_russian() -> None:
    text = (
        "Президент А. С. Петров прибыл в Москву в 2020 г. вечером. Он сказал, что рост составил "
        "2,5%, т.е. выше плана. Почему? Потому что экспорт вырос!"
    )
    assert split_sentences(text, "ru") == [
        "Президент А. С. Петров прибыл в Москву в 2020 г. вечером.",
        "Он сказал, что рост составил 2,5%, т.е. выше плана.",
        "Почему?",
        "Потому что экспорт вырос!",
    ]


def test_markdown_remnants_are_removed_and_end_sentences() -> None:
    text = (
        "# Markets rally\n\n"
        "The [central bank](https://example.com/a_(b)) cut **rates** by *half* a point. "
        "Stocks ![chart](img.png)jumped.\n\n"
        "- Oil rose\n"
        "- Gold fell\n\n"
        "> Analysts were __surprised__ by `the move`."
    )
    assert split_sentences(text) == [
        "Markets rally",
        "The central bank cut rates by half a point.",
        "Stocks jumped.",
        "Oil rose",
        "Gold fell",
        "Analysts were surprised by the move.",
    ]


def test_snake_case_and_lone_markers_survive() -> None:
    assert split_sentences("Set max_retries to 3 * 2 now.") == ["Set max_retries to 3 * 2 now."]


def test_html_leftovers_become_plain_text() -> None:
    text = (
        "<p>Profits <b>rose</b> 5%.</p><script>alert('x')</script><p>Costs &amp; taxes fell.</p>"
        "<!-- ad --><br/>If a < b and c > d, fine."
    )
    assert split_sentences(text) == [
        "Profits rose 5%.",
        "Costs & taxes fell.",
        "If a < b and c > d, fine.",
    ]


def test_hard_wrapped_lines_join_within_a_paragraph() -> None:
    text = "The company said\nprofits rose.\nShares\nfell.\n\nNew paragraph here"
    assert split_sentences(text) == [
        "The company said profits rose.",
        "Shares fell.",
        "New paragraph here",
    ]


def test_other_scripts() -> None:
    assert split_sentences("東京は晴れです。明日は雨でしょう！本当？") == [
        "東京は晴れです。",
        "明日は雨でしょう！",
        "本当？",
    ]
    assert split_sentences("هذا نص عربي. وهذه جملة ثانية؟ نعم.") == [
        "هذا نص عربي.",
        "وهذه جملة ثانية؟",
        "نعم.",
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t", "<p></p>", "**", "# \n\n---"])
def test_empty_inputs_give_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


def test_run_on_text_is_cut_into_bounded_pieces() -> None:
    text = "word " * 1000 + "x" * 2000
    pieces = split_sentences(text)
    assert all(0 < len(p) <= 600 for p in pieces)
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Die Wahl findet am 3. Oktober statt. Das sagte der Sprecher.",
            "de",
            ["Die Wahl findet am 3. Oktober statt.", "Das sagte der Sprecher."],
        ),
        (
            "Das gilt z.B. für Mieter, bzw. Eigentümer. Die Regierung will es so.",
            "de",
            ["Das gilt z.B. für Mieter, bzw. Eigentümer.", "Die Regierung will es so."],
        ),
        (
            "Der Minister Dr. Weber trat zurück. Nachfolger ist Herr Nr. 2.",
            "de",
            ["Der Minister Dr. Weber trat zurück.", "Nachfolger ist Herr Nr. 2."],
        ),
        (
            "A Sra. Silva disse: «Vamos votar.» O governo respondeu.",
            "pt",
            ["A Sra. Silva disse: «Vamos votar.»", "O governo respondeu."],
        ),
        (
            "Il a été élu en 2021. Le gouvernement a réagi.",
            "fr",
            ["Il a été élu en 2021.", "Le gouvernement a réagi."],
        ),
        (
            "А. С. Пушкин родился в Москве. «Это правда», — сказал он. Все согласились.",
            "ru",
            ["А. С. Пушкин родился в Москве.", "«Это правда», — сказал он.", "Все согласились."],
        ),
        (
            "He was born on 3. He left.",
            "en",
            ["He was born on 3.", "He left."],
        ),
    ],
)
def test_sentences_per_language(text: str, lang: str, expected: list[str]) -> None:
    assert split_sentences(text, lang) == expected


@pytest.mark.parametrize("text", ["&#1", "a &#x1; b", "&#xD800;x", "<p>&#0;</p>", "&#99999999999;"])
def test_character_references_xml_cannot_hold_become_spaces(text: str) -> None:
    # Found by the summary property test: libxml2 decoded "&#1" into a control character.
    assert all(ord(c) >= 0x20 or c in "\n\t" for c in html_to_text(text))
    assert html_to_text("&#65;&#x42;") == "AB"


_PIECES = st.sampled_from(
    [
        "Mr. Smith left.",
        "U.S. shares rose 3.5%.",
        "Bonds fell!",
        "\n\n# Heading\n",
        "- item\n",
        "<p>HTML here.</p>",
        "Он ушёл.",
        "Why?",
        " and ",
        "3. Oktober",
        "x" * 700,
        "“Quoted.” ",
        "…",
    ]
)


@given(st.lists(_PIECES, max_size=30), st.integers(min_value=0, max_value=8))
def test_a_limit_returns_the_first_sentences_of_the_whole_split(pieces: list[str], n: int) -> None:
    text = " ".join(pieces)
    for lang in (None, "de"):
        assert split_sentences(text, lang, n) == split_sentences(text, lang)[:n]


@pytest.mark.parametrize(
    ("text", "ended"),
    [
        ("The deal was approved.", True),
        ("„Wir stimmen zu.“", True),  # a German closing quote after the stop
        ("هل يوافقون على الاتفاق؟", True),
        ("新航取消惯例。", True),
        ("which could halt, or at least", False),
        ("Shr 28 cts vs 22 cts", False),
    ],
)
def test_a_sentence_end_is_told_in_any_script(text: str, ended: bool) -> None:
    assert ends_sentence(text) is ended


def test_a_sentence_marked_as_cut_is_not_cut_twice() -> None:
    """A first sentence ending in "…" and a second too long to show: one ellipsis."""
    text = "a" * 200 + "… " + "b" * 400
    assert shorten(text, 320) == "a" * 200 + "…"


def test_only_a_text_stopping_mid_sentence_is_marked_as_cut() -> None:
    lead = ["The deal was approved.", "The deal with the pilots could halt, or at least,"]
    assert mark_cut(lead, whole=True) == [
        lead[0],
        "The deal with the pilots could halt, or at least…",
    ]
    assert mark_cut(lead, whole=False) == lead  # the text goes on after them
    credit = ["The deal was approved.", "(Editing by Jane Doe)"]
    assert mark_cut(credit, whole=True) == credit  # a credit line ends in no stop, uncut
    assert mark_cut([], whole=True) == []
    assert mark_cut(["Fire at the port"], whole=True) == ["Fire at the port"]  # a bare headline


@given(st.lists(st.text(min_size=1, max_size=40), max_size=4))
def test_marking_as_cut_changes_at_most_the_last_sentence_once(sentences: list[str]) -> None:
    marked = mark_cut(sentences, whole=True)
    assert marked[:-1] == sentences[:-1] and len(marked) == len(sentences)
    assert mark_cut(marked, whole=True) == marked
