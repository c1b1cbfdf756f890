"""Sparse-vector arithmetic with its loops in C, in the order (and to the float) of a Python loop."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from itertools import repeat
from operator import add

Vector = dict[str, float]


def accumulate(total: Vector, vector: Vector) -> None:
    """Add vector into total term by term, in its order (0.0 + weight is weight)."""
    sums = map(add, map(total.get, vector, repeat(0.0)), vector.values())
    total.update(zip(vector, sums, strict=True))  # each term read before it is written


def log_counts(counts: Counter[str]) -> Iterator[float]:
    """Return the natural logarithms of the counts, in their order."""
    return map(math.log, counts.values())
