"""The one wait between retries: doubled per failure, capped, shortened at random by jitter."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.backoff import JITTER, retry_after, retry_delay


def test_waits_double_up_to_the_cap_without_jitter() -> None:
    waits = [retry_delay(1.0, n, 30.0, rand=lambda: 0.0) for n in range(1, 8)]
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_jitter_takes_at_most_its_share_off() -> None:
    assert retry_delay(10.0, 1, 60.0, rand=lambda: 1.0) == 10.0 * (1 - JITTER)
    assert retry_delay(10.0, 3, 60.0, rand=lambda: 0.5) == 40.0 * (1 - JITTER / 2)


@given(st.floats(0.001, 3600), st.integers(0, 10_000), st.floats(0.001, 86400), st.floats(0, 1))
def test_a_wait_is_never_above_the_cap_nor_below_its_jittered_floor(
    first: float, retry: int, cap: float, rand: float
) -> None:
    wait = retry_delay(first, retry, cap, rand=lambda: rand)
    full = min(first * 2.0 ** max(retry - 1, 0), cap) if retry < 40 else cap
    assert (1 - JITTER) * full - 1e-9 <= wait <= min(full, cap) + 1e-9


def test_waits_that_start_together_spread_out() -> None:
    """Twenty feeds that failed at once come back at twenty different times."""
    waits = {retry_delay(900.0, 1, 21600.0) for _ in range(20)}
    assert len(waits) == 20 and min(waits) >= 900.0 * (1 - JITTER) and max(waits) <= 900.0


def test_retry_after_reads_what_servers_send_beyond_the_rfc() -> None:
    """Decimals and "inf" are sent too: read as seconds, the endless as "long" (callers cap it)."""
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert retry_after("1.5", now) == 1.5
    for endless in ("inf", "Infinity", "+inf", "1e300", "9" * 400, "Fri, 31 Dec 9999 23:59:59 GMT"):
        wait = retry_after(endless, now)
        assert wait is not None and math.isfinite(wait) and wait >= 10**11, endless
    for useless in ("nan", "-inf", "-1.5", "0.0", "1e", "0x10", "²"):
        assert retry_after(useless, now) is None, useless
