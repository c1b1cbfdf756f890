"""What the engine computes of an item alone, made ahead of its turn in another process.

An item's features (language, term weights before IDF, headline words) and its body signature
depend on its text alone; the rest of an assignment depends on every article before it. The
worker sends them back as plain values (a dict, a frozenset, bytes), which the engine's thread
unpickles in C: rebuilding Counters and arrays, and weighing the terms there, cost it 4 × as much.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from bot.stories.copies import Prints
from bot.stories.sparse import Vector, term_weights
from bot.stories.text import ENTITY, Analyzer
from bot.stories.values import StoryItem


class Features(NamedTuple):
    """An item's language, term weights before IDF (`sparse.term_weights`) and headline words."""

    lang: str | None
    weights: Vector
    title: frozenset[str]


def features_of(analyzer: Analyzer, item: StoryItem, title_weight: float) -> Features:
    """Return an item's features: pure, so any process may compute them."""
    lang, headline, body = analyzer.analyse(item)
    title = frozenset(t for t in headline if t[0] != ENTITY)  # names weigh in the keys
    return Features(lang, term_weights(headline, body, title_weight), title)


class Ahead(NamedTuple):
    """An item's features and body signature (its raw bytes, or None: too short to tell)."""

    features: Features
    prints: bytes | None

    def sign(self, body: str) -> Prints | None:
        """Return the signature made ahead (a `copies.Signer` for the item's own body).

        Made an array only here: most bodies are never signed (their story stays single).
        """
        return None if self.prints is None else np.frombuffer(self.prints, dtype=np.uint32)
