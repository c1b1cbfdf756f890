"""The grounding check: a model's sentence stands only on numbers, dates, names and words its
cited articles hold, across scripts."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.briefs.grounding import evidence, ground, names_of, unsupported
from bot.models import Article
from bot.text.names import number_keys

WHEN = datetime(2022, 9, 22, 8, tzinfo=UTC)


def article(title: str, body: str, lang: str = "en") -> Article:
    return Article(
        id=title[:8],
        title=title,
        body=body,
        published=WHEN,
        added=WHEN,
        lang=lang,
        url=f"https://news.example/{abs(hash(title))}",
    )


PUTIN = article(
    "Putin orders partial mobilisation of 300,000 reservists",
    "Russian President Vladimir Putin on Wednesday ordered the mobilisation of 300,000 "
    "reservists. Police detained more than 1,300 protesters in 38 cities, OVD-Info said.",
)
FOUND = evidence([PUTIN])


def test_a_sentence_the_article_holds_stands() -> None:
    sentence = "Vladimir Putin ordered the mobilisation of 300,000 reservists on September 21."
    assert unsupported(sentence, "en", FOUND) == ""


def test_an_invented_number_is_named() -> None:
    sentence = "Vladimir Putin ordered the mobilisation of 500,000 reservists."
    assert unsupported(sentence, "en", FOUND) == "number 500000"


def test_a_swapped_name_is_named() -> None:
    sentence = "Vladimir Zelensky ordered the mobilisation of 300,000 reservists."
    assert unsupported(sentence, "en", FOUND) == "name Zelensky"


def test_a_name_as_first_word_is_checked_and_an_opener_is_not() -> None:
    assert unsupported("Zelensky ordered the mobilisation of reservists.", "en", FOUND)
    assert not unsupported("However, Putin ordered the mobilisation of reservists.", "en", FOUND)


def test_a_date_not_near_the_report_is_refused() -> None:
    assert not unsupported("Police detained protesters on September 21.", "en", FOUND)
    assert unsupported("Police detained protesters on October 21.", "en", FOUND) == "date"


def test_a_sentence_of_other_words_is_refused() -> None:
    sentence = "The central bank raised interest rates amid soaring inflation and weak growth."
    assert unsupported(sentence, "en", FOUND).startswith("words")


def test_a_russian_sentence_stands_on_english_names_and_numbers() -> None:
    sentence = "Владимир Путин объявил мобилизацию 300 тысяч резервистов."
    assert unsupported(sentence, "ru", FOUND) == ""
    assert unsupported("Владимир Зеленский объявил мобилизацию.", "ru", FOUND).startswith("name")
    # "500 тысяч" is read as the one number 500,000, as the articles' "300,000" is.
    assert unsupported("Путин объявил мобилизацию 500 тысяч человек.", "ru", FOUND) == (
        "number 500000"
    )


def test_inflected_russian_names_match_their_english_spelling() -> None:
    singapore = evidence([article("Singapore court", "A court in Singapore ruled on Thursday.")])
    assert unsupported("Суд в Сингапуре вынес решение.", "ru", singapore) == ""


def test_one_digit_numbers_are_checked_too() -> None:
    assert number_keys("4 hours", shortest=1) == ["#4"] and number_keys("4 hours") == []
    assert unsupported("Putin ordered 4 reservists to Moscow.", "en", FOUND) == "number 4"


def test_the_day_of_a_date_is_checked_as_the_date() -> None:
    assert unsupported("Putin gave the order on September 19.", "en", FOUND) == ""  # 2 days before
    assert unsupported("Putin gave the order on September 12.", "en", FOUND) == "date"


def test_possessives_are_cut_and_short_names_match_exactly() -> None:
    assert names_of("Kwon Goh's lawyer met Mr Zhang.") == ["Kwon", "Goh", "Zhang"]
    joe = evidence([article("Biden speaks", "President Joe Biden spoke.")])
    assert unsupported("President Joe Biden spoke.", "en", joe) == ""
    assert unsupported("President Jay Biden spoke.", "en", joe) == "name Jay"


@given(st.text(max_size=200))
def test_any_sentence_gets_an_answer(sentence: str) -> None:
    assert isinstance(unsupported(sentence, "en", FOUND), str)
    assert isinstance(unsupported(sentence, "ru", FOUND), str)


@given(st.sampled_from(PUTIN.body.split(". ")))
def test_the_articles_own_sentences_stand(sentence: str) -> None:
    assert unsupported(sentence, "en", FOUND) == ""


def test_only_a_sentence_left_in_its_articles_language_is_dropped_for_it() -> None:
    kyiv = [
        article("Байден в Киеве", "Байден встретился с Зеленским в Киеве в среду.", "ru"),
        article(
            "Визит Байдена", "Президент США Байден прибыл в Киев и встретился с Зеленским.", "ru"
        ),
    ]
    # A short English sentence of names that py3langid reads as Dutch stays in an English brief.
    answer = (
        "Biden met Zelensky in Kyiv [1]. Biden arrived in Kyiv and met with Zelensky there [2]."
    )
    brief, notes = ground(answer, kyiv, "en")
    assert brief is not None and len(brief.sentences) == 2, notes
    # A Russian sentence left among them, in the articles' own language, is dropped.
    brief, notes = ground(f"{answer} Байден встретился с Зеленским в Киеве [1].", kyiv, "en")
    assert brief is not None and len(brief.sentences) == 2, notes
    assert "sentence dropped: written in ru, not en" in notes
