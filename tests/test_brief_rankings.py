"""/brief pages share one ranking per stories version and 10-minute bucket."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app.briefs import Briefer
from bot.app.context import BRIEF_RANKINGS, BriefRankings, LineCache, Listing
from bot.config import Config
from bot.i18n import Translator
from bot.memo import Memo
from bot.models import ArticleDraft
from bot.services import Services, open_services
from tests.conftest import FakeClock

NOW = datetime(2026, 3, 1, 12, 3, tzinfo=UTC)
ZONE = ZoneInfo("UTC")

EN = Translator.english()


def drafts(topic: str, sources: list[str], minutes_ago: int) -> list[ArticleDraft]:
    """Return one report of the same event per source."""
    return [
        ArticleDraft(
            title=f"{topic} reported by {source}",
            body=f"The {topic} happened today. {source} reports on the {topic}.",
            url=f"https://{source.lower()}.example.com/{topic}",
            published=NOW - timedelta(minutes=minutes_ago),
            source=source,
        )
        for source in sources
    ]


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    config = Config(data_dir=tmp_path, token="1:x", seeds_dir=tmp_path / "none", tz=ZONE)
    opened = open_services(config, write=True)
    opened.store.add_many(drafts("volcano eruption", ["Reuters", "AP", "BBC"], 30))
    opened.store.add_many(drafts("chip factory", ["Tech Wire"], 40))
    try:
        yield opened
    finally:
        opened.shutdown()


def test_a_ranking_is_remembered_until_a_story_changes_or_the_bucket_ends(
    services: Services,
) -> None:
    clock = FakeClock(NOW)
    rankings: BriefRankings = Memo(BRIEF_RANKINGS)
    briefer = Briefer(services, LineCache(), rankings, clock=clock)
    listing = Listing("brief", "", 5, period="24h")
    first, _ = briefer.ranked(listing, ZONE, EN)
    clock.advance(minutes=5)  # More, pressed a little later: the same 10 minutes
    assert briefer.ranked(listing, ZONE, EN)[0] is first
    assert len(rankings) == 1
    services.store.add_many(drafts("flood warning", ["DW"], 1))  # a new story: a new version
    grown, _ = briefer.ranked(listing, ZONE, EN)
    assert grown is not first and len(grown) == len(first) + 1
    clock.advance(minutes=5)  # 12:13: the next bucket ranks again, recency as of now
    again, _ = briefer.ranked(listing, ZONE, EN)
    assert again is not grown and [s.id for s in again] == [s.id for s in grown]
    assert len(rankings) == 3


def test_today_is_ranked_per_zone_and_local_day(services: Services) -> None:
    rankings: BriefRankings = Memo(BRIEF_RANKINGS)
    briefer = Briefer(services, LineCache(), rankings, clock=FakeClock(NOW))
    today = Listing("brief", "", 5, period="today")
    briefer.ranked(today, ZONE, EN)
    briefer.ranked(today, ZoneInfo("Asia/Kathmandu"), EN)  # 17:48 there: another "today" span
    assert len(rankings) == 2
