"""One analysis per language: search (tantivy) and summaries (PyStemmer) stem alike; lang: filter."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from stop_words import get_stop_words

from bot.search import SearchService
from bot.search.analysis import stemming_analyzer
from bot.search.query import Term, parse_query
from bot.text.analysis import (
    LANGUAGES,
    MAX_TOKEN_CHARS,
    REPORTING_WORDS,
    _marks,
    analyzer,
    fold,
    stop_words,
    tokens,
    words,
)
from bot.text.analysis import fold_yo as index_fold
from bot.text.lang import detect_language
from tests.searchkit import FakeStore, art, ids

# Inflected news words of each language with a Snowball stemmer (accents and capitals kept:
# both sides must fold them the same way).
WORDS = {
    "ar": "الحكومة الانتخابات والرئيس المدارس",
    "da": "regeringen valgene præsidenten skolerne",
    "de": "Bundesregierung Wahlen Präsidenten Häuser Straße beschlossen",
    "el": "κυβέρνηση εκλογές προέδρου σχολεία",
    "en": "governments elections presidential running cafés",
    "es": "gobiernos elecciones presidenciales niños",
    "fi": "hallitukset vaaleissa presidentin kouluissa",
    "fr": "gouvernements élections présidentielles écoles",
    "hu": "kormányok választások elnöknek iskolákban",
    "it": "governi elezioni presidenziali scuole",
    "nl": "regeringen verkiezingen presidenten scholen",
    "no": "regjeringen valgene presidenten skolene",
    "pt": "governos eleições presidenciais escolas coração",
    "ro": "guvernele alegerile președintelui școlile",
    "ru": "правительства выборах президентом ёлки iPhones",
    "sv": "regeringarna valen presidenten skolorna",
    "ta": "அரசாங்கம் தேர்தல்கள் ஜனாதிபதி பள்ளிகள்",
    "tr": "hükümetler seçimlerde cumhurbaşkanı okullarda",
}


CYRILLIC = st.characters(min_codepoint=0x400, max_codepoint=0x45F)


def test_every_stemmed_language_has_words() -> None:
    assert set(WORDS) == set(LANGUAGES)


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_search_and_summaries_stem_alike(lang: str) -> None:
    index_side = stemming_analyzer(lang)
    summary_side = analyzer(lang)
    for word in WORDS[lang].split():
        indexed = index_side.analyze(word)
        assert indexed, word
        assert [fold(summary_side.stem(t)) for t in tokens(word)] == indexed, word


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x17F) | CYRILLIC))
def test_free_latin_and_cyrillic_text_stems_alike(text: str) -> None:
    for lang in ("en", "ru", "de", "pt"):
        index_side = stemming_analyzer(lang).analyze(index_fold(text))
        summary_side = analyzer(lang)
        ours = [fold(summary_side.stem(t)) for t in tokens(text)]
        # The index also drops its stop words; every other token must agree, in order.
        kept = [
            s for s, t in zip(ours, tokens(text), strict=True) if stemming_analyzer(lang).analyze(t)
        ]
        assert kept == index_side


def test_summaries_skip_each_languages_stop_words() -> None:
    assert analyzer("de").terms("Die Regierung und der Präsident") == ["regier", "prasident"]
    assert analyzer("en").terms("The minister said the ministers resigned") == [
        "minist",
        "minist",
        "resign",
    ]
    assert analyzer("pt").terms("O governo e os presidentes") == ["govern", "president"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Die Bundesregierung hat am Mittwoch neue Regeln für Mieter beschlossen.", "de"),
        ("O governo anunciou nesta quarta-feira novas medidas para os inquilinos.", "pt"),
        ("Правительство в среду объявило о новых мерах поддержки.", "ru"),
        ("The government announced new support for tenants on Wednesday.", "en"),
        ("Привет", "ru"),
        ("", "en"),
    ],
)
def test_language_is_detected(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_the_slimmed_identifier_scores_like_the_librarys_own_subset() -> None:
    """Ours is built from the wanted languages' weights only; set_languages keeps them all."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

    from bot.text.lang import UNSTEMMED, _identifier

    library = LanguageIdentifier.from_model_file(MODEL_FILE)
    library.set_languages([*LANGUAGES, *UNSTEMMED])
    ours = _identifier()
    assert ours.nb_ptc.shape[1] == len(ours.nb_classes) < library._full_model[0].shape[1]
    samples = [*WORDS.values(), "Україна та Польща підписали угоду", "東京で地震が発生した"]
    assert [ours.rank(t)[:3] for t in samples] == [library.rank(t)[:3] for t in samples]


def test_german_and_portuguese_news_are_stemmed_in_their_language(tmp_path: Path) -> None:
    de = replace(art("de", "Neue Häuser", "Die Stadt baut neue Wohnungen."), lang="de")
    pt = replace(art("pt", "Eleições", "Os governos preparam as eleições nas escolas."), lang="pt")
    en = art("en", "Housing", "The city builds new homes.")
    svc = SearchService(FakeStore([de, pt, en]), tmp_path / "i")
    svc.initialize()
    assert ids(svc, "haus ") == ["de"]  # Häuser → haus, only by the German stemmer
    assert ids(svc, "wohnung ") == ["de"]
    assert ids(svc, "governo ") == ["pt"]
    assert ids(svc, "escola ") == ["pt"]


def test_lang_filter_keeps_one_language(tmp_path: Path) -> None:
    de = replace(art("de", "Präsident gewählt", "Der Präsident wurde gewählt."), lang="de")
    ru = art("ru", "Президент избран", "Президент избран на второй срок.")
    en = art("en", "President elected", "The president was elected again.")
    svc = SearchService(FakeStore([de, ru, en]), tmp_path / "i")
    svc.initialize()
    assert sorted(ids(svc, "lang:ru")) == ["ru"]
    assert ids(svc, "president lang:en") == ["en"]
    assert sorted(ids(svc, "lang:de lang:ru")) == ["de", "ru"]  # any of the languages named
    assert ids(svc, "lang:de lang:en president ") == ["en"]


def test_lang_filter_parses_and_renders() -> None:
    parsed = parse_query("oil lang:RU lang:en lang:toolong")
    assert parsed.langs == ("ru", "en")
    assert parsed.groups == ((Term("oil"),),)
    assert [f.render() for f in parsed.bad_filters] == ["lang:toolong"]  # told, not searched
    assert parse_query("lang:ru oil").render() == "oil lang:ru"


def test_russian_and_english_stop_words_come_from_the_stop_words_package() -> None:
    listed = {fold(w.lower()) for lang in ("en", "ru") for w in get_stop_words(lang)}
    reporting = {fold(w) for words in REPORTING_WORDS.values() for w in words}
    for lang in ("en", "ru"):
        assert listed <= stop_words(lang) <= listed | reporting
    assert analyzer("ru").terms("Он сказал, что это её решение") == ["решен"]
    assert analyzer("ru").terms("Министр заявил о новых санкциях") == ["министр", "нов", "санкц"]


@given(st.text(alphabet=CYRILLIC | st.sampled_from(" ёЁ.,"), max_size=60))
def test_yo_is_read_as_ye_everywhere(text: str) -> None:
    plain = text.replace("ё", "е").replace("Ё", "Е")
    assert tokens(text) == tokens(plain)
    assert analyzer("ru").terms(text) == analyzer("ru").terms(plain)
    assert stemming_analyzer("ru").analyze(index_fold(text)) == stemming_analyzer("ru").analyze(
        index_fold(plain)
    )


def test_chinese_runs_are_cut_into_pairs_and_digits_left_out() -> None:
    assert analyzer("zh").terms("新加坡2022年") == ["新加", "加坡", "年"]


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.characters(exclude_categories=("Cs",)) | st.sampled_from("_ ёЁ-\u0bbe\u0bcd")
    )
)
@example("snake_case " + "ж" * 25 + " " + "x" * 45 + " _ё_")
def test_words_are_the_runs_of_letters_digits_and_vowel_signs(text: str) -> None:
    """The one-class token pattern splits like the plain definition, underscores included."""
    plain = re.compile(f"(?:[^\\W_]|[{re.escape(_marks())}])+")
    runs = plain.findall(index_fold(text))
    assert words(text) == [w for w in runs if len(w.encode()) < MAX_TOKEN_CHARS]
