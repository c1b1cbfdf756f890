"""Did-you-mean: the closest, most common word of the top results for each typo'd word."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.search.analysis import edit_distance
from bot.search.plan import Typo


def correction(typo: Typo, seen: Iterable[str], freq: Callable[[str], int]) -> str | None:
    """Return the word of `seen` nearest to the typo (most frequent among equals), if any."""
    best: tuple[int, int, str] | None = None
    for word in set(seen):
        if not word.isalpha() or word == typo.folded:
            continue
        target = word[: len(typo.folded)] if typo.prefix else word
        distance = edit_distance(typo.folded, target, typo.edits)
        if distance > typo.edits:
            continue
        key = (distance, -freq(word), word)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def corrections(typos: list[Typo], seen: list[str], freq: Callable[[str], int]) -> dict[str, str]:
    """Return {typed word: correction} for the typos that have a near word in `seen`."""
    swaps = {}
    for typo in typos:
        fixed = correction(typo, seen, freq)
        if fixed is not None:
            swaps[typo.typed] = fixed
    return swaps
