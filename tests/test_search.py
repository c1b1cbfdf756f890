"""SearchService over a small fixture corpus: every query feature, ranking, index lifecycle."""

from __future__ import annotations

import html
import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.archive.store import ArticleStore
from bot.models import Article, ArticleDraft
from bot.search import SearchService
from bot.search.index import MARKER
from bot.search.results import Typo
from bot.search.suggest import correction

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class FakeStore:
    """The read side of ArticleStore over a dict, with listeners the test can fire."""

    def __init__(self, articles: list[Article]) -> None:
        self.articles = {a.id: a for a in articles}
        self.listeners: list[Callable[[list[Article]], None]] = []

    def __iter__(self) -> Iterator[Article]:
        return iter(list(self.articles.values()))

    def __len__(self) -> int:
        return len(self.articles)

    def get(self, article_id: str) -> Article | None:
        return self.articles.get(article_id)

    def get_many(self, article_ids: Sequence[str]) -> list[Article | None]:
        return [self.articles.get(article_id) for article_id in article_ids]

    def add_listener(self, fn: Callable[[list[Article]], None]) -> None:
        self.listeners.append(fn)

    def add(self, *articles: Article) -> None:
        """Store articles and tell the listeners, as ArticleStore.add_many does."""
        for a in articles:
            self.articles[a.id] = a
        for fn in self.listeners:
            fn(list(articles))


def art(
    id: str, title: str, body: str = "", *, days_ago: float = 30, source: str = "Reuters"
) -> Article:
    when = NOW - timedelta(days=days_ago)
    lang = "ru" if re.search("[а-яё]", title + body, re.I) else "en"
    return Article(
        id=id, title=title, body=body, published=when, added=when, source=source, lang=lang
    )


CORPUS = [
    art("oil1", "Oil prices rise", "Crude oil prices rose as OPEC cut output.", days_ago=3),
    art("oil2", "Markets calm", "Traders said oil was steady and prices unchanged.", days_ago=40),
    art("opec", "OPEC meets in Vienna", "OPEC ministers discussed output quotas and oil."),
    art("wheat", "Wheat harvest record", "Farmers expect a record wheat crop this year."),
    art("gold", "Gold hits high", "Gold rose to a record as investors sought safety."),
    art("gov", "Government budget plan", "The government unveiled its budget for next year."),
    art("elec", "Election campaign opens", "Parties opened the election campaign on Monday."),
    art("tech", "Technology shares jump", "Technology companies led the market higher."),
    art("cafe", "Café culture", "Paris cafés reopen as tourists return.", source="BBC News"),
    art(
        "film",
        "Film festival opens",
        "The film festival opened with a premiere.",
        source="BBC News",
    ),
    art("ru1", "Выборы президента", "Итоги выборов президента объявят в понедельник."),
    art("ru2", "Ёлка на площади", "На главной площади установили новогоднюю ёлку."),
    art("html", "Script kiddies", 'Body with <script>alert("x")</script> & oil spill <b>bold</b>.'),
    art(
        "old",
        "Cold war history",
        "Historians revisited the cold war archives.",
        days_ago=2000,
    ),
]


@pytest.fixture
def corpus() -> FakeStore:
    return FakeStore(list(CORPUS))


@pytest.fixture
def service(tmp_path: Path, corpus: FakeStore) -> Iterator[SearchService]:
    svc = SearchService(corpus, tmp_path / "index", clock=lambda: NOW)
    svc.initialize()
    yield svc
    svc.shutdown()


def ids(service: SearchService, query: str, **kw: object) -> list[str]:
    return [h.article.id for h in service.search(query, **kw).hits]  # type: ignore[arg-type]


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


def test_long_queries_are_cut(service: SearchService) -> None:
    result = service.search("oil " * 200)
    assert len(result.query) == 256
    assert result.hits


def test_new_articles_arrive_through_the_listener(
    service: SearchService, corpus: FakeStore
) -> None:
    corpus.add(art("new", "Volcano erupts", "Lava flowed from the volcano."))
    assert ids(service, "volcano") == ["new"]


def test_reindexing_an_article_replaces_it(service: SearchService, corpus: FakeStore) -> None:
    corpus.add(art("gold", "Silver hits high", "Silver rose."))
    assert ids(service, "silver") == ["gold"]
    assert "gold" not in ids(service, "gold ")


def test_index_survives_restart_without_rebuild(tmp_path: Path, corpus: FakeStore) -> None:
    first = SearchService(corpus, tmp_path / "i")
    first.initialize()
    first.shutdown()
    stamp = (tmp_path / "i" / "meta.json").stat().st_mtime_ns
    second = SearchService(corpus, tmp_path / "i")
    second.initialize()
    assert ids(second, "wheat") == ["wheat"]
    assert (tmp_path / "i" / "meta.json").stat().st_mtime_ns == stamp


@pytest.mark.parametrize("damage", ["missing", "corrupt", "old_version", "no_marker", "stale"])
def test_index_is_rebuilt_from_the_store(tmp_path: Path, corpus: FakeStore, damage: str) -> None:
    index_dir = tmp_path / "i"
    first = SearchService(corpus, index_dir)
    first.initialize()
    first.shutdown()
    if damage == "missing":
        for f in index_dir.iterdir():
            f.unlink()
    elif damage == "corrupt":
        for f in index_dir.iterdir():
            if f.name != MARKER:
                f.write_bytes(b"\x00garbage" * 10)
    elif damage == "old_version":
        (index_dir / MARKER).write_text('{"version": 0}')
    elif damage == "no_marker":
        (index_dir / MARKER).unlink()
    else:
        corpus.articles["late"] = art("late", "Tsunami alert", "Coastal tsunami warning.")
    again = SearchService(corpus, index_dir)
    again.initialize()
    assert ids(again, "wheat") == ["wheat"]
    assert ids(again, "tsunami") == (["late"] if damage == "stale" else [])


def test_readonly_reads_the_index_another_service_writes(tmp_path: Path, corpus: FakeStore) -> None:
    writer = SearchService(corpus, tmp_path / "i")
    writer.initialize()
    reader = SearchService(corpus, tmp_path / "i", readonly=True)
    reader.initialize()
    assert ids(reader, "wheat") == ["wheat"]
    corpus.add(art("new", "Volcano erupts"))
    assert ids(writer, "volcano") == ["new"]


def test_readonly_without_an_index_searches_in_memory(tmp_path: Path, corpus: FakeStore) -> None:
    reader = SearchService(corpus, tmp_path / "absent", readonly=True)
    reader.initialize()
    assert ids(reader, "wheat") == ["wheat"]
    assert not (tmp_path / "absent").exists()
    corpus.add(art("new", "Volcano erupts"))
    assert ids(reader, "volcano") == ["new"]


def test_with_the_real_article_store(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path / "data", clock=lambda: NOW)
    store.initialize()
    store.add_many([ArticleDraft(title="Harbour strike ends", body="Dockers return to work.")])
    svc = SearchService(store, tmp_path / "index", clock=lambda: NOW)
    svc.initialize()
    assert [h.article.title for h in svc.search("harbour").hits] == ["Harbour strike ends"]
    store.add_many([ArticleDraft(title="Dockers vote", body="A new harbour deal.", url="u:2")])
    assert svc.search("dockers").total == 2


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


def test_snippet_of_an_article_without_body_is_its_title(tmp_path: Path) -> None:
    svc = SearchService(FakeStore([art("t", "Quake & <aftershocks>")]), tmp_path / "i")
    svc.initialize()
    assert svc.search("quake").hits[0].snippet == "<b>Quake</b> &amp; &lt;aftershocks&gt;"


def test_rebuild_reindexes_the_store(service: SearchService, corpus: FakeStore) -> None:
    corpus.articles["quiet"] = art("quiet", "Glacier melts")  # stored without telling anyone
    assert ids(service, "glacier") == []
    service.rebuild()
    assert ids(service, "glacier") == ["quiet"]


def test_english_words_in_russian_news_are_stemmed_too(tmp_path: Path) -> None:
    article = art("ru", "Новые смартфоны", "Компания Apple представила новые iPhones и планшеты.")
    assert article.lang == "ru"
    svc = SearchService(FakeStore([article]), tmp_path / "i")
    svc.initialize()
    assert ids(svc, "iphone ") == ["ru"]
    assert ids(svc, "смартфон ") == ["ru"]
    assert ids(svc, '"представила новые"') == ["ru"]


def test_accented_words_are_bolded_for_plain_queries(service: SearchService) -> None:
    assert "<b>cafés</b>" in service.search("cafe ").hits[0].snippet


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


def test_removed_articles_leave_the_index(service: SearchService, corpus: FakeStore) -> None:
    service.remove_articles(["wheat"])
    assert ids(service, "wheat") == []


def test_articles_gone_from_the_store_are_skipped(
    service: SearchService, corpus: FakeStore
) -> None:
    del corpus.articles["gold"]  # pruned by the store, still in the index
    assert ids(service, "gold ") == []


def test_a_typo_in_an_unfinished_word(service: SearchService) -> None:
    result = service.search("tecnol")
    assert [h.article.id for h in result.hits] == ["tech"]
    assert result.did_you_mean == "technology"
    assert "<b>Technology</b>" in result.hits[0].snippet


def test_exclusions_alone_list_the_rest_newest_first(service: SearchService) -> None:
    found = service.search("-oil", limit=50).hits
    assert found and all("oil" not in (h.article.title + h.article.body).lower() for h in found)
    dates = [h.article.published for h in found]
    assert dates == sorted(dates, reverse=True)


def test_searching_while_another_thread_indexes(
    service: SearchService, corpus: FakeStore, caplog: pytest.LogCaptureFixture
) -> None:
    batches = [
        [art(f"n{i}-{j}", f"Sorghum report {i}", "Grain.") for j in range(5)] for i in range(10)
    ]
    writer = threading.Thread(target=lambda: [corpus.add(*b) for b in batches])
    writer.start()
    seen = []
    while writer.is_alive():
        seen.append(service.search("sorghum").total)
    writer.join()
    assert seen == sorted(seen)  # each search sees a committed state, never a torn one
    assert service.search("sorghum", limit=100).total == 50
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


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
    assert ids(svc, "the") == ["theatre"]  # alone, it may begin a word as it is typed
    assert ids(svc, "of") == ["offer"]
    assert ids(svc, "reopens th") == ["theatre"]  # "the" of "the pay offer" is no completion


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
