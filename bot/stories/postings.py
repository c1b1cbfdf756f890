"""The open stories' inverted index (term -> holders) and the candidates an article meets there.

The engine keeps two: the dated stories, and those of undated reports only, which an article
meets only on text close to a copy (`EngineSettings.undated_shared`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import chain, compress, repeat
from operator import ge, itemgetter

from bot.stories.sparse import Vector
from bot.stories.values import EngineSettings

Index = dict[str, set[str]]  # term -> the open stories holding it


def candidates(
    vector: Vector,
    keys: Vector,
    dated: Index,
    s: EngineSettings,
    timeless: Index | None = None,
    undated: bool = False,
) -> list[str]:
    """Return open stories sharing the item's heaviest terms or names and numbers, most first.

    `dated` holds the dated stories, `timeless` those of undated reports only. A pair
    without a time between them (an undated story, or an `undated` item) joins only on text
    close to a copy (`undated_gap`), which shares most of these terms: it needs
    `undated_shared` of them, not two.
    """
    # sorted()[:n] is heapq.nlargest's documented equivalent (ties too), at C speed.
    heaviest = sorted(vector.items(), key=itemgetter(1), reverse=True)[: s.candidate_terms]
    # A report in another language shares names and numbers, not words: its heaviest terms are
    # its own words, so its heaviest keys are looked up as well (each term once, in order).
    terms = dict.fromkeys(t for t, _ in heaviest)
    heavy_keys = sorted(keys.items(), key=itemgetter(1), reverse=True)[: s.candidate_keys]
    terms.update(dict.fromkeys(t for t, _ in heavy_keys))
    # A story sharing one heavy term only rarely clears min_shared with the light ones:
    # scoring it costs a pass over the item's terms, most of the time of an assign.
    least = min(2, s.min_shared)
    strict = max(least, s.undated_shared)
    ranked = _shared(terms, dated, strict if undated else least, s)
    if timeless:
        ranked += _shared(terms, timeless, strict, s)
    # Most shared terms first, ties by story id: the order of a set of ids follows the
    # per-process string hash, and a rebuild must not (two sorts in C, the second stable).
    ranked.sort()
    ranked.sort(key=itemgetter(1), reverse=True)
    return [sid for sid, _ in ranked[: s.max_candidates]]


def _shared(
    terms: Iterable[str], postings: Index, least: int, s: EngineSettings
) -> list[tuple[str, int]]:
    """Return (story, terms shared) for the stories of postings that share `least` terms."""
    # A term held by many open stories names no event (`EngineSettings.max_holders`).
    lists = [h for t in terms if (h := postings.get(t)) and len(h) <= s.max_holders]
    if len(lists) < least:
        return []
    # A story in `least` of the lists is in one of any len - least + 1 of them: from 3 on, the
    # least - 1 longest are not counted, only looked up for the stories the others found (in
    # C). At 2 every list is counted: leaving out the longest saves one list of about sixteen.
    lists.sort(key=len)
    split = len(lists) - least + 1 if least > 2 else len(lists)
    # One count over the lists, in C: at 100,000 articles (16 lists, 570 stories, 130 of
    # them in two or more) it takes 40 % of the time set operations took to find those first.
    hits = Counter(chain.from_iterable(lists[:split]))
    for longer in lists[split:]:
        hits.update(hits.keys() & longer)
    return list(compress(hits.items(), map(ge, hits.values(), repeat(least))))


def hold(story_id: str, terms: Iterable[str], index: Index) -> None:
    """Add story_id to the holders of each term in index."""
    for term in terms:
        holders = index.get(term)
        if holders is None:
            index[term] = {story_id}
        else:
            holders.add(story_id)


def release(story_id: str, terms: Iterable[str], index: Index) -> None:
    """Take story_id out of the holders of each term in index."""
    for term in terms:
        holders = index.get(term)
        if holders is not None:
            holders.discard(story_id)
            if not holders:
                del index[term]
