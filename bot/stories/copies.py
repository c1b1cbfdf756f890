"""Copies of one text within a story: an agency story reprinted, a body under a new headline.

Twelve outlets printing one wire text are twelve sources but one report. Each article's body
lead (its first WORDS words; a reprint may be trimmed at the end or carry its own headline)
becomes a MinHash signature of its word 3-gram shingles (datasketch; 32 permutations, 32-bit
values: 128 bytes). An article whose signature agrees with an earlier report of the same story
in at least SAME_TEXT of its positions (an estimate of the shingle sets' Jaccard similarity) is
a copy of that report. Two newsrooms writing about one event share names and numbers, not
runs of three words, so their Jaccard stays far below that (mostly under 0.1).

Memory: only the story engine's active window keeps signatures, one row per report (copies
add none), dropped with the story, and a single-article story only its first HEAD_CHARS
characters; the journal keeps only which member copies which.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

NUM_PERM = 32
WORDS = 50
MIN_WORDS = 12  # fewer words (a title-only item, a snippet) prove nothing: its own report
HEAD_CHARS = 500  # enough for WORDS words of news prose (or of CJK characters)
SAME_TEXT = 0.6
_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")

Prints = npt.NDArray[np.uint32]
Signer = Callable[[str], "Prints | None"]  # a body's signature (`signature`, or one made ahead)


@cache
def _minhash() -> tuple[Any, object]:
    """Return datasketch's MinHash and the one set of permutations every signature uses.

    Imported on first use: datasketch loads scipy (about a second and 40 MB), which commands
    and processes that never cluster (the feed parser's child) should not pay for.
    """
    from datasketch import MinHash

    return MinHash, MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32").permutations


def words_of(body: str) -> list[str]:
    """Return the body's first WORDS words, case-folded; unsegmented CJK counts per character."""
    head = body[:HEAD_CHARS].casefold()
    words = _WORD.findall(head)
    if _CJK.search(head):  # one check per body: most have no CJK at all
        words = [part for word in words for part in (word if _CJK.search(word) else (word,))]
    return words[:WORDS]


def signature(body: str) -> Prints | None:
    """Return the MinHash signature of a body's lead, or None when it is too short to tell."""
    words = words_of(body)
    if len(words) < MIN_WORDS:
        return None
    runs = zip(words, words[1:], words[2:], strict=False)  # word 3-grams
    shingles = [f"{a} {b} {c}".encode() for a, b, c in runs]
    # crc32 runs in C and, like the seeded permutations, is the same in every process: the
    # analysis worker's signatures equal this process's.
    minhash, permutations = _minhash()
    sketch = minhash(
        num_perm=NUM_PERM, hashfunc=zlib.crc32, permutations=permutations, scheme="affine32"
    )
    sketch.update_batch(shingles)
    return np.asarray(sketch.hashvalues, dtype=np.uint32)


class Reports:
    """The signatures of one story's reports and which member each report began with.

    A story's first body waits unsigned (its lead kept, HEAD_CHARS at most) until a second
    member comes: most stories stay single, and signing is most of the cost of this module.
    """

    __slots__ = ("keys", "pending", "prints", "started")

    def __init__(self) -> None:
        self.prints: Prints | None = None
        self.keys: list[str] = []
        self.pending: tuple[str, str, Signer] | None = None
        self.started = False

    def add(self, member: str, body: str, sign: Signer = signature) -> str | None:
        """Return the earlier member whose text this body copies, or None for a new report.

        `sign` gives the body's signature: `signature` itself, or one computed ahead (the
        signature reads only the lead, so the kept lead and the whole body sign alike).
        """
        if not self.started:
            self.started = True
            self.pending = (member, body[:HEAD_CHARS], sign)
            return None
        if self.pending is not None:
            first, head, first_sign = self.pending
            self.pending = None
            self._sign(first, head, first_sign)
        return self._sign(member, body, sign)

    def _sign(self, member: str, body: str, sign: Signer) -> str | None:
        """Sign a body; return the report it copies, or remember it as a new report."""
        sig = sign(body)
        if sig is None:
            return None  # too short to tell: its own report
        if self.prints is not None:
            # Positions agreeing, counted: the share of them without numpy's mean per call.
            agree = np.count_nonzero(self.prints == sig, axis=1)
            best = int(agree.argmax())
            if agree[best] >= SAME_TEXT * NUM_PERM:
                return self.keys[best]
        self.prints = sig[np.newaxis] if self.prints is None else np.vstack([self.prints, sig])
        self.keys.append(member)
        return None
