"""Shared pieces of the story tests: engine items at hours after T0 and a small quake story;
the volcano reports the bot tests add to a running bot's store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.models import ArticleDraft, utcnow
from bot.stories import StoryEngine, StoryItem
from tests.digestkit import Env

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


VOLCANO = [
    (
        "Reuters",
        "Volcano erupts near Grindavik in Iceland, lava flows toward town",
        "A volcano erupted on Iceland's Reykjanes peninsula on Monday, sending lava toward "
        "the evacuated fishing town of Grindavik, the Icelandic Meteorological Office said.",
    ),
    (
        "AP",
        "Iceland volcano eruption sends lava toward Grindavik",
        "Lava from a volcanic eruption on the Reykjanes peninsula flowed toward Grindavik on "
        "Monday after the town was evacuated, Icelandic authorities said.",
    ),
    (
        "BBC",
        "Grindavik evacuated as Iceland volcano erupts again",
        "Iceland's Reykjanes peninsula saw another volcanic eruption on Monday, with lava "
        "approaching Grindavik, which had been evacuated by the authorities.",
    ),
]
MORE_VOLCANO = [
    (
        "France24",
        "Grindavik lava flow from Iceland volcano slows",
        "The lava flow from the Reykjanes volcano near Grindavik in Iceland slowed on Tuesday.",
    ),
    (
        "Guardian",
        "Lava reaches outskirts of Grindavik as Iceland eruption continues",
        "The eruption on Iceland's Reykjanes peninsula continued as lava reached Grindavik.",
    ),
    (
        "DW",
        "Icelandic town Grindavik threatened by volcano lava",
        "Lava from the Reykjanes volcano threatened homes in the Icelandic town of Grindavik.",
    ),
    (
        "NYT",
        "Reykjanes eruption: lava flows near Grindavik homes in Iceland",
        "Lava from the volcanic eruption on Reykjanes flowed near homes in Grindavik, Iceland.",
    ),
]
OTHER = [
    (
        "Money Times",
        "Central bank raises interest rates to curb inflation",
        "The central bank raised its benchmark interest rate by a quarter point to fight inflation.",
    ),
    (
        "Sports Desk",
        "Underdogs win the cup final in extra time",
        "The underdogs won the cup final after a goal in extra time stunned the favourites.",
    ),
    (
        "Tech Wire",
        "Chip maker opens a new factory in Dresden",
        "A chip maker opened a semiconductor factory in Dresden, creating two thousand jobs.",
    ),
    (
        "Planet Daily",
        "Climate negotiators stall over coal phase-out",
        "Negotiators at the climate talks failed to agree on phasing out coal power.",
    ),
    (
        "Health Post",
        "Measles vaccination drive reaches rural schools",
        "Nurses vaccinated children against measles in rural schools this week.",
    ),
    (
        "Space News",
        "Probe sends first images from Jupiter moon Europa",
        "The probe returned its first close images of the icy moon Europa.",
    ),
]


def add(env: Env, reports: list[tuple[str, str, str]], minutes_ago: int = 30) -> None:
    """Store reports (source, title, body) published a little while ago."""
    env.services.store.add_many(
        ArticleDraft(
            title=title,
            body=body,
            url=f"https://{source.lower().replace(' ', '')}.example.com/{abs(hash(title))}",
            published=utcnow() - timedelta(minutes=minutes_ago),
            source=source,
        )
        for source, title, body in reports
    )
