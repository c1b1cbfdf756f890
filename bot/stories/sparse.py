"""Sparse-vector arithmetic with its loops in C, in the order (and to the float) of a Python loop."""

from __future__ import annotations

import math
from collections import Counter
from itertools import repeat
from operator import add, mul, truediv

Vector = dict[str, float]


def accumulate(total: Vector, vector: Vector) -> None:
    """Add vector into total term by term, in its order (0.0 + weight is weight)."""
    sums = map(add, map(total.get, vector, repeat(0.0)), vector.values())
    total.update(zip(vector, sums, strict=True))  # each term read before it is written


def term_weights(headline: Counter[str], body: Counter[str], title_weight: float) -> Vector:
    """Return each term's weight: title_weight × (1 + ln n) in the title, plus 1 + ln n in the body."""
    logs = map(math.log, headline.values())
    weights = dict(
        zip(headline, map(mul, repeat(title_weight), map(add, repeat(1.0), logs)), strict=True)
    )
    # (earlier + 1.0) + ln n, as `weights.get(term, 0.0) + 1.0 + math.log(n)` sums it
    sums = map(
        add,
        map(add, map(weights.get, body, repeat(0.0)), repeat(1.0)),
        map(math.log, body.values()),
    )
    weights.update(zip(body, sums, strict=True))  # each body term read before it is written
    return weights


def scaled(vector: Vector, norm: float) -> Vector:
    """Return the vector divided by norm, term by term."""
    return dict(zip(vector, map(truediv, vector.values(), repeat(norm)), strict=True))
