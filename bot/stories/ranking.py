"""Rank stories by importance: how many reports they have, how fast that grows, how recent.

importance = √R × (1 + 0.25 × G) × (0.75 + 0.25 × 2^(−age / 12 h)), where, for the period
ending at `now`:
- R is the number of reports with an article in the period: independent texts, a text that
  several outlets print (a wire story, one body under new headlines: `bot.stories.copies`)
  counting once, but never more than the distinct sources of those articles, so one outlet's
  running updates are one voice. An article without a source counts as a source of its own
  (a feed without sources ranks by its texts);
- G is the share of those reports whose first article came in the last 6 hours: a story that
  is still spreading outranks one that has settled;
- age is `now` minus the story's newest article in the period. Recency takes a quarter off at
  most, so a story reported by many outlets this morning still beats a two-source story from
  the last hour.
Twelve outlets reprinting one agency text are one report and rank below four newsrooms that
each wrote their own. The square root makes each extra report count a little less, yet 44
clearly beat 19; with ln(1 + S), and recency able to halve the score, gnews_dev's top 10 held only 7 of its 10
largest stories (benchmarks/stories.py; √S with these weights: 10, neighbouring weights 9-10).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable
from datetime import datetime, timedelta

from bot.stories.values import StorySummary

GROWTH_WINDOW = timedelta(hours=6)
HALF_LIFE = timedelta(hours=12)
RANK_MINUTES = 10  # a ranking is shared for 10 minutes: recency moves slower than that


def importance(summary: StorySummary, now: datetime, period: timedelta) -> float:
    """Return the story's importance for the period ending at now; 0 if it has no article in it."""
    arrivals = [
        (published.timestamp(), key, summary.report_of(member))
        for (published, key), member in zip(summary.arrivals, summary.members, strict=True)
    ]
    return arrival_importance(arrivals, now.timestamp(), period.total_seconds())


def arrival_importance(
    arrivals: Iterable[tuple[float, Hashable, Hashable]], now: float, period: float
) -> float:
    """Return the importance of (published, source key, report key) arrivals, in epoch seconds.

    The story service ranks from the store's light fields in these units, without building
    a datetime for each of a big story's thousands of articles.
    """
    start = now - period
    first_by_report: dict[Hashable, float] = {}
    latest: float | None = None
    reports: set[Hashable] = set()
    sources: set[Hashable] = set()
    for published, source, report in arrivals:
        if published > now:
            continue
        if report not in first_by_report or published < first_by_report[report]:
            first_by_report[report] = published
        if published > start:
            reports.add(report)
            sources.add(source)
            latest = published if latest is None else max(latest, published)
    if latest is None:
        return 0.0
    growing_since = now - GROWTH_WINDOW.total_seconds()
    recent = sum(1 for key in reports if first_by_report[key] > growing_since)
    growth = recent / len(reports)
    voices = min(len(reports), len(sources))
    age = (now - latest) / HALF_LIFE.total_seconds()
    return math.sqrt(voices) * (1 + 0.25 * growth) * (0.75 + 0.25 * math.pow(2.0, -age))


def rank_bucket(now: datetime) -> int:
    """Return the RANK_MINUTES bucket of now: what a remembered ranking is keyed by.

    Callers key a ranking by the story service's version and this bucket, so it is made again
    when a story changes or the bucket ends. Recency (and a period's start) is then computed
    as of the first ask in the bucket; a later ask reuses ages up to 10 minutes old, against
    a 12-hour half-life.
    """
    return int(now.timestamp() // (RANK_MINUTES * 60))


def top_stories(
    summaries: Iterable[StorySummary],
    now: datetime,
    period: timedelta,
    n: int,
    topic_filter: Callable[[StorySummary], bool] | None = None,
) -> list[StorySummary]:
    """Return the n most important stories with an article in the period, best first, each once.

    If two summaries share an id, the first one given is ranked and the other ignored.
    """
    scored: dict[str, tuple[float, StorySummary]] = {}
    for summary in summaries:
        if summary.id in scored or (topic_filter is not None and not topic_filter(summary)):
            continue
        score = importance(summary, now, period)
        if score > 0:
            scored[summary.id] = (score, summary)
    ranked = sorted(scored.values(), key=lambda pair: (-pair[0], -pair[1].sources, pair[1].id))
    return [summary for _, summary in ranked[:n]]
