"""SearchService over a small fixture corpus: every query feature and the ranking."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.search import SearchService
from tests.searchkit import NOW, FakeStore, art, ids


def test_all_words_must_match(service: SearchService) -> None:
    found = ids(service, "oil prices ")
    assert set(found) == {"oil1", "oil2"}
    assert not service.search("oil prices ").relaxed


def test_title_match_ranks_above_body_match(service: SearchService) -> None:
    assert ids(service, "opec ")[0] == "opec"


def test_exact_phrase(service: SearchService) -> None:
    assert ids(service, '"crude oil"') == ["oil1"]
    assert ids(service, '"oil crude"') == []


def test_excluded_word_and_phrase(service: SearchService) -> None:
    assert "oil1" not in ids(service, "oil -opec")
    assert "oil2" in ids(service, "oil -opec")
    assert "old" not in ids(service, 'war -"cold war"')


def test_or(service: SearchService) -> None:
    assert set(ids(service, "wheat OR gold")) == {"wheat", "gold"}
    assert set(ids(service, "record wheat OR gold")) == {"wheat", "gold"}


def test_source_filter(service: SearchService) -> None:
    assert set(ids(service, "source:bbc")) == {"cafe", "film"}
    assert ids(service, 'source:"bbc news" film') == ["film"]
    assert ids(service, "source:reuters film") == []


def test_date_filters(service: SearchService) -> None:
    recent = (NOW - timedelta(days=10)).date().isoformat()
    assert ids(service, f"oil since:{recent}") == ["oil1"]
    assert "oil1" not in ids(service, f"oil before:{recent}")
    assert "oil2" in ids(service, f"oil before:{recent}")


def test_bad_date_is_reported_not_searched(service: SearchService) -> None:
    result = service.search("since:yesterday oil")
    # Searched as words, "since" and "yesterday" relaxed the query into any oil story: the
    # reader asked for a date and got no word that it was ignored.
    assert (result.total, result.relaxed, result.hits) == (0, False, [])
    assert [f.render() for f in result.bad_filters] == ["since:yesterday"]


def test_prefix_of_last_word(service: SearchService) -> None:
    assert ids(service, "electi") == ["elec"]
    assert ids(service, "techn") == ["tech"]
    assert "oil1" in ids(service, "crude pri")
    # a finished word (trailing space) is not completed
    assert ids(service, "electi ") == []


def test_relaxed_when_no_article_has_every_word(service: SearchService) -> None:
    result = service.search("wheat zebra ")
    assert result.relaxed
    assert [h.article.id for h in result.hits] == ["wheat"]


def test_nothing_found(service: SearchService) -> None:
    result = service.search("zzzz qqqq")
    assert (result.hits, result.total, result.relaxed) == ([], 0, False)


def test_stop_words_alone_find_nothing_and_are_ignored_otherwise(service: SearchService) -> None:
    assert service.search("the ").hits == []
    assert ids(service, "the election ") == ids(service, "election ")


def test_case_and_accent_folding(service: SearchService) -> None:
    assert ids(service, "CAFE ") == ["cafe"]
    assert ids(service, "cafés ") == ["cafe"]


def test_russian_stemming(service: SearchService) -> None:
    assert ids(service, "выбор ") == ["ru1"]
    assert ids(service, "выборов президентом ") == ["ru1"]


def test_yo_and_ye_are_the_same_letter(service: SearchService) -> None:
    assert ids(service, "елка ") == ["ru2"]
    assert ids(service, "ёлку ") == ["ru2"]
    assert ids(service, "ЕЛКА ") == ["ru2"]


def test_recency_breaks_ties(tmp_path: Path) -> None:
    same = "Flood warning issued"
    store = FakeStore([art("older", same, days_ago=300), art("newer", same, days_ago=1)])
    svc = SearchService(store, tmp_path / "i", clock=lambda: NOW)
    svc.initialize()
    result = svc.search("flood warning")
    assert [h.article.id for h in result.hits] == ["newer", "older"]
    assert result.hits[0].score > result.hits[1].score


def test_recency_boost_is_mild(tmp_path: Path) -> None:
    store = FakeStore(
        [
            art("strong", "Flood flood flood warning", days_ago=3000),
            art("fresh", "Warning", "A flood.", days_ago=0),
        ]
    )
    svc = SearchService(store, tmp_path / "i", clock=lambda: NOW)
    svc.initialize()
    assert ids(svc, "flood ")[0] == "strong"


def test_sort_by_date(service: SearchService) -> None:
    found = service.search("oil ", sort="date").hits
    dates = [h.article.published for h in found]
    assert dates == sorted(dates, reverse=True)
    assert found[0].article.id == "oil1"


def test_paging(service: SearchService) -> None:
    everything = ids(service, "oil ", limit=10)
    assert len(everything) >= 4
    assert ids(service, "oil ", limit=2) + ids(service, "oil ", limit=2, offset=2) == everything[:4]
    assert service.search("oil ", limit=1).total == len(everything)


def test_long_queries_are_cut(service: SearchService) -> None:
    result = service.search("oil " * 200)
    assert len(result.query) == 256
    assert result.hits


def test_english_words_in_russian_news_are_stemmed_too(tmp_path: Path) -> None:
    article = art("ru", "Новые смартфоны", "Компания Apple представила новые iPhones и планшеты.")
    assert article.lang == "ru"
    svc = SearchService(FakeStore([article]), tmp_path / "i")
    svc.initialize()
    assert ids(svc, "iphone ") == ["ru"]
    assert ids(svc, "смартфон ") == ["ru"]
    assert ids(svc, '"представила новые"') == ["ru"]


def test_exclusions_alone_list_the_rest_newest_first(service: SearchService) -> None:
    found = service.search("-oil", limit=50).hits
    assert found and all("oil" not in (h.article.title + h.article.body).lower() for h in found)
    dates = [h.article.published for h in found]
    assert dates == sorted(dates, reverse=True)


def test_a_possessive_finds_the_word_it_is_of(tmp_path: Path) -> None:
    store = FakeStore(
        [
            art("navy", "Navy drills near the coast", "Ships gathered offshore."),
            art("china", "China economy grows", "The Chinese economy grew 5%."),
            art("says", "The navy's new ship", "Its ship sails."),
        ]
    )
    svc = SearchService(store, tmp_path / "i")
    svc.initialize()
    # "navy's" was the phrase "navy s": only an article writing "navy's" matched, and
    # "/search navy's" answered "Nothing found" over the navy's own news.
    assert sorted(ids(svc, "navy's")) == ["navy", "says"]
    assert ids(svc, "China’s economy") == ["china"]
    assert ids(svc, '"navy\'s new"') == ["says"]  # a quoted phrase stays exact


def test_an_invisible_mark_inside_a_word_does_not_split_it(tmp_path: Path) -> None:
    store = FakeStore(
        [
            art("climate", "Climate talks resume", "Delegates met on climate policy."),
            art("mate", "Cli tool mate released", "A cli helper called mate."),
        ]
    )
    svc = SearchService(store, tmp_path / "i")
    svc.initialize()
    # /search drops them (clean_query), but a digest topic, /brief's words and the CLI reach
    # the search as typed: a soft hyphen or zero-width space pasted from a web page made
    # "cli mate" of "climate".
    assert ids(svc, "cli\u00admate ") == ["climate"]
    assert ids(svc, "cli\u200bmate policy ") == ["climate"]
    assert ids(svc, '"climate\u2060 talks"') == ["climate"]
