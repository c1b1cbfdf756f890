"""Shared pieces of the story-engine tests: items at hours after T0, and a small quake story."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.stories import StoryEngine, StoryItem

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def item(item_id: str, title: str, body: str, hours: float, source: str = "") -> StoryItem:
    return StoryItem(item_id, title, body, T0 + timedelta(hours=hours), source)


QUAKE = [
    item(
        "reuters-1",
        "Magnitude 7.1 earthquake strikes off Japan's Fukushima coast",
        "A magnitude 7.1 earthquake struck off the coast of Fukushima on Monday, Japan's "
        "meteorological agency said, triggering a tsunami advisory for the Pacific coast.",
        0,
        "Reuters",
    ),
    item(
        "bbc-1",
        "Japan: strong quake near Fukushima prompts tsunami advisory",
        "Residents of Fukushima were told to move to higher ground after a strong earthquake "
        "of magnitude 7.1 shook north-eastern Japan. A tsunami advisory was issued.",
        1,
        "BBC",
    ),
    item(
        "ap-1",
        "Tsunami advisory after 7.1 earthquake rattles Fukushima, Japan",
        "The 7.1 magnitude earthquake off Fukushima rattled buildings in Tokyo; Japan lifted "
        "the tsunami advisory two hours later, with no damage reported at the nuclear plant.",
        2,
        "AP",
    ),
]


RATES = item(
    "ft-1",
    "European Central Bank raises interest rates to curb inflation",
    "The ECB lifted its deposit rate by a quarter point, saying inflation in the euro area "
    "remained too high; bond yields rose after the announcement in Frankfurt.",
    1.5,
    "FT",
)


def assign_all(engine: StoryEngine, items: list[StoryItem]) -> list[str]:
    return [engine.assign(i) for i in items]


DAY = timedelta(hours=24)
