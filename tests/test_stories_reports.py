"""Copies of one text count once: reports, not outlets, make a story important."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.archive.store import ArticleStore
from bot.i18n import Catalogs, Translator
from bot.models import Article, ArticleDraft, Story
from bot.render.stories import sources_line
from bot.stories.copies import signature
from bot.stories.engine import StoryEngine
from bot.stories.journal import StoryJournal, StoryRecord
from bot.stories.ranking import top_stories
from bot.stories.service import StoryService
from bot.stories.values import StoryItem
from tests.conftest import FakeClock

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)

WIRE = (
    "The harbour bridge in Valletta was closed on Monday after engineers found a crack in one "
    "of its main steel girders, the transport ministry said. About 40,000 vehicles cross the "
    "bridge every day. Traffic was diverted through the old town, and ferries added sailings "
    "to Sliema. The ministry said the bridge would stay shut for at least two weeks while the "
    "girder is inspected and repaired by a contractor."
)
OWN = [
    "Engineers shut the Valletta harbour bridge on Monday morning when an inspection turned up "
    "a crack in a steel girder. Drivers queued for hours in the old town as police sent the "
    "40,000 daily vehicles along side streets. Shopkeepers said they feared a quiet month.",
    "Malta's transport minister defended the decision to close the Valletta harbour bridge, "
    "saying a crack in a girder left no choice. Opposition politicians asked why the bridge, "
    "last inspected in 2019, had not been checked sooner. Ferries to Sliema were full by noon.",
    "Commuters in Valletta faced long delays after the harbour bridge closed over a cracked "
    "girder. Bus companies rerouted twelve lines, and schools near the old town started "
    "lessons an hour later. A contractor will begin repairs once the inspection ends.",
    "The closure of the Valletta harbour bridge, after a crack was found in a girder, may cost "
    "businesses millions, the chamber of commerce warned. Hotels reported cancellations, and "
    "the tourism authority urged visitors to use ferries from Sliema during the repairs.",
]
TITLE = "Valletta harbour bridge closed after crack found in girder"
FIRE = "Wildfire near Athens forces evacuation of Penteli villages"
FIRE_OWN = [
    "Firefighters battled a wildfire on the slopes of Mount Penteli near Athens overnight, and "
    "authorities evacuated four villages as strong winds pushed the flames toward homes.",
    "Residents of Penteli fled with what they could carry as a wildfire raced down the "
    "mountain. Greek civil protection sent text alerts and opened shelters in Athens suburbs.",
    "Water-dropping aircraft from Italy and Cyprus joined Greek crews fighting the Penteli "
    "wildfire, which had burned about 3,000 hectares of pine forest by Tuesday afternoon.",
    "Greece's prime minister cut short a trip abroad as the wildfire near Athens spread. Doctors "
    "treated a dozen people for smoke, and schools in the Penteli area stayed closed.",
]


def reprinted(outlets: int) -> list[tuple[str, str, str]]:
    """Return one wire text as outlets print it: own headline, an outlet's credit line added."""
    return [
        (f"Outlet {n}", f"{TITLE} ({n})", f"{WIRE} Reporting by the wire for Outlet {n}.")
        for n in range(outlets)
    ]


def written(outlets: int, first: int) -> list[tuple[str, str, str]]:
    """Return reports that outlets wrote themselves."""
    return [(f"Desk {first + n}", TITLE, OWN[n]) for n in range(outlets)]


def items(reports: list[tuple[str, str, str]], prefix: str) -> list[StoryItem]:
    return [
        StoryItem(f"{prefix}{n}", title, body, T0 + timedelta(minutes=n), source)
        for n, (source, title, body) in enumerate(reports)
    ]


def test_five_outlets_printing_one_text_and_two_writing_their_own_make_three_reports() -> None:
    engine = StoryEngine()
    ids = {engine.assign(i) for i in items(reprinted(5) + written(2, 0), "a")}
    [story] = [engine.summary(i) for i in ids]
    assert story is not None and story.sources == 7 and story.reports == 3
    assert set(story.copies) == {"a1", "a2", "a3", "a4"}  # each reprints the first, a0
    assert set(story.copies.values()) == {"a0"}


def test_that_story_ranks_below_four_outlets_writing_their_own() -> None:
    engine = StoryEngine()
    for item in items(reprinted(5) + written(2, 0), "a"):
        engine.assign(item)
    for n, body in enumerate(FIRE_OWN):  # another event: four newsrooms, four texts
        engine.assign(StoryItem(f"b{n}", FIRE, body, T0 + timedelta(minutes=n), f"Paper {n}"))
    top = top_stories(engine.summaries(), T0 + timedelta(hours=1), timedelta(hours=24), 2)
    assert [s.reports for s in top] == [4, 3]
    assert [s.sources for s in top] == [4, 7]  # the sources alone would rank them the other way


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[ArticleStore]:
    s = ArticleStore(tmp_path, retention_days=30, clock=clock)
    s.initialize()
    yield s
    s.shutdown()


def drafts(reports: list[tuple[str, str, str]], clock: FakeClock) -> list[ArticleDraft]:
    return [
        ArticleDraft(
            title=title,
            body=body,
            url=f"https://{source.replace(' ', '').lower()}.example.com/{n}",
            published=clock.now - timedelta(minutes=30 - n),
            source=source,
        )
        for n, (source, title, body) in enumerate(reports)
    ]


def test_the_service_ranks_and_shows_reports_and_keeps_them_across_a_restart(
    store: ArticleStore, tmp_path: Path, clock: FakeClock
) -> None:
    stories = StoryService(store, tmp_path / "stories", clock=lambda: clock.now)
    stories.initialize()
    store.add_many(drafts(reprinted(5) + written(2, 0), clock))
    story_id = stories.story_of(store.latest(1)[0].id)
    assert story_id is not None
    view = stories.story(story_id)
    assert view is not None and (view.source_count, view.report_count) == (7, 3)
    stories.shutdown()
    again = StoryService(store, tmp_path / "stories", clock=lambda: clock.now)
    again.initialize()  # from the journal: no article is assigned again
    view = again.story(story_id)
    assert view is not None and view.report_count == 3
    [place] = again.rank(clock.now, timedelta(hours=24))
    assert place.id == story_id
    again.shutdown()


def test_a_journal_written_before_reports_loads_with_each_member_its_own_report(
    tmp_path: Path,
) -> None:
    journal = StoryJournal(tmp_path, "same")
    journal.rewrite({"s1": StoryRecord("s1", ["a", "b"], "Title", last=T0)})
    line = orjson.loads(journal.path.read_bytes().splitlines()[1])
    assert "c" not in line  # no copies, no field: the file reads as before
    journal.append([StoryRecord("s2", ["c", "d"], "Other", last=T0, copies={"d": "c"})], [])
    loaded = StoryJournal(tmp_path, "same").load()
    assert loaded["s1"].copies == {} and loaded["s1"].report_of("b") == "b"
    assert dict(loaded["s2"].copies) == {"d": "c"} and loaded["s2"].report_of("d") == "c"


def test_a_short_body_is_no_evidence_of_a_copy() -> None:
    assert signature("Bridge closed.") is None
    assert signature(WIRE) is not None


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=3000))
def test_any_body_gives_a_signature_or_none(body: str) -> None:
    sig = signature(body)
    assert sig is None or sig.shape == (32,)


EN = Translator.english()


def view(sources: int, reports: int) -> Story:
    first = Article("a0", TITLE, WIRE, T0, T0, "https://x.example/a0", "Outlet 0")
    names = tuple(f"Outlet {n}" for n in range(sources))
    return Story("s1", TITLE, (first,), first, names, T0, T0, sources, sources, 0.0, reports)


def test_the_sources_line_names_reports_when_outlets_reprint() -> None:
    assert (
        sources_line(view(7, 3), tr=EN) == "7 sources · 3 reports: Outlet 0, Outlet 1, Outlet 2 +4"
    )
    ru = Catalogs().get("ru")
    assert sources_line(view(7, 3), tr=ru).startswith("7 источников · 3 материала: Outlet 0")
    assert sources_line(view(5, 1), tr=ru).startswith("5 источников · 1 материал:")
    # Every outlet wrote its own: the count of reports would only repeat the sources.
    assert sources_line(view(4, 4), tr=EN) == "4 sources: Outlet 0, Outlet 1, Outlet 2 +1"


def unsigned(named: tuple[str, ...], unnamed: int, reports: int = 0) -> Story:
    first = Article("a0", TITLE, WIRE, T0, T0, "https://x.example/a0", None)
    count = len(named) + unnamed  # each article without a source counts alone
    return Story("s1", TITLE, (first,), first, named, T0, T0, count, count, 0.0, reports)


def test_the_sources_line_counts_articles_without_a_source_apart() -> None:
    assert sources_line(unsigned((), 3), tr=EN) == "3 articles without a source"
    assert sources_line(unsigned(("AFP",), 2), tr=EN) == "AFP · 2 articles without a source"
    assert (
        sources_line(unsigned(("AFP", "AP"), 1, reports=2), tr=EN)
        == "2 sources: AFP, AP · 1 article without a source · 2 reports"
    )
    ru = Catalogs().get("ru")
    assert sources_line(unsigned((), 5), tr=ru) == "5 статей без указания источника"
    assert sources_line(unsigned(("ria",), 2), tr=ru) == "ria · 2 статьи без указания источника"
