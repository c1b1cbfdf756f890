"""The value types of story clustering: an input item, engine settings and a story summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class StoryItem:
    """One article as the story engine sees it; `published` must be timezone-aware."""

    id: str
    title: str
    body: str
    published: datetime
    source: str = ""
    lang: str | None = None

    def __post_init__(self) -> None:
        if self.published.tzinfo is None or self.published.utcoffset() is None:
            raise ValueError(f"StoryItem {self.id!r}: published must be timezone-aware")

    @property
    def source_key(self) -> str:
        """Return the key that counts as one source: the source, or the article when it has none."""
        return f"source:{self.source}" if self.source else f"article:{self.id}"


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Tunable settings of the story engine; the defaults are explained in `bot.stories.engine`."""

    threshold: float = 0.125
    title_weight: float = 2.0
    entity_weight: float = 1.0
    body_tokens: int = 120
    window: timedelta = timedelta(days=2)
    gap_penalty: float = 0.2
    member_weight: float = 0.0
    candidate_terms: int = 12
    max_candidates: int = 24
    max_terms: int = 1_000_000
    min_shared: int = 2


@dataclass(frozen=True, slots=True)
class StorySummary:
    """What a story looks like from outside: members, headline, times, sources.

    `arrivals` lists (published, source key) per member in arrival order, so importance can
    be computed for any `now` and period without the engine.
    """

    id: str
    members: tuple[str, ...]
    headline: str
    first_seen: datetime
    last_updated: datetime
    sources: int
    arrivals: tuple[tuple[datetime, str], ...]
    headlines_by_lang: dict[str, str] = field(default_factory=dict)

    def headline_for(self, lang: str) -> str:
        """Return the most representative title in lang, or the overall headline."""
        return self.headlines_by_lang.get(lang, self.headline)
