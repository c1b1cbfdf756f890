"""Online story clustering: each article joins the most similar active story or starts one.

The engine is pure (no I/O) and incremental: `assign` decides from the items before it only,
and never revisits a decision. An item is a sparse TF-IDF vector (IDF from the items seen so
far); a story is the sum of its members' unit vectors. Candidates are the active stories that
share one of the item's heaviest terms (an inverted index), so the cost follows the size of
the time window, not of the archive. Stories whose newest article is older than `window`
before the newest item seen are dropped from the active set.

The default settings and why they were chosen: `bot.stories.values.EngineSettings`.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from operator import itemgetter

from bot.stories.copies import Reports
from bot.stories.ranking import top_stories
from bot.stories.text import ENTITY, NUMBER, Analyzer, strip_attribution
from bot.stories.values import EngineSettings, StoryItem, StorySummary

Vector = dict[str, float]


def story_id_for(first_item_id: str) -> str:
    """Return the stable id of the story that `first_item_id` opened."""
    return "s" + hashlib.sha1(first_item_id.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


ZERO = timedelta(0)


def _words(terms: Iterable[str]) -> int:
    """Return how many of the terms are words (a name's entity feature is not counted again)."""
    return sum(1 for t in terms if t[0] != ENTITY)


def _dot(small: Vector, big: Vector) -> float:
    get = big.get
    return sum(w * get(t, 0.0) for t, w in small.items())


class _Story:
    """Mutable state of one active story; private to the engine."""

    __slots__ = (
        "arrivals",
        "centroid",
        "copies",
        "first_seen",
        "id",
        "langs",
        "last_updated",
        "members",
        "norm2",
        "reports",
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
        self.first_seen = published
        self.last_updated = published
        self.copies: dict[str, str] = {}  # member → the member whose text it reprints
        self.reports = Reports()

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


class StoryEngine:
    """Assign articles to stories online, in arrival order."""

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self.settings = settings or EngineSettings()
        self._analyzer = Analyzer(self.settings.body_tokens)
        self._df: Counter[str] = Counter()
        self._docs = 0
        self._active: dict[str, _Story] = {}
        self._postings: dict[str, set[str]] = {}
        self._item_story: dict[str, str] = {}
        self._expiry: list[tuple[datetime, str]] = []
        self._clock: datetime | None = None

    def assign(self, item: StoryItem) -> str:
        """Add item to the best matching active story or a new one; return the story id."""
        known = self._item_story.get(item.id)
        if known is not None:
            return known
        self._advance(item.published)
        lang, vector = self._vectorise(item)
        story = self._best_story(vector, item.published)
        if story is None:
            story = self._open(story_id_for(item.id), item.published)
        self._add(story, item, lang, vector)
        return story.id

    def restore(self, assignments: Iterable[tuple[str, StoryItem]]) -> None:
        """Replay known (story id, item) pairs in arrival order without deciding anything.

        This rebuilds the document frequencies, centroids and index exactly as `assign`
        would have, so restoring everything seen so far and continuing gives the same ids
        as an uninterrupted run. The service reloads the members of stories updated within
        the window; IDF then only knows those items, a small and documented difference.
        """
        for story_id, item in assignments:
            if item.id in self._item_story:
                continue
            self._advance(item.published)
            lang, vector = self._vectorise(item)
            story = self._active.get(story_id) or self._open(story_id, item.published)
            self._add(story, item, lang, vector)

    def story_of(self, item_id: str) -> str | None:
        """Return the story of an item that is still in the active window."""
        return self._item_story.get(item_id)

    def copy_of(self, item_id: str) -> str | None:
        """Return the earlier member whose text an active item reprints, or None."""
        story = self._active.get(self._item_story.get(item_id, ""))
        return story.copies.get(item_id) if story is not None else None

    def summaries(self) -> list[StorySummary]:
        """Return the summaries of all active stories, oldest first."""
        return [story.summary() for story in self._active.values()]

    def summary(self, story_id: str) -> StorySummary | None:
        """Return one active story's summary, or None if it is unknown or expired."""
        story = self._active.get(story_id)
        return story.summary() if story else None

    def top(
        self,
        now: datetime,
        period: timedelta,
        n: int,
        topic_filter: Callable[[StorySummary], bool] | None = None,
    ) -> list[StorySummary]:
        """Return the n most important active stories of the period ending at now."""
        return top_stories(self.summaries(), now, period, n, topic_filter)

    def _advance(self, published: datetime) -> None:
        """Move the stream clock and drop stories that fell out of the window."""
        if self._clock is None or published > self._clock:
            self._clock = published
        cutoff = self._clock - self.settings.window
        while self._expiry and self._expiry[0][0] < cutoff:
            _, story_id = heapq.heappop(self._expiry)
            story = self._active.get(story_id)
            # The heap keeps one entry per added article; only the newest one counts.
            if story is not None and story.last_updated < cutoff:
                self._drop(story)

    def _drop(self, story: _Story) -> None:
        del self._active[story.id]
        for term in story.centroid:
            holders = self._postings.get(term)
            if holders is not None:
                holders.discard(story.id)
                if not holders:
                    del self._postings[term]
        for member in story.members:
            self._item_story.pop(member, None)

    def _vectorise(self, item: StoryItem) -> tuple[str | None, Vector]:
        """Return the item's language and unit TF-IDF vector, counting it into the DF first."""
        s = self.settings
        lang = self._analyzer.language(item.title, item.body, item.lang)
        title, body = strip_attribution(item.title, item.body)
        raw: dict[str, float] = {}
        for term, count in self._analyzer.terms(title, lang).items():
            raw[term] = s.title_weight * (1.0 + math.log(count))
        for term, count in self._analyzer.terms(body, lang, s.body_tokens).items():
            raw[term] = raw.get(term, 0.0) + 1.0 + math.log(count)
        self._docs += 1
        self._df.update(raw.keys())
        if len(self._df) > s.max_terms:
            # Names, numbers and typos make the vocabulary open-ended; keeping the most
            # frequent half bounds memory and only forgets terms too rare to link stories.
            self._df = Counter(dict(self._df.most_common(s.max_terms // 2)))
        docs = self._docs
        df = self._df
        vector: Vector = {}
        for term, weight in raw.items():
            if term[0] in (ENTITY, NUMBER):
                weight *= s.entity_weight
            vector[term] = weight * (math.log((docs + 1) / (df[term] + 1)) + 1.0)
        norm = math.sqrt(sum(w * w for w in vector.values()))
        if norm > 0:
            vector = {t: w / norm for t, w in vector.items()}
        return lang, vector

    def _candidates(self, vector: Vector) -> list[str]:
        """Return active stories sharing the item's heaviest terms, most shared first."""
        s = self.settings
        hits: Counter[str] = Counter()
        for term, _ in heapq.nlargest(s.candidate_terms, vector.items(), key=itemgetter(1)):
            hits.update(self._postings.get(term, ()))
        # A story sharing one heavy term only rarely clears min_shared with the light ones:
        # scoring it costs a pass over the item's terms, most of the time of an assign.
        least = min(2, s.min_shared)
        return [sid for sid, n in hits.most_common(s.max_candidates) if n >= least]

    def _best_story(self, vector: Vector, published: datetime) -> _Story | None:
        """Return the story with the largest margin over its threshold, if any clears it."""
        s = self.settings
        best: _Story | None = None
        best_margin = 0.0
        for story_id in self._candidates(vector):
            story = self._active[story_id]
            # Distance to the story's span: an archive imported out of order brings articles
            # from before a story's first report, which must not count as "no gap".
            gap = max(story.first_seen - published, published - story.last_updated, ZERO)
            if gap > s.window:
                continue
            common = vector.keys() & story.centroid.keys()  # a set operation, in C
            score = sum([vector[t] * story.centroid[t] for t in common]) / math.sqrt(story.norm2)
            if s.member_weight > 0:
                link = max(_dot(vector, v) for v in story.vectors[-32:])
                score = (1 - s.member_weight) * score + s.member_weight * link
            margin = score - (s.threshold + s.gap_penalty * gap.total_seconds() / 86400)
            # Counting shared words only for a story that would win saves it for most.
            if margin >= best_margin and _words(common) >= s.min_shared:
                best, best_margin = story, margin
        return best

    def _open(self, story_id: str, published: datetime) -> _Story:
        story = _Story(story_id, published)
        self._active[story_id] = story
        return story

    def _add(self, story: _Story, item: StoryItem, lang: str | None, vector: Vector) -> None:
        """Add item to story: centroid, its norm, the index, the times and the expiry heap."""
        centroid = story.centroid
        story.norm2 += 2.0 * _dot(vector, centroid) + sum(w * w for w in vector.values())
        for term, weight in vector.items():
            if term not in centroid:
                centroid[term] = 0.0
                self._postings.setdefault(term, set()).add(story.id)
            centroid[term] += weight
        story.members.append(item.id)
        story.titles.append(item.title)
        story.langs.append(lang)
        story.vectors.append(vector)
        story.arrivals.append((item.published, item.source_key))
        original = story.reports.add(item.id, item.body)
        if original is not None:
            story.copies[item.id] = original
        story.first_seen = min(story.first_seen, item.published)
        story.last_updated = max(story.last_updated, item.published)
        self._item_story[item.id] = story.id
        heapq.heappush(self._expiry, (story.last_updated, story.id))
