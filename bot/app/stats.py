"""What `/stats` shows admins: articles, feeds and their health, subscribers, digests, uptime.

Everything is read from the services at the moment of asking, except the digest counts
of the day, which the digest service feeds into a `DailyCounters` as it delivers.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from bot.app.feed_reasons import say_reason
from bot.i18n import Translator
from bot.models import utcnow
from bot.render import escape, truncate

if TYPE_CHECKING:
    from bot.services import Services

SENT = "digests_sent"
FAILED = "digests_failed"
FAILING_SHOWN = 5


class DailyCounters:
    """Named counts of the current day in a time zone; they start again at local midnight.

    The counter interface the digest service feeds: `add(SENT)` after Telegram confirmed a
    digest, `add(FAILED)` when one could not be delivered.
    """

    def __init__(self, tz: ZoneInfo, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._tz = tz
        self._clock = clock
        self._day: date = clock().astimezone(tz).date()
        self._counts: Counter[str] = Counter()

    def _roll(self) -> None:
        today = self._clock().astimezone(self._tz).date()
        if today != self._day:
            self._day = today
            self._counts.clear()

    def add(self, name: str, n: int = 1) -> None:
        """Count n more events of a kind today."""
        self._roll()
        self._counts[name] += n

    def today(self, name: str) -> int:
        """Return how many events of a kind happened today."""
        self._roll()
        return self._counts[name]


class FeedLike(Protocol):
    """The fields of a feed status that /stats reads (bot.feeds.FeedStatus has them)."""

    @property
    def title(self) -> str: ...
    @property
    def active(self) -> bool: ...
    @property
    def failures(self) -> int: ...
    @property
    def last_error(self) -> str | None: ...
    @property
    def last_success(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """How the feeds are doing: healthy, not fetched yet, failing (still polled), deactivated."""

    total: int
    healthy: int
    waiting: int  # added and never fetched: no failure yet, no success either
    failing: list[tuple[str, int, str]]  # (title, failures in a row, last error)
    deactivated: int


@dataclass(frozen=True, slots=True)
class Subscribers:
    """Chats with at least one subscription, by whether the bot can still reach them."""

    active: int
    deactivated: int
    subscriptions: int


@dataclass(frozen=True, slots=True)
class Stats:
    """One /stats answer."""

    articles: int
    articles_today: int
    feeds: FeedHealth
    subscribers: Subscribers
    digests_sent: int | None  # None: nothing feeds the counters in this process
    digests_failed: int | None
    uptime: timedelta


def feed_health(feeds: Iterable[FeedLike]) -> FeedHealth:
    """Sort feeds into healthy, not fetched yet, failing and deactivated."""
    items = list(feeds)
    failing = [
        (f.title, f.failures, f.last_error or "") for f in items if f.active and f.failures > 0
    ]
    failing.sort(key=lambda item: -item[1])
    deactivated = sum(1 for f in items if not f.active)
    waiting = sum(1 for f in items if f.active and not f.failures and f.last_success is None)
    healthy = len(items) - len(failing) - deactivated - waiting
    return FeedHealth(len(items), healthy, waiting, failing, deactivated)


def subscribers(subscription_chats: Iterable[int], inactive_chats: Iterable[int]) -> Subscribers:
    """Count subscribed chats as active or deactivated (blocked or removed the bot)."""
    per_chat = Counter(subscription_chats)
    off = set(inactive_chats) & set(per_chat)
    return Subscribers(len(per_chat) - len(off), len(off), sum(per_chat.values()))


def start_of_day(now: datetime, tz: ZoneInfo) -> datetime:
    """Return local midnight of `now`'s day in tz, as an aware datetime."""
    return datetime.combine(now.astimezone(tz).date(), time(), tzinfo=tz)


def format_uptime(uptime: timedelta, tr: Translator) -> str:
    """Return the uptime in its largest sensible unit, in tr's language ("3 days", "5 часов")."""
    return tr.duration(max(uptime, timedelta(0)))


def render_stats(stats: Stats, tr: Translator) -> str:
    """Return /stats as Telegram HTML, one fact a line, in tr's language."""
    _, num = tr.gettext, tr.number
    feeds, subs = stats.feeds, stats.subscribers
    lines = [
        "<b>" + _("newsbrief stats") + "</b>",
        _("Articles: {n} ({today} added today)").format(
            n=num(stats.articles), today=num(stats.articles_today)
        ),
        _(
            "Feeds: {n} — {ok} healthy, {waiting} not fetched yet, {failing} failing,"
            " {off} deactivated"
        ).format(
            n=num(feeds.total),
            ok=num(feeds.healthy),
            waiting=num(feeds.waiting),
            failing=num(len(feeds.failing)),
            off=num(feeds.deactivated),
        ),
    ]
    for title, failures, error in feeds.failing[:FAILING_SHOWN]:
        why = f": {escape(truncate(say_reason(error, tr), 80))}" if error else ""
        row = tr.ngettext(
            "{title} — {n} failure in a row", "{title} — {n} failures in a row", failures
        ).format(title=escape(truncate(title, 60)), n=failures)
        lines.append(f"  • {row}{why}")
    if len(feeds.failing) > FAILING_SHOWN:
        more = _("… and {n} more (/feeds)").format(n=num(len(feeds.failing) - FAILING_SHOWN))
        lines.append(f"  {more}")
    digests = _("Digests today: not counted yet")  # nothing feeds the counters here
    if stats.digests_sent is not None and stats.digests_failed is not None:
        digests = _("Digests today: {sent} sent, {failed} failed").format(
            sent=num(stats.digests_sent), failed=num(stats.digests_failed)
        )
    lines += [
        _("Subscribers: {active} active, {off} deactivated ({n} subscriptions)").format(
            active=num(subs.active), off=num(subs.deactivated), n=num(subs.subscriptions)
        ),
        digests,
        _("Uptime: {uptime}").format(uptime=format_uptime(stats.uptime, tr)),
    ]
    return "\n".join(lines)


class _Sub(Protocol):
    @property
    def chat_id(self) -> int: ...


class SubscriptionSource(Protocol):
    """The digest service's subscription reads /stats needs (DigestService.subs has them)."""

    def all(self) -> list[_Sub]: ...
    def is_active(self, chat_id: int) -> bool: ...


class StatsService:
    """Collect a `Stats` from the services on demand; holds the day's digest counters."""

    def __init__(
        self,
        services: Services,
        *,
        started_at: datetime,
        counters: DailyCounters | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._services = services
        self.started_at = started_at
        self._clock = clock
        self.counters = counters or self._count_digests(services.config.tz)

    def _count_digests(self, tz: ZoneInfo) -> DailyCounters | None:
        """Return the day's digest counters, fed by the digest service's outcomes."""
        digests = getattr(self._services, "digests", None)
        if digests is None:
            return None
        counters = DailyCounters(tz, clock=self._clock)
        tally = {"sent": SENT, "failed": FAILED}
        digests.outcome_listeners.append(
            lambda outcome: counters.add(tally[outcome]) if outcome in tally else None
        )
        return counters

    async def collect(self, tz: ZoneInfo) -> Stats:
        """Read every number now (day boundaries in tz); the store is counted off the loop."""
        now = self._clock()
        counters = self.counters
        articles, today = await asyncio.to_thread(self._article_counts, start_of_day(now, tz))
        return Stats(
            articles=articles,
            articles_today=today,
            feeds=feed_health(self._feeds()),
            subscribers=self._subscribers(),
            digests_sent=counters.today(SENT) if counters else None,
            digests_failed=counters.today(FAILED) if counters else None,
            uptime=now - self.started_at,
        )

    def _article_counts(self, since: datetime) -> tuple[int, int]:
        """Return how many articles the store holds and how many arrived since (a worker's job).

        `added_since` lists the day's arrivals: 9,000 at a million articles, too long for the loop.
        """
        store = self._services.store
        return len(store), len(store.added_since(since))

    def _feeds(self) -> list[FeedLike]:
        return list(self._services.feeds.list_feeds())

    def _subscribers(self) -> Subscribers:
        digests = getattr(self._services, "digests", None)
        subs: SubscriptionSource | None = getattr(digests, "subs", None)
        if subs is None:
            return Subscribers(0, 0, 0)
        chats = [sub.chat_id for sub in subs.all()]
        return subscribers(chats, [c for c in set(chats) if not subs.is_active(c)])
