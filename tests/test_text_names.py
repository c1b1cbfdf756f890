"""Names and numbers give the same keys whatever the language and script they are written in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text.chinese import gloss, segment
from bot.text.names import NAME, NUMBER, distinct, keys, name_keys, number_keys


@pytest.mark.parametrize(
    ("ours", "lang", "theirs"),
    [
        ("Путин", "ru", "Putin"),
        ("Путина", "ru", "Putin"),
        ("Зеленского", "ru", "Zelensky"),
        ("Москве", "ru", "Moscow"),
        ("Байдена", "ru", "Biden"),
        ("Украина", "ru", "Ukraine"),
        ("Singapura", "ms", "Singapore"),
    ],
)
def test_a_name_has_one_key_across_scripts(ours: str, lang: str, theirs: str) -> None:
    assert set(name_keys(theirs, "en")) <= set(name_keys(ours, lang))
    assert name_keys(theirs, "en") != []


def test_chinese_names_meet_their_english_form_through_cc_cedict() -> None:
    assert "Putin" in gloss("普京")
    assert segment("新加坡总理") == ["新加坡", "总理"]
    assert set(name_keys("俄罗斯总统普京", "zh")) >= set(name_keys("Russia Putin", "en"))


def test_different_names_have_different_keys() -> None:
    assert name_keys("Putin", "en") != name_keys("Biden", "en")
    assert name_keys("Путин", "ru") != name_keys("Трамп", "ru")


def test_stop_words_and_text_in_capitals_are_no_names() -> None:
    assert name_keys("The", "en") == name_keys("Однако", "ru") == []
    assert name_keys("BAHIA COCOA REVIEW", "en") == []
    assert name_keys("US", "en") == [NAME + "us"]
    assert name_keys("Singapore", "en") == [NAME + "sngpr"]


@pytest.mark.parametrize(
    ("text", "lang", "other"),
    [
        ("5 000 человек", "ru", "5,000 people"),
        ("1,5 млрд рублей", "ru", "1.5 billion roubles"),
        ("20 тысяч", "ru", "20 thousand"),
        ("15亿元", "zh", "1.5 billion yuan"),
        ("рост на 1,5%", "ru", "up 1.5%"),
        ("5 мая", "ru", "May 5"),
        ("5月5日", "zh", "5 May"),
        ("pada 19 Sep", "ms", "on Sep 19"),
        # The wire's abbreviations: Reuters' "MLN" and "BLN", the press's "bn".
        ("17,2 млн долларов", "ru", "17.2 mln dlrs"),
        ("продажи выросли до 1,5 млрд долларов", "ru", "SALES ROSE TO 1.5 BLN DLRS"),
        ("1,5 млрд рублей", "ru", "£1.5bn in roubles"),
        ("2 трлн", "ru", "2 trln"),
    ],
)
def test_numbers_and_dates_have_one_key_across_languages(text: str, lang: str, other: str) -> None:
    assert keys(text, lang) == keys(other, "en") != []


def test_months_and_weekdays_are_no_names() -> None:
    # "Record March 31" in one company's notice and another's names no one they share.
    assert name_keys("In March and on Monday the talks went on, as in March.", "en") == []
    assert name_keys("Pada Isnin dan Khamis lagi.", "ms") == []
    # Short month names too: "Pay Dec 15 / Record Nov 13" is a notice's dates, no one's name.
    assert name_keys("Pay Dec 15\n Record Nov 13\n Paid Nov 30", "en") == []
    assert name_keys("Putin met Biden in May; Putin left.", "en") == name_keys(
        "Putin Biden Putin", "en"
    )


def test_a_word_that_only_opens_sentences_is_no_name() -> None:
    body = "Officials met on Monday. Putin spoke first. Later Putin left."
    assert name_keys(body, "en") == name_keys("Monday Putin Putin", "en")
    assert name_keys("Officials say Putin", "en") == name_keys("Officials Putin", "en")


def test_a_year_after_a_day_is_no_thousands_group() -> None:
    assert number_keys("19 2022") == [NUMBER + "19", NUMBER + "2022"]


@given(st.text(), st.sampled_from(["en", "ru", "ms", "zh", "de", None]))
def test_any_text_gives_prefixed_keys(text: str, lang: str | None) -> None:
    found = keys(text, lang)
    assert all(k[0] in (NAME, NUMBER) and len(k) > 1 for k in found)
    assert found == keys(text, lang)


@given(st.text(alphabet=st.characters(min_codepoint=0x430, max_codepoint=0x44F), min_size=3))
def test_a_russian_word_and_its_ё_spelling_share_a_key(word: str) -> None:
    name = word.capitalize()
    assert name_keys(name, "ru") == name_keys(name.replace("е", "ё"), "ru")


def test_a_names_two_skeletons_count_once() -> None:
    assert len(name_keys("Election", "en")) == 2
    assert distinct(name_keys("Election", "en")) == 1
    assert distinct(name_keys("Election Putin", "en") + number_keys("5,000")) == 3
