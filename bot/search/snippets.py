"""Snippets: the best ~200-character passage of an article, HTML-escaped, matched words in <b>.

Matches are found with plain substring search (`str.find`; no regex is ever built from the
query) for the start of each query stem, and each candidate word is confirmed by stemming it:
far cheaper than tokenising every result, which would cost more than the search itself.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

from bot.text.analysis import fold_yo as fold

SNIPPET_CHARS = 200
SCAN_CHARS = 6000  # the best passage of a long article is nearly always near its start
LEAD_CHARS = 30  # context shown before the first bolded word
MAX_PROBE_HITS = 64
_WORD = re.compile(r"\w+")  # a fixed pattern: it only finds where a word ends


@dataclass(frozen=True)
class Needles:
    """What to bold: words with these stems, these exact words, words starting with a prefix."""

    stems: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Match:
    """A bolded word: its span in the text and what it matched (for passage scoring)."""

    start: int
    end: int
    key: str


def _accent_table() -> MappingProxyType[int, str]:
    """Map each accented Latin letter (U+00C0-U+024F) to its base letter, one char for one."""
    table = {}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base.isascii() and base.isalpha():
            table[code] = base
    return MappingProxyType(table)


_ACCENTS = _accent_table()  # immutable; matches what tantivy's ascii_fold does to the index


def _lower(text: str) -> str:
    """Lowercase and fold case, ё and accents without changing the length (offsets stay valid)."""
    low = fold(text.lower())
    if len(low) != len(text):  # a few letters lowercase to two characters: keep those as is
        low = fold("".join(c if len(c.lower()) != 1 else c.lower() for c in text))
    return low if low.isascii() else low.translate(_ACCENTS)


def _word_end(low: str, pos: int) -> int:
    """Return where the word starting at pos ends."""
    found = _WORD.match(low, pos)
    return found.end() if found else pos


def _probes(needles: Needles) -> list[tuple[str, str, str]]:
    """Return (probe, kind, key) substrings to look for; short stems are not worth bolding."""
    out = []
    for stem in needles.stems:
        # Stemming may rewrite the last letter (happy -> happi), so look for the rest.
        probe = stem[:-1] if len(stem) > 3 else stem
        if len(probe) >= 2:
            out.append((probe, "stem", stem))
    out += [(w, "word", w) for w in needles.words if len(w) >= 2]
    out += [(p, "prefix", p) for p in needles.prefixes if len(p) >= 2]
    return out


def find_matches(text: str, needles: Needles, stem_of: Callable[[str], str]) -> list[Match]:
    """Return the words of text (its first SCAN_CHARS) that the needles match, in order."""
    low = _lower(text[:SCAN_CHARS])
    found: dict[int, Match] = {}
    for probe, kind, key in _probes(needles):
        pos, tries = low.find(probe), 0
        while pos >= 0 and tries < MAX_PROBE_HITS:
            tries += 1
            if pos == 0 or not low[pos - 1].isalnum():
                end = _word_end(low, pos)
                word = low[pos:end]
                ok = kind == "prefix" or word == key or (kind == "stem" and stem_of(word) == key)
                if ok:
                    found[pos] = Match(pos, end, key)
            pos = low.find(probe, pos + 1)
    return [found[p] for p in sorted(found)]


def _best_window(matches: list[Match]) -> int:
    """Return the start of the window holding the most distinct, then most, matches."""
    best_start, best_score = 0, (-1, -1)
    for i, first in enumerate(matches):
        keys, count = set(), 0
        for m in matches[i:]:
            if m.end - first.start > SNIPPET_CHARS - LEAD_CHARS:
                break
            keys.add(m.key)
            count += 1
        if (len(keys), count) > best_score:
            best_start, best_score = first.start, (len(keys), count)
    return best_start


def _bounds(text: str, anchor: int) -> tuple[int, int]:
    """Return a window of at most SNIPPET_CHARS around anchor, cut at spaces."""
    # Start at the beginning when the passage is near it anyway: a lead-in reads better.
    start = 0 if anchor <= SNIPPET_CHARS // 2 else anchor - LEAD_CHARS
    if start > 0:
        space = text.find(" ", start, anchor)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end


def render(text: str, matches: list[Match]) -> str:
    """Return the best passage of text as safe HTML with matched words bolded."""
    start, end = _bounds(text, _best_window(matches) if matches else 0)
    parts = ["…"] if start > 0 else []
    pos = start
    for m in matches:
        if m.start < pos or m.end > end:
            continue
        parts.append(html.escape(text[pos : m.start]))
        parts.append("<b>" + html.escape(text[m.start : m.end]) + "</b>")
        pos = m.end
    parts.append(html.escape(text[pos:end]))
    if end < len(text):
        parts.append("…")
    # Hard line-wraps and runs of spaces in the source text mean nothing in a snippet.
    return " ".join("".join(parts).split())
