"""Did-you-mean: the closest, most common word of the top results for each typo'd word."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.search.analysis import edit_distance
from bot.search.results import Typo

# A word the index knows is "corrected" only to a far more common neighbour (a corpus typo
# like "goverment" has a few articles, "government" thousands); "collagen" is no typo of
# "college".
KNOWN_WORD_FACTOR = 10


def _distance(typo: Typo, word: str, letters: set[str]) -> int:
    """Return the edits from the typo to word (to some start of word, for a prefix typo)."""
    size, edits = len(typo.folded), typo.edits
    lengths = range(size - edits, size + edits + 1) if typo.prefix else (len(word),)
    best = edits + 1
    for length in lengths:
        target = word[:length]
        # One edit changes the set of letters by at most two: a cheap test before the DP.
        if len(letters ^ set(target)) <= 2 * edits:
            best = min(best, edit_distance(typo.folded, target, edits))
    return best


def correction(
    typo: Typo, seen: Iterable[str], freq: Callable[[str], int], stem_of: Callable[[str], str]
) -> str | None:
    """Return the word of `seen` nearest to the typo (most frequent among equals), if any."""
    best: tuple[int, int, str] | None = None
    size, edits, letters = len(typo.folded), typo.edits, set(typo.folded)
    for word in set(seen):
        if word == typo.folded or not word.isalpha():
            continue
        if not typo.prefix and abs(len(word) - size) > edits:
            continue
        distance = _distance(typo, word, letters)
        if distance > typo.edits:
            continue
        common = freq(word)
        stem = stem_of(word)
        if common < typo.freq * KNOWN_WORD_FACTOR or not stem or stem == typo.stem:
            continue  # rarer than a known word typed, a stop word, or another inflection
        key = (distance, -common, word)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def corrections(
    typos: list[Typo], seen: list[str], freq: Callable[[str], int], stem_of: Callable[[str], str]
) -> dict[str, str]:
    """Return {typed word: correction} for the typos that have a near word in `seen`."""
    swaps = {}
    for typo in typos:
        fixed = correction(typo, seen, freq, stem_of)
        if fixed is not None:
            swaps[typo.typed] = fixed
    return swaps
