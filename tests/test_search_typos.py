"""Search forgives typos: corrections, did-you-mean, and unfinished words."""

from __future__ import annotations

from pathlib import Path

from bot.search import SearchService
from bot.search.results import Typo
from bot.search.suggest import correction
from tests.searchkit import NOW, FakeStore, art, ids


def test_typo_one_edit_and_did_you_mean(service: SearchService) -> None:
    result = service.search("goverment budget")
    assert [h.article.id for h in result.hits] == ["gov"]
    assert result.did_you_mean == "government budget"


def test_typo_two_edits_from_eight_letters(service: SearchService) -> None:
    result = service.search("tecnolgy ")
    assert [h.article.id for h in result.hits] == ["tech"]
    assert result.did_you_mean == "technology"


def test_short_words_and_too_many_edits_are_not_forgiven(service: SearchService) -> None:
    assert ids(service, "oik ") == []  # three letters: no edit allowed
    assert ids(service, "whaet ") == ["wheat"]  # a swap is one edit
    assert ids(service, "wjaet ") == []  # two edits in five letters


def test_no_suggestion_when_words_are_known(service: SearchService) -> None:
    assert service.search("oil prices").did_you_mean is None


def test_a_typo_that_is_also_a_word_is_forgiven_when_nothing_else_matches(
    tmp_path: Path,
) -> None:
    others = [art(f"g{i}", f"Government news {i}", "The government said.") for i in range(10)]
    store = FakeStore(
        [
            art("right", "Government budget plan", "The budget."),
            art("typo", "Letter", "A letter to goverment officials."),  # the corpus's own typo
            *others,
        ]
    )
    svc = SearchService(store, tmp_path / "i", clock=lambda: NOW)
    svc.initialize()
    result = svc.search("goverment budget")
    assert [h.article.id for h in result.hits] == ["right"]
    assert result.did_you_mean == "government budget"
    assert not result.relaxed


def test_a_correction_is_another_common_word_not_another_inflection() -> None:
    freq = {"speakers": 800, "sneaker": 600, "speaker": 50, "this": 9000}.get
    stems = {"speakers": "speaker", "this": ""}.get  # "" is what a stop word stems to
    seen = ["speakers", "sneaker", "speaker", "this"]

    def fix(typo: Typo) -> str | None:
        return correction(typo, seen, lambda w: freq(w, 0), lambda w: stems(w, w))

    assert fix(Typo("speaker", "speaker", 1, False, freq=50, stem="speaker")) == "sneaker"
    # a known word is only corrected to a far more common one
    assert fix(Typo("speaker", "speaker", 1, False, freq=100, stem="speaker")) is None
    # never to a stop word
    assert fix(Typo("thys", "thys", 1, False)) is None


def test_russian_typo(service: SearchService) -> None:
    result = service.search("президетна ")
    assert [h.article.id for h in result.hits] == ["ru1"]
    assert result.did_you_mean == "президента"


def test_an_unfinished_word_is_completed_even_when_it_is_some_stem(tmp_path: Path) -> None:
    store = FakeStore(
        [
            art("deficit", "Budget deficit widens", "The deficit grew."),
            art("deficiency", "Vitamin deficiency", "A budget for vitamins."),
        ]
    )
    svc = SearchService(store, tmp_path / "i")
    svc.initialize()
    # "defici" is the stem of "deficiency" but no word: the person is still typing
    assert ids(svc, "budget defici")[0] == "deficit"


def test_a_typo_in_an_unfinished_word(service: SearchService) -> None:
    result = service.search("tecnol")
    assert [h.article.id for h in result.hits] == ["tech"]
    assert result.did_you_mean == "technology"
    assert "<b>Technology</b>" in result.hits[0].snippet


def test_a_stop_word_is_never_a_completion(tmp_path: Path) -> None:
    store = FakeStore(
        [
            art("offer", "Union rejects the pay offer", "Workers said no to their offer."),
            art("theatre", "Theatre reopens in Leeds", "A new season of plays."),
            art("port", "Port reopens after storm", "Ships dock and unload."),
        ]
    )
    svc = SearchService(store, tmp_path / "i")
    svc.initialize()
    # "the", "and", "their" completed "the" and "and" to themselves: every article holding the
    # word, under "Search: the", where stop words are said to be no search.
    assert ids(svc, "and") == [] and svc.search("and").only_common_words
    assert ids(svc, "th") == ["theatre"]
    # Alone, as it is typed (inline mode), it may begin a word; alone in a message sent
    # whole, it is the word: "/search the" listed the theatre.
    assert ids(svc, "the", typing=True) == ["theatre"]
    assert ids(svc, "the") == [] and svc.search("the").only_common_words
    assert ids(svc, "of", typing=True) == ["offer"]
    assert ids(svc, "reopens th") == ["theatre"]  # "the" of "the pay offer" is no completion
