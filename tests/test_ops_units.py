"""Units of the operations code: the rate limiter, the day counters, /stats rendering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app.ratelimit import CommandRateLimiter, Verdict, notice
from bot.app.stats import (
    FAILED,
    SENT,
    DailyCounters,
    FeedHealth,
    Stats,
    Subscribers,
    feed_health,
    format_uptime,
    render_stats,
    start_of_day,
    subscribers,
)
from bot.i18n import Catalogs, Translator
from bot.render import html_to_plain
from bot.tgserver import parse_html
from tests.conftest import FakeClock


class Tick:
    """A monotonic clock the test sets."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@settings(max_examples=200, deadline=None)
@given(
    gaps=st.lists(st.floats(min_value=0, max_value=10, allow_nan=False), max_size=120),
    users=st.lists(st.integers(min_value=1, max_value=3), min_size=120, max_size=120),
)
def test_no_user_ever_gets_more_than_the_limit_in_any_window(
    gaps: list[float], users: list[int]
) -> None:
    tick = Tick()
    limiter = CommandRateLimiter(5, 60.0, clock=tick)
    allowed: dict[int, list[float]] = {}
    for gap, user in zip(gaps, users, strict=False):
        tick.now += gap
        if limiter.hit(user).allowed:
            allowed.setdefault(user, []).append(tick.now)
    for times in allowed.values():
        for i, start in enumerate(times):
            assert sum(1 for t in times[i:] if t < start + 60.0) <= 5


def test_a_refused_user_hears_once_per_burst_and_others_are_not_slowed() -> None:
    tick = Tick()
    limiter = CommandRateLimiter(3, 60.0, clock=tick)
    assert [limiter.hit(1).allowed for _ in range(3)] == [True, True, True]
    first = limiter.hit(1)
    assert (first.allowed, first.notify, first.retry_after) == (False, True, 60.0)
    assert limiter.hit(1) == Verdict(False, False, 60.0)
    assert limiter.hit(2).allowed
    tick.now = 30.0
    assert limiter.hit(1).retry_after == 30.0
    tick.now = 60.0  # the burst left the window
    assert [limiter.hit(1).allowed for _ in range(3)] == [True, True, True]
    assert limiter.hit(1).notify  # a new burst gets a new notice


def test_idle_users_are_forgotten() -> None:
    tick = Tick()
    limiter = CommandRateLimiter(3, 60.0, clock=tick)
    for user in range(100):
        limiter.hit(user)
    tick.now = 200.0
    limiter.hit(1000)
    assert len(limiter) == 1


@pytest.mark.parametrize(("limit", "window"), [(0, 60.0), (5, 0.0), (-1, 60.0)])
def test_a_limiter_needs_sane_numbers(limit: int, window: float) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        CommandRateLimiter(limit, window)


def test_the_notice_rounds_the_wait_up() -> None:
    assert notice(Verdict(False, True, 0.2), 20, Translator.english()) == (
        "Slow down: up to 20 commands a minute. Try again in 1 s."
    )
    assert notice(Verdict(False, True, 41.01), 20, Translator.english()).endswith("in 42 s.")


def test_day_counters_start_again_at_local_midnight() -> None:
    clock = FakeClock(datetime(2026, 3, 1, 22, 30, tzinfo=UTC))  # 23:30 in Berlin
    counters = DailyCounters(ZoneInfo("Europe/Berlin"), clock=clock)
    counters.add(SENT, 5)
    counters.add(FAILED)
    assert (counters.today(SENT), counters.today(FAILED)) == (5, 1)
    clock.advance(minutes=45)  # 00:15 in Berlin, still 1 March in UTC
    assert counters.today(SENT) == 0
    counters.add(SENT)
    assert counters.today(SENT) == 1


def test_start_of_day_is_local_midnight() -> None:
    now = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    tokyo = start_of_day(now, ZoneInfo("Asia/Tokyo"))
    assert tokyo == datetime(2026, 3, 1, 0, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert start_of_day(now, ZoneInfo("America/New_York")).day == 28


@pytest.mark.parametrize(
    ("seconds", "english", "russian"),
    [
        (0, "0 seconds", "0 секунд"),
        (42, "42 seconds", "42 секунды"),
        (60, "1 minute", "1 минута"),
        (3_660, "1 hour", "1 час"),
        (5 * 86_400 + 3_600, "5 days", "5 дней"),
        (-5, "0 seconds", "0 секунд"),
    ],
)
def test_uptime_reads_like_a_person_would_say_it(seconds: int, english: str, russian: str) -> None:
    uptime = timedelta(seconds=seconds)
    assert format_uptime(uptime, Translator.english()) == english
    assert format_uptime(uptime, Catalogs().get("ru")) == russian


def test_subscribers_count_chats_not_subscriptions() -> None:
    assert subscribers([1, 1, 2, 3, 3, 3], [3, 99]) == Subscribers(2, 1, 6)
    assert subscribers([], []) == Subscribers(0, 0, 0)


class Feed:
    def __init__(
        self, title: str, active: bool, failures: int, error: str | None, fetched: bool = True
    ) -> None:
        self.title, self.active, self.failures, self.last_error = title, active, failures, error
        self.last_success = datetime(2026, 3, 1, tzinfo=UTC) if fetched else None


def test_feed_health_sorts_the_worst_first() -> None:
    health = feed_health(
        [
            Feed("a", True, 0, None),
            Feed("b", True, 2, "timeout"),
            Feed("c", True, 7, None),
            Feed("d", False, 9, "gone"),
            Feed("e", True, 0, None, fetched=False),  # added, not fetched yet: not healthy
        ]
    )
    assert health == FeedHealth(5, 1, 1, [("c", 7, ""), ("b", 2, "timeout")], 1)


@given(title=st.text(max_size=300), error=st.text(max_size=300))
def test_stats_render_as_valid_telegram_html_whatever_the_feed_says(title: str, error: str) -> None:
    feeds = FeedHealth(9, 1, 0, [(title, 3, error)] * 7, 1)
    stats = Stats(12, 3, feeds, Subscribers(4, 1, 9), None, None, timedelta(hours=5))
    html = render_stats(stats, Translator.english())
    parsed = parse_html(html)
    assert "… and 2 more" in parsed.text
    assert "Digests today: not counted yet" in html_to_plain(html).splitlines()
    assert len(parsed.text) < 4096


def test_stats_counts_are_grouped_like_the_readers_numbers() -> None:
    feeds = FeedHealth(1200, 1100, 0, [], 100)
    stats = Stats(31403, 0, feeds, Subscribers(12000, 1500, 30000), 10000, 0, timedelta(hours=5))
    english = html_to_plain(render_stats(stats, Translator.english()))
    assert "Feeds: 1,200 — 1,100 healthy" in english and "100 deactivated" in english
    assert "Subscribers: 12,000 active, 1,500 deactivated (30,000 subscriptions)" in english
    russian = html_to_plain(render_stats(stats, Catalogs().get("ru")))
    assert "Подписчиков: активных 12\xa0000, отключённых 1\xa0500 (подписок 30\xa0000)" in russian


def test_a_long_feed_error_in_stats_is_cut_at_a_word_with_an_ellipsis() -> None:
    error = (
        "cannot connect (cannot resolve feeds.example.org ([Errno -2] Name or service not known))"
    )
    feeds = FeedHealth(1, 0, 0, [("A feed with a rather long title " * 3, 1, error)], 0)
    stats = Stats(1, 0, feeds, Subscribers(0, 0, 0), None, None, timedelta(hours=5))
    row = html_to_plain(render_stats(stats, Translator.english())).splitlines()[3]
    assert row.endswith("service…") and "long title A feed with a rather long… — 1 failure" in row
