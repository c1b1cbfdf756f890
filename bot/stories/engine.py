"""Online story clustering: each article joins the most similar active story or starts one.

Pure (no I/O) and incremental: `assign` decides from the items before it only and never
revisits a decision. An item is a sparse TF-IDF vector (IDF from the items seen so far); a
story is the sum of its members' unit vectors. Candidates are the open stories sharing the
item's heaviest terms (inverted indexes of the dated stories and of those of undated reports
only: `bot.stories.postings`), so the cost follows the window, not the archive; how one is
scored: `bot.stories.scoring`; the settings and why: `EngineSettings`.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from operator import mul

from bot.stories.active import ActiveStory
from bot.stories.ahead import Ahead, Features, features_of
from bot.stories.copies import Signer, signature
from bot.stories.postings import Index, candidates, hold, release
from bot.stories.scoring import (
    Vector,
    gap,
    keys_of,
    margin,
    named,
    names_of,
    norm2_of,
    seeded,
    tabular,
    titled,
)
from bot.stories.scoring import dot as _dot
from bot.stories.sparse import accumulate, scaled
from bot.stories.text import ENTITY, NUMBER, Analyzer, length
from bot.stories.values import EngineSettings, StoryItem, StorySummary


def story_id_for(first_item_id: str) -> str:
    """Return the stable id of the story that `first_item_id` opened."""
    return "s" + hashlib.sha1(first_item_id.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


SEED = 4  # members that make a story's seed (see scoring.seeded)
# A body this long seen again is a copy of the same report (a wire story reprinted, an article
# re-posted under a new headline); shorter ones ("Photo", a teaser line) repeat across news.
COPY_MIN_CHARS = 200


class StoryEngine:
    """Assign articles to stories online, in arrival order."""

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self.settings = settings or EngineSettings()
        self._analyzer = Analyzer(self.settings.body_tokens)
        self._df: Counter[str] = Counter()
        self._docs = 0
        self._active: dict[str, ActiveStory] = {}
        # Term -> holders: the dated stories, and those of undated reports only (`candidates`).
        self._dated: Index = {}
        self._timeless: Index = {}
        self._item_story: dict[str, str] = {}
        self._expiry: list[tuple[datetime, str]] = []
        # Body key -> (story id, language, vector) of an active member with that body.
        self._bodies: dict[int, tuple[str, str | None, Vector]] = {}

    def assign(self, item: StoryItem, ahead: Ahead | None = None) -> str:
        """Add item to the best matching active story or a new one; return the story id.

        `ahead` may bring the item's features and body signature, computed in another
        process: the same values the engine would compute.
        """
        known = self._item_story.get(item.id)
        if known is not None:
            return known
        self._advance(item.published)
        copy = self._copy_of(item)
        if copy is not None:
            # A copy of an active member's report joins its story as that member did: no
            # analysis, no new evidence for the document frequencies.
            story_id, lang, vector = copy
            story: ActiveStory | None = self._active[story_id]
            headline: frozenset[str] = frozenset()
            keys = keys_of(vector)
        else:
            lang, vector, headline = self._vectorise(item, ahead.features if ahead else None)
            keys = keys_of(vector)
            story = self._best_story(vector, keys, headline, item, lang)
        if story is None:
            story = self._open(story_id_for(item.id), item.published)
        self._join(story, item, lang, vector, keys, ahead.sign if ahead else signature)
        story.title_terms |= headline
        return story.id

    def restore(self, assignments: Iterable[tuple[str, StoryItem]]) -> None:
        """Replay known (story id, item) pairs in arrival order without deciding anything.

        It rebuilds DF, centroids and index as `assign` would (from the window alone)."""
        self.restore_ahead((story_id, item, None) for story_id, item in assignments)

    def restore_ahead(self, assignments: Iterable[tuple[str, StoryItem, Ahead | None]]) -> None:
        """`restore`, each item with its features and signature made ahead (or None: here)."""
        for story_id, item, ahead in assignments:
            if item.id in self._item_story:
                continue
            self._advance(item.published)
            copy = self._copy_of(item)
            headline: frozenset[str] = frozenset()
            if copy is not None and copy[0] == story_id:
                _, lang, vector = copy
            else:
                lang, vector, headline = self._vectorise(item, ahead and ahead.features)
            story = self._active.get(story_id) or self._open(story_id, item.published)
            sign = ahead.sign if ahead else signature
            self._join(story, item, lang, vector, keys_of(vector), sign)
            story.title_terms |= headline

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

    def _advance(self, published: datetime) -> None:
        """Drop the stories that fell out of the window before this article's time."""
        # The present is the last article's time, not the latest time seen: an archive of
        # older news imported after newer (or after undated news stamped "now") moves it
        # back, and its stories stay open for each other. Only moving forward closes any.
        cutoff = published - self.settings.window
        while self._expiry and self._expiry[0][0] < cutoff:
            _, story_id = heapq.heappop(self._expiry)
            story = self._active.get(story_id)
            # The heap keeps one entry per added article; only the newest one counts.
            if story is not None and story.last_updated < cutoff:
                self._drop(story)

    def _copy_of(self, item: StoryItem) -> tuple[str, str | None, Vector] | None:
        """Return story, language and vector of an active member with the same long body."""
        return self._bodies.get(hash(item.body)) if len(item.body) >= COPY_MIN_CHARS else None

    def _drop(self, story: ActiveStory) -> None:
        del self._active[story.id]
        for key in story.body_keys:
            self._bodies.pop(key, None)
        release(story.id, story.centroid, self._index_of(story))
        for member in story.members:
            self._item_story.pop(member, None)

    def _vectorise(
        self, item: StoryItem, features: Features | None = None
    ) -> tuple[str | None, Vector, frozenset[str]]:
        """Return the item's language, unit TF-IDF vector and title words; count it into the DF."""
        s = self.settings
        lang, raw, title = features or features_of(self._analyzer, item, s.title_weight)
        self._docs += 1
        self._df.update(raw.keys())
        if len(self._df) > s.max_terms:
            # Names, numbers and typos make the vocabulary open-ended; keeping the most
            # frequent half bounds memory and only forgets terms too rare to link stories.
            self._df = Counter(dict(self._df.most_common(s.max_terms // 2)))
        docs, df = self._docs, self._df
        counts = list(map(df.__getitem__, raw))
        # Terms share few distinct frequencies: each one's IDF is computed once.
        idf = {n: math.log((docs + 1) / (n + 1)) + 1.0 for n in set(counts)}
        weights: Iterable[float] = raw.values()
        if s.entity_weight != 1.0:  # times 1.0 is the same float: no test per term then
            weights = [
                w * s.entity_weight if t[0] in (ENTITY, NUMBER) else w for t, w in raw.items()
            ]
        vector = dict(zip(raw, map(mul, weights, map(idf.__getitem__, counts)), strict=True))
        norm = math.sqrt(norm2_of(vector))
        if norm > 0:
            vector = scaled(vector, norm)
        return lang, vector, title

    def _best_story(
        self,
        vector: Vector,
        keys: Vector,
        headline: frozenset[str],
        item: StoryItem,
        lang: str | None,
    ) -> ActiveStory | None:
        """Return the story with the largest margin over its threshold, if any clears it."""
        s = self.settings
        best: ActiveStory | None = None
        best_margin = 0.0
        table = tabular(vector, keys, s)
        own, names = (item.source_key, names_of(keys)) if item.source else ("", {})
        names_norm2 = norm2_of(names)
        size = length(vector, lang)
        found = candidates(vector, keys, self._dated, s, self._timeless, item.undated)
        for story_id in found:
            story = self._active[story_id]
            if table and lang in story.lang_set:
                continue  # a table's words are its form's; across languages its figures meet
            if not named(names, names_norm2, own, lang, story, s):
                continue  # an outlet's style, not its names: cheaper than scoring the words
            distance = gap(story, item, s)
            if distance > s.window and not (item.undated or story.dated is None):
                continue  # an undated gap is a stand-in, not a distance: no cut-off
            raise_by = s.gap_penalty * distance.total_seconds() / 86400
            clears, shared = margin(vector, keys, size, lang, story, raise_by, s)
            # The seed link only for a story that would win: it saves it for most.
            if (
                clears >= best_margin
                and shared >= s.min_shared
                and seeded(vector, story, raise_by, s.link)
                and titled(vector, headline, size, lang, story, s)
            ):
                best, best_margin = story, clears
        return best

    def _open(self, story_id: str, published: datetime) -> ActiveStory:
        story = ActiveStory(story_id, published)
        self._active[story_id] = story
        return story

    def _join(
        self,
        story: ActiveStory,
        item: StoryItem,
        lang: str | None,
        vector: Vector,
        keys: Vector,
        sign: Signer = signature,
    ) -> None:
        """Add item (`keys`: its names and numbers) to story; register and `sign` its body."""
        if not item.undated:
            at = item.published
            if story.dated is None and story.members:
                # Its first dated report: dated articles look it up as they do the others.
                release(story.id, story.centroid, self._timeless)
                hold(story.id, story.centroid, self._dated)
            story.dated = (
                (min(story.dated[0], at), max(story.dated[1], at)) if story.dated else (at, at)
            )
        self._add(story, item, lang, vector, keys, sign)
        story.lang_set.add(lang)
        if len(item.body) >= COPY_MIN_CHARS:
            key = hash(item.body)
            if key not in self._bodies:
                self._bodies[key] = (story.id, lang, vector)
                story.body_keys.append(key)
        if len(story.members) <= SEED:
            accumulate(story.seed, vector)

    def _index_of(self, story: ActiveStory) -> Index:
        return self._dated if story.dated is not None else self._timeless

    def _add(
        self,
        story: ActiveStory,
        item: StoryItem,
        lang: str | None,
        vector: Vector,
        keys: Vector,
        sign: Signer,
    ) -> None:
        """Add item to story: centroid, its norm, the index, the times and the expiry heap."""
        centroid = story.centroid
        story.norm2 += 2.0 * _dot(vector, centroid) + norm2_of(vector)
        story.add_keys(keys, item.source_key)
        # The new terms found in C; each posting set gets the story once, in any term order.
        hold(story.id, vector.keys() - centroid.keys(), self._index_of(story))
        accumulate(centroid, vector)
        story.members.append(item.id)
        story.titles.append(item.title)
        story.langs.append(lang)
        story.vectors.append(vector)
        story.arrivals.append((item.published, item.source_key))
        original = story.reports.add(item.id, item.body, sign)
        if original is not None:
            story.copies[item.id] = original
        story.first_seen = min(story.first_seen, item.published)
        story.last_updated = max(story.last_updated, item.published)
        self._item_story[item.id] = story.id
        heapq.heappush(self._expiry, (story.last_updated, story.id))
