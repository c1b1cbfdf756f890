"""Wire datelines and credits are cut from the head of a text; ordinary sentences never are."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text.datelines import strip_dateline, strip_title_credit

BODY = "The central bank raised rates by half a point on Thursday."


@pytest.mark.parametrize(
    "dateline",
    [
        "МОСКВА, 5 мая — РИА Новости. ",
        "МОСКВА, 5 мая. /ТАСС/. ",
        "WASHINGTON (AP) — ",
        "LONDON (Reuters) - ",
        "LONDON, Sept 19 (Reuters) - ",
        "NEW YORK, March 3 -- ",
        "SINGAPORE: ",
        "KUALA LUMPUR: ",
        "NEW YORK : ",
        "BEIJING :     ",
        "SAN JUAN, Puerto Rico - ",
        "IZIUM, Ukraine - ",
        "SAN JUAN, PUERTO RICO – ",
        "KARACHI, Pakistan: ",
        "WASHINGTON, D.C. - ",
        "LONDON, England, Sept 19 (Reuters) - ",
        "SINGAPURA: ",
        "(CNN) — ",
        "AP - ",
    ],
)
def test_datelines_are_cut(dateline: str) -> None:
    assert strip_dateline(dateline + BODY) == BODY


@pytest.mark.parametrize(
    "text",
    [
        "Apple shares rose - a rally followed.",
        "US stocks fell - a rally followed.",
        "Президент России — о переговорах. Дальше текст.",
        "Rates: the bank raised them.",
        "Izium, Ukraine - troops marched in.",
        "NASA said: the launch slipped.",
        "MENTERI Luar, Datuk Seri Saifuddin Abdullah bersama rakan sejawatnya.",
    ],
)
def test_sentences_are_kept(text: str) -> None:
    assert strip_dateline(text) == text


def test_the_sentence_after_a_bracketed_credit_is_kept() -> None:
    assert strip_dateline("WASHINGTON (AP) — President Biden.") == "President Biden."


def test_a_trailing_title_credit_is_cut() -> None:
    assert strip_title_credit("Quake hits Japan (AP)") == "Quake hits Japan"
    assert strip_title_credit("Apple sells 10 (ten) phones") == "Apple sells 10 (ten) phones"


LOWER_FIRST_WORD = st.from_regex(r"\A[A-ZА-Я]?[a-zа-яё]+\Z", fullmatch=True)


@given(LOWER_FIRST_WORD, st.text())
def test_text_whose_first_word_is_not_in_capitals_is_never_cut(word: str, rest: str) -> None:
    text = f"{word}{rest}"
    assert strip_dateline(text) == text


@given(st.sampled_from(["BEIJING", "МОСКВА", "KUALA LUMPUR", "ST. LOUIS"]), st.text(min_size=1))
def test_a_dateline_before_any_text_is_cut_to_that_text(place: str, text: str) -> None:
    body = "Officials " + text
    assert strip_dateline(f"{place} (Reuters) - {body}") == body
    assert strip_dateline(f"{place}: {body}") == body


def test_a_colon_right_after_a_place_and_a_word_is_cut() -> None:
    assert strip_dateline("SINGAPORE :China's coal imports rose.") == "China's coal imports rose."


CAPS_WORD = st.from_regex(r"\A[A-ZА-Я]{2,8}\Z", fullmatch=True)
REGION = st.sampled_from(["Puerto Rico", "Ukraine", "PUERTO RICO", "D.C.", "England"])
SEPARATOR = st.sampled_from([" - ", " – ", " — ", ": ", " : ", " :  "])


@given(st.lists(CAPS_WORD, min_size=1, max_size=3), REGION, SEPARATOR, st.text())
def test_a_place_with_its_region_is_cut(words: list[str], region: str, sep: str, text: str) -> None:
    body = "Officials " + text
    assert strip_dateline(f"{' '.join(words)}, {region}{sep}{body}") == body


@given(CAPS_WORD, LOWER_FIRST_WORD.filter(str.islower), st.text())
def test_capitals_then_an_ordinary_word_are_never_cut(caps: str, word: str, rest: str) -> None:
    # "US stocks fell - a rally followed.": an acronym opening a sentence is no place.
    text = f"{caps} {word}{rest}"
    assert strip_dateline(text) == text


def test_the_clustering_keeps_a_dateline_with_a_region_or_a_colon_set_apart() -> None:
    # The place names what the reports of one event share; a plain dateline still goes.
    fiona = "SAN JUAN, Puerto Rico - Hurricane Fiona hit."
    assert strip_dateline(fiona, keep_region=True) == fiona
    assert strip_dateline("NEW YORK : Stocks fell.", keep_region=True) == "NEW YORK : Stocks fell."
    assert strip_dateline("LONDON (Reuters) - Stocks fell.", keep_region=True) == "Stocks fell."
    assert strip_dateline("SINGAPORE: Stocks fell.", keep_region=True) == "Stocks fell."
