"""The engine's window after a restart: analysed in the worker process, replayed the same."""

from __future__ import annotations

import gc
from dataclasses import replace
from pathlib import Path

import pytest

from bot.archive.store import ArticleStore
from bot.stories import EngineSettings, StoryEngine
from bot.stories import window as window_module
from bot.stories.record import StoryRecord
from bot.stories.restore import to_item
from bot.stories.window import reload_window
from tests.conftest import FakeClock
from tests.test_stories_service import drafts
from tests.test_stories_startup import RATES, VOLCANO

WIRE = (
    "Lava from the eruption near Grindavik crossed the road into the town on Sunday morning, "
    "officials said, after the fishing town of 3,700 people was evacuated overnight. Civil "
    "defence teams had built earth walls north of the town to turn the flow aside."
)


def test_the_window_replayed_with_the_workers_analyses_is_the_one_analysed_here(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ArticleStore(tmp_path, retention_days=0, clock=clock)
    store.initialize()
    reports = drafts([*VOLCANO[:2], *RATES], clock)
    reports[:2] = [replace(d, body=f"{d.title}. {WIRE}") for d in reports[:2]]  # signed bodies
    store.add_many(reports)
    engine = StoryEngine()
    for article in store:
        engine.assign(to_item(article))
    records = [
        StoryRecord(s.id, list(s.members), s.headline, last=s.last_updated)
        for s in engine.summaries()
    ]
    monkeypatch.setattr(window_module, "BLOCK", 2)  # several blocks, each sent ahead
    frozen = gc.get_freeze_count()
    here, there = StoryEngine(), StoryEngine()
    reload_window(here, records, store, EngineSettings(), worker_from=len(store) + 1)
    reload_window(there, records, store, EngineSettings(), worker_from=0)
    assert gc.get_freeze_count() > frozen  # what the replay built left the collector's passes
    assert there.summaries() == here.summaries()
    late = drafts([VOLCANO[2]], clock)[0]
    store.add_many([replace(late, body=f"{late.title} {WIRE}")])  # a copy of the wire text
    item = to_item(next(a for a in store if a.source == "BBC"))
    assert there.assign(item) == here.assign(item) == engine.assign(item)
    assert there.copy_of(item.id) == engine.copy_of(item.id) is not None
