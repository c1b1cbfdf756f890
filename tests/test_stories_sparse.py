"""Sparse-vector arithmetic in C: the same floats, in the same term order, as the loops it replaced."""

from __future__ import annotations

import math
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from bot.stories.sparse import accumulate, scaled, term_weights

TERMS = st.text(alphabet="abcdef#", min_size=1, max_size=3)
VECTORS = st.dictionaries(TERMS, st.floats(min_value=1e-6, max_value=10.0), max_size=30)
COUNTS = st.dictionaries(TERMS, st.integers(min_value=1, max_value=50), max_size=30).map(Counter)


@given(VECTORS, VECTORS)
def test_accumulating_equals_adding_term_by_term(
    total: dict[str, float], vector: dict[str, float]
) -> None:
    """Each term's sum is the loop's float, and new terms come after the old, in the vector's order."""
    expected = dict(total)
    for term, weight in vector.items():
        expected[term] = expected.get(term, 0.0) + weight
    accumulate(total, vector)
    assert list(total.items()) == list(expected.items())


@given(COUNTS, COUNTS, st.sampled_from([1.0, 2.0, 3.5]))
def test_term_weights_equal_the_loop_over_title_then_body(
    headline: Counter[str], body: Counter[str], title_weight: float
) -> None:
    """Title terms first, then the body's new ones; a term in both sums both weights."""
    expected: dict[str, float] = {}
    for term, count in headline.items():
        expected[term] = title_weight * (1.0 + math.log(count))
    for term, count in body.items():
        expected[term] = expected.get(term, 0.0) + 1.0 + math.log(count)
    assert list(term_weights(headline, body, title_weight).items()) == list(expected.items())


@given(VECTORS, st.floats(min_value=1e-3, max_value=100.0))
def test_scaling_divides_each_weight(vector: dict[str, float], norm: float) -> None:
    """Each weight divided by the norm, in order."""
    assert list(scaled(vector, norm).items()) == [(t, w / norm) for t, w in vector.items()]
