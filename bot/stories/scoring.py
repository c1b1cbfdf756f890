"""How an article is scored against one open story: gap, thresholds, seed, keys and headline.

Pure functions over sparse vectors, used by `bot.stories.engine`; the settings and why they
are what they are: `bot.stories.values.EngineSettings`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from itertools import repeat
from operator import mul
from typing import Protocol

from bot.stories.text import ENTITY, NUMBER, country_terms
from bot.stories.values import EngineSettings, StoryItem
from bot.text.names import distinct

Vector = dict[str, float]
ZERO = timedelta(0)


class Scored(Protocol):
    """What scoring reads of an open story."""

    centroid: Vector
    norm2: float
    keys: Vector
    key_norm2: float
    lang_set: set[str | None]
    dated: tuple[datetime, datetime] | None
    seed: Vector
    members: list[str]
    title_terms: set[str]
    name_norm2: float
    source_keys: set[str]


def dot(small: Vector, big: Vector) -> float:
    """Return the dot product, iterating over the smaller vector."""
    # map() keeps the loop in C; the sum runs in the same order, so the float is the same.
    total: float = sum(map(mul, small.values(), map(big.get, small, repeat(0.0))))
    return total


def marked(terms: Iterable[str], mark: str) -> int:
    """Return how many of the terms are features of one kind (`ENTITY`, `NUMBER`), in C."""
    return list(map(str.startswith, terms, repeat(mark))).count(True)


def words(terms: Collection[str]) -> int:
    """Return how many of the terms are words (a name's entity feature is not counted again)."""
    return len(terms) - marked(terms, ENTITY)


def keys_of(vector: Vector) -> Vector:
    """Return the name and number features of a vector, the ones no language owns."""
    return {t: w for t, w in vector.items() if t[0] in (ENTITY, NUMBER)}


def names_of(keys: Vector) -> Vector:
    """Return the name features of an item's keys: who and where, without the figures."""
    return {t: w for t, w in keys.items() if t[0] == ENTITY}


def named(
    names: Vector, norm2: float, own: str, lang: str | None, story: Scored, s: EngineSettings
) -> bool:
    """Tell whether an item from a source the story holds (`own`) names whom the story names.

    An outlet's reports share its house style, so its words cannot tell its events apart
    ("… SETS PAYOUT / Qtly div … Pay … Record …"); who and where they are about can. `norm2`
    is the squared norm of the item's names. Across languages only names and numbers meet.
    """
    if s.own_names <= 0 or own not in story.source_keys or lang not in story.lang_set:
        return True
    both = norm2 * story.name_norm2
    return both > 0 and dot(names, story.keys) >= s.own_names * math.sqrt(both)


def tabular(vector: Vector, keys: Vector, s: EngineSettings) -> bool:
    """Tell whether an article is mostly figures (a results table, a price list), not prose."""
    if s.table_share <= 0:
        return False
    return marked(keys, NUMBER) >= s.table_share * len(vector) > 0


def norm2_of(vector: Vector) -> float:
    """Return the squared norm of a vector."""
    # map() keeps the loop in C; the squares are summed in the same order as a loop would.
    total: float = sum(map(mul, vector.values(), vector.values()))
    return total


def _cosine(small: Vector, big: Vector, big_norm2: float) -> float:
    norm2 = norm2_of(small)
    if norm2 <= 0 or big_norm2 <= 0:
        return 0.0
    return dot(small, big) / math.sqrt(norm2 * big_norm2)


def gap(story: Scored, item: StoryItem, settings: EngineSettings) -> timedelta:
    """Return the time between item and story that raises the thresholds.

    Distance to the story's dated span: an archive imported out of order brings articles from
    before a story's first report, which must not count as "no gap". An undated article (or a
    story of undated ones) carries no time: arriving in the same import is no sign of one
    event, so it is judged as if `undated_gap` away and needs stronger text.
    """
    if item.undated or story.dated is None:
        return settings.undated_gap
    first, last = story.dated
    return max(first - item.published, item.published - last, ZERO)


def margin(
    vector: Vector,
    keys: Vector,
    size: float,
    lang: str | None,
    story: Scored,
    raise_by: float,
    s: EngineSettings,
) -> tuple[float, int]:
    """Return how far item clears the story's threshold, and how many terms they share.

    `size` is the item's length in words (`text.length`).

    The shared terms are counted only when the item clears (0 when it does not, as it then
    never joins): most candidates do not, and counting was a sixth of scoring them.
    """
    centroid = story.centroid
    common = vector.keys() & centroid.keys()  # a set operation, in C
    # The products in C, summed in the same order as a loop would: the same float.
    products = map(mul, map(vector.__getitem__, common), map(centroid.__getitem__, common))
    score = sum(products) / math.sqrt(story.norm2)
    by_keys = False
    if keys and (lang not in story.lang_set or len(story.lang_set) > 1) and s.key_weight > 0:
        # Another language shares names and numbers, not words: weigh those alone. So does a
        # story in several languages: part of its centroid is another language's words, which
        # a second report in this one cannot share (an English report and its Russian
        # translation, then a Russian report in other words).
        key_score = s.key_weight * _cosine(keys, story.keys, story.key_norm2)
        if key_score > score:
            score, by_keys = key_score, True
    threshold = s.threshold
    if s.length_ref and lang in story.lang_set:
        # In one language two reports of a topic share its words by chance, the more the
        # longer they are; across languages only names and numbers can meet.
        threshold *= max(1.0, size / s.length_ref) ** s.length_power
    clears = score - (threshold + raise_by)
    if clears < 0:
        return clears, 0
    return clears, distinct(keys.keys() & story.keys.keys()) if by_keys else words(common)


def seeded(vector: Vector, story: Scored, raise_by: float, link: float) -> bool:
    """Tell whether item is close enough to the story's first reports (its seed).

    The centroid follows whatever joined; the seed does not move after its first members, so
    a story cannot drift from the event it started with, one close step at a time.
    """
    if link <= 0 or len(story.members) < 2:
        return True
    seed = story.seed
    return dot(vector, seed) / math.sqrt(dot(seed, seed)) >= link + raise_by


def titled(
    vector: Vector,
    headline: frozenset[str],
    size: float,
    lang: str | None,
    story: Scored,
    s: EngineSettings,
) -> bool:
    """Tell whether a long article (`size` words) tells the story's event: its words, no new day."""
    if not (s.title_shared and s.length_ref) or size <= s.length_ref:
        return True  # a headline and a snippet say little besides their title
    if lang not in story.lang_set:
        return True  # across languages titles share names at best: the key score judges
    if not (headline and story.title_terms):
        return True  # an untitled post (a channel's, a bare feed item) has only its text
    shared = headline & story.title_terms
    if _dated(headline) and not _dated(shared):
        # A day the story's headlines do not name is another event of the topic: the forecast
        # for 16 November after the one for 8 November, a resumption "on 9 November" after a
        # postponement.
        return False
    if not s.title_countries:
        # A country sets the scene of many events: "Ukraine" and "Russia" head a prisoner swap,
        # a counter-offensive and a call for referendums alike. What else the headline says
        # tells the event.
        headline -= country_terms(lang)
        shared = headline & story.title_terms
    need = max(1, int(s.title_shared * math.sqrt(size / s.length_ref)))
    if len(shared) >= need:
        return True
    # Two headlines may tell one event in other words ("нашли череп", "обнаружили скелет"): then each
    # headline's words must be in the other's text, more of them than the headlines need.
    told = need + s.reworded
    return (
        len(story.centroid.keys() & headline) >= told
        and len(vector.keys() & story.title_terms) >= told
    )


def _dated(terms: Iterable[str]) -> bool:
    """Tell whether the terms hold a day-and-month date key ("#11/8")."""
    return any(t[0] == NUMBER and "/" in t for t in terms)
