"""The story analysis worker: a second process analyses articles exactly as the engine would."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import Article
from bot.stories import EngineSettings, StoryEngine, StoryItem
from bot.stories.ahead import Ahead, Features, features_of
from bot.stories.analysis_worker import AnalysisWorker, analyse_all, prepared_chunks
from bot.stories.copies import signature
from bot.stories.text import Analyzer

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SETTINGS = EngineSettings()
# Each kind of feature: stems, names across scripts, numbers, dates, CJK pairs and glosses.
TEXTS = [
    (
        "Путин встретился с Си Цзиньпином 5 мая",
        "МОСКВА, 5 мая — РИА Новости. Путин и Си "
        "обсудили поставки газа на 1,5 млрд долларов. Путин сказал, что переговоры прошли хорошо.",
    ),
    (
        "Putin meets Xi Jinping on May 5",
        "MOSCOW (Reuters) - Putin and Xi discussed gas supplies "
        "worth $1.5 billion. Putin said the talks went well, Xi said 5,000 jobs would follow.",
    ),
    ("普京会见习近平", "普京5月5日在莫斯科会见习近平，双方讨论了价值15亿美元的天然气供应。"),
    (
        "Perdana Menteri Anwar ke Singapura",
        "Perdana Menteri Anwar Ibrahim tiba di Singapura "
        "pada 5 Mei untuk rundingan dua hala mengenai perdagangan bernilai RM5,000 juta.",
    ),
    ("WIRE HEADLINE IN CAPITALS", "Apple shares rose - a rally followed. Apple said sales grew."),
    ("", "Ещё одна новость без заголовка: ёлки подорожали на 20%."),
]


def made_ahead(batch: list[StoryItem], aheads: list[Ahead]) -> list[Features]:
    """Return the features made ahead, once each body's signature is found equal to this one's."""
    for item, ahead in zip(batch, aheads, strict=True):
        mine, theirs = signature(item.body), ahead.sign(item.body)
        assert (theirs is None) == (mine is None)
        assert theirs is None or mine is None or (theirs == mine).all()
    return [ahead.features for ahead in aheads]


def here(batch: list[StoryItem]) -> list[Features]:
    """Return the features this process computes, as the engine does without a worker."""
    analyzer = Analyzer(SETTINGS.body_tokens)
    return [features_of(analyzer, item, SETTINGS.title_weight) for item in batch]


def items(texts: list[tuple[str, str]], lang: str | None = None) -> list[StoryItem]:
    """Return the texts as items one minute apart."""
    return [
        StoryItem(f"a{n}", title, body, T0 + timedelta(minutes=n), lang=lang)
        for n, (title, body) in enumerate(texts)
    ]


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    """Yield one spawned worker process, as the service starts it."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as executor:
        yield executor


def test_another_process_analyses_every_kind_of_text_as_this_one(
    pool: ProcessPoolExecutor,
) -> None:
    """Languages, names, numbers, dates and CJK give the same counts, in the same order."""
    batch = items(TEXTS * 3)
    local = here(batch)
    remote = made_ahead(batch, pool.submit(analyse_all, batch, SETTINGS).result())
    assert remote == local
    assert sum(ahead.prints is not None for ahead in analyse_all(batch, SETTINGS)) >= len(TEXTS)
    # Term order decides ties downstream: the weights must come back in the same order too.
    assert [list(a.weights) for a in remote] == [list(a.weights) for a in local]
    assert {a.lang for a in remote} >= {"ru", "en", "zh"}


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.text(max_size=40), st.text(max_size=300)), min_size=1, max_size=5),
    st.sampled_from([None, "en", "ru", "zh", "ms"]),
)
def test_free_form_text_is_analysed_alike_in_both_processes(
    pool: ProcessPoolExecutor, texts: list[tuple[str, str]], lang: str | None
) -> None:
    """Any text, in any given language or none, gives the worker's analysis equal to the engine's."""
    batch = items(texts, lang)
    local = here(batch)
    remote = made_ahead(batch, pool.submit(analyse_all, batch, SETTINGS).result())
    assert remote == local
    assert [list(a.weights) for a in remote] == [list(a.weights) for a in local]


def test_a_big_batch_analysed_ahead_makes_the_same_stories() -> None:
    """Stories assigned with the worker's analyses equal those the engine analyses itself."""
    batch = items(TEXTS * 40)
    worker = AnalysisWorker(SETTINGS, min_items=100, patient=True)
    try:
        ahead = list(worker.ahead(batch))
    finally:
        worker.close()
    assert [i.id for i, _ in ahead] == [i.id for i in batch]
    assert sum(a is not None for _, a in ahead) == len(batch) - 100  # all but the first part
    with_worker, alone = StoryEngine(), StoryEngine()
    assert [with_worker.assign(i, a) for i, a in ahead] == [alone.assign(i) for i in batch]
    assert [s.headline for s in with_worker.summaries()] == [s.headline for s in alone.summaries()]
    # Signed ahead, copies are found as the engine finds them itself.
    assert [with_worker.copy_of(i.id) for i in batch] == [alone.copy_of(i.id) for i in batch]
    assert any(alone.copy_of(i.id) for i in batch)


def test_batches_read_ahead_come_back_in_order_with_the_same_stories() -> None:
    """A build's batches, each sent before the one before it is assigned, keep order and stories."""
    batch = items(TEXTS * 400)
    articles = [
        Article(i.id, i.title, i.body, i.published, i.published + timedelta(seconds=1))
        for i in batch
    ]
    batches = [articles[k : k + 1000] for k in range(0, len(articles), 1000)]
    chunks = prepared_chunks(batches, EngineSettings(), 250)
    prepared = [p for chunk in chunks for p in chunk]
    assert [a.id for a, _, _ in prepared] == [a.id for a in articles]
    with_worker, alone = StoryEngine(), StoryEngine()
    ahead = [with_worker.assign(i, a) for _, i, a in prepared]
    assert ahead == [alone.assign(i) for _, i, _ in prepared]


def test_a_small_batch_starts_no_worker() -> None:
    """A batch under the minimum is left to the engine: nothing is analysed ahead."""
    worker = AnalysisWorker(SETTINGS, min_items=100, patient=True)
    ahead = list(worker.ahead(items(TEXTS)))
    assert [a for _, a in ahead] == [None] * len(TEXTS)
    worker.close()


def test_a_worker_not_waited_for_makes_the_same_stories() -> None:
    """Parts the worker has not begun are taken back and analysed here: the same stories."""
    batch = items(TEXTS * 100)
    worker = AnalysisWorker(SETTINGS, min_items=100)
    try:
        ahead = list(worker.ahead(batch))
    finally:
        worker.close()
    assert [i.id for i, _ in ahead] == [i.id for i in batch]
    with_worker, alone = StoryEngine(), StoryEngine()
    assert [with_worker.assign(i, a) for i, a in ahead] == [alone.assign(i) for i in batch]
    assert [with_worker.copy_of(i.id) for i in batch] == [alone.copy_of(i.id) for i in batch]


def test_a_lent_worker_serves_the_next_batch_and_stops_when_idle() -> None:
    """An import's batches share one worker; it stops once no batch came for a while."""
    articles = [
        Article(i.id, i.title, i.body, i.published, i.published + timedelta(seconds=1))
        for i in items(TEXTS * 200)
    ]
    worker = AnalysisWorker(SETTINGS, min_items=100, patient=True)
    try:
        first = [
            p
            for chunk in prepared_chunks([articles[:600]], EngineSettings(), 0, worker)
            for p in chunk
        ]
        assert worker.started  # lent: the call did not stop it
        waiting = worker.idle(60.0)
        second = [
            p
            for chunk in prepared_chunks([articles[600:]], EngineSettings(), 0, worker)
            for p in chunk
        ]
        assert waiting is not None
        waiting.join()  # the next batch stopped the timer: the worker runs on
        assert worker.started
        # Only the very first part waited for no worker; the next batch found it started.
        assert [a is None for _, _, a in first + second] == [True] * 100 + [False] * 1100
        stopping = worker.idle(0.0)
        assert stopping is not None
        stopping.join()
        assert not worker.started
    finally:
        worker.close()


def test_a_small_batch_neither_uses_a_lingering_worker_nor_keeps_it_alive() -> None:
    """A live feed's few articles after an import are analysed here; the countdown goes on."""
    worker = AnalysisWorker(SETTINGS, min_items=100, patient=True)
    try:
        assert all(a is not None for _, a in list(worker.ahead(items(TEXTS * 50)))[100:])
        countdown = worker.idle(60.0)
        assert countdown is not None
        small = list(worker.ahead(items(TEXTS)))
        assert [a for _, a in small] == [None] * len(TEXTS)
        assert worker.idle(60.0) is countdown  # not restarted: the small batch did not use it
        assert worker.started
    finally:
        worker.close()
    assert not worker.started
