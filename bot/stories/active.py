"""An open story's mutable state inside the engine, and the summary it shows outside."""

from __future__ import annotations

from datetime import datetime

from bot.stories.copies import Reports
from bot.stories.scoring import Vector, names_of, norm2_of
from bot.stories.scoring import dot as _dot
from bot.stories.sparse import accumulate
from bot.stories.values import StorySummary


class ActiveStory:
    """Mutable state of one open story: members, centroid, keys, seed, reports and times."""

    __slots__ = (
        "arrivals",
        "body_keys",
        "centroid",
        "copies",
        "dated",
        "first_seen",
        "id",
        "key_norm2",
        "keys",
        "lang_set",
        "langs",
        "last_updated",
        "members",
        "name_norm2",
        "norm2",
        "reports",
        "seed",
        "source_keys",
        "title_terms",
        "titles",
        "vectors",
    )

    def __init__(self, story_id: str, published: datetime) -> None:
        self.id = story_id
        self.members: list[str] = []
        self.titles: list[str] = []
        self.langs: list[str | None] = []
        self.vectors: list[Vector] = []
        self.arrivals: list[tuple[datetime, str]] = []
        self.centroid: Vector = {}
        self.norm2 = 0.0
        # The centroid's names and numbers alone: what a report in another language shares.
        self.keys: Vector = {}
        self.key_norm2 = 0.0
        self.name_norm2 = 0.0  # the squared norm of the names alone in keys
        # The sources of `arrivals` as a set: the candidate loop asks each story if it holds one.
        self.source_keys: set[str] = set()
        self.lang_set: set[str | None] = set()
        self.title_terms: set[str] = set()  # the words and numbers of the members' titles
        self.seed: Vector = {}  # the sum of the first SEED members' vectors
        self.body_keys: list[int] = []  # the body keys this story registered (StoryEngine._bodies)
        self.first_seen = published
        self.last_updated = published
        self.copies: dict[str, str] = {}  # member → the member whose text it reprints
        self.reports = Reports()
        # The first and newest dates of the members that have a date of their own: an
        # undated member's import time says nothing about when the event happened.
        self.dated: tuple[datetime, datetime] | None = None

    def add_keys(self, keys: Vector, source_key: str) -> None:
        """Count a member's names and numbers, with their norms, and its source into the story."""
        names = names_of(keys)
        self.name_norm2 += 2.0 * _dot(names, self.keys) + norm2_of(names)
        self.key_norm2 += 2.0 * _dot(keys, self.keys) + norm2_of(keys)
        accumulate(self.keys, keys)
        self.source_keys.add(source_key)

    def summary(self) -> StorySummary:
        """Return the story's summary; the headline is the title closest to the centroid."""
        scores = [_dot(v, self.centroid) for v in self.vectors]
        best = max(range(len(scores)), key=scores.__getitem__)
        by_lang: dict[str, int] = {}
        for i, lang in enumerate(self.langs):
            if lang is not None and (lang not in by_lang or scores[i] > scores[by_lang[lang]]):
                by_lang[lang] = i
        return StorySummary(
            id=self.id,
            members=tuple(self.members),
            headline=self.titles[best],
            first_seen=self.first_seen,
            last_updated=self.last_updated,
            sources=len({key for _, key in self.arrivals}),
            arrivals=tuple(self.arrivals),
            headlines_by_lang={lang: self.titles[i] for lang, i in by_lang.items()},
            reports=len(self.members) - len(self.copies),
            copies=dict(self.copies),
        )
