"""What a digest holds: for each subscription, the most important new stories, each once.

Pure of Telegram: `compose()` picks stories, `bot.digests.message` turns them into HTML.
A story counts as new for a subscription when one of its articles matching the topic arrived
since the subscription's last delivered digest. Stories are ranked by importance (sources,
growth, recency; `bot.stories.ranking`) over the period since that digest, at least a day.
A story the chat was sent before comes back only when it has grown by UPDATE_SOURCES new
sources since, and is then marked as an update.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.digests.matching import RankCache, Searcher, cached_matches, remembered
from bot.digests.records import Subscription
from bot.models import Article, RankedStory, Story
from bot.stories.ranking import rank_bucket

FIRST_DIGEST_WINDOW = timedelta(hours=24)
MIN_PERIOD = timedelta(hours=24)
DEFAULT_CAP = 10
UPDATE_SOURCES = 3  # new sources a story sent before needs to be sent again, as an update


class ArticleSource(Protocol):
    """The part of ArticleStore a digest reads."""

    def added_since(self, since: datetime) -> list[Article]: ...


class StoryRanker(Protocol):
    """The part of StoryService a digest reads."""

    version: int

    def rank(
        self, now: datetime, period: timedelta, *, within: Sequence[str] | None = None
    ) -> list[RankedStory]: ...

    def views(self, ranking: Iterable[RankedStory], *, lang: str | None = None) -> list[Story]: ...


@dataclass(frozen=True, slots=True)
class BriefItem:
    """One story of a digest; `update` when the chat saw it before and it has grown since."""

    story: Story
    update: bool = False
    before: int = 0  # an update's source count when it was sent before: what is new follows


@dataclass(frozen=True, slots=True)
class Section:
    """One subscription's part of a digest: the stories shown and how many more there were."""

    sub: Subscription
    items: list[BriefItem]
    more: int = 0
    signature: tuple[object, ...] = ()  # what rendering depends on (a render cache key)


@dataclass(frozen=True, slots=True)
class Digest:
    """One chat's digest: a section per subscription, and what delivering it records."""

    chat_id: int
    sections: list[Section] = field(default_factory=list)
    upto: datetime | None = None  # newest `added` considered; the cursor after delivery

    @property
    def empty(self) -> bool:
        """Return whether there is nothing new to send."""
        return not any(section.items for section in self.sections)

    @property
    def sub_ids(self) -> list[str]:
        """Return the subscriptions this digest delivers."""
        return [section.sub.sub_id for section in self.sections]

    @property
    def sent(self) -> dict[str, int]:
        """Return story id -> source count of every story shown (recorded after delivery)."""
        return {i.story.id: i.story.source_count for s in self.sections for i in s.items}


def _added(article: Article) -> datetime:
    return article.added


def since_of(sub: Subscription, now: datetime) -> datetime:
    """Return where the digest starts: the cursor, else the last 24 hours."""
    return sub.cursor if sub.cursor is not None else now - FIRST_DIGEST_WINDOW


def sent_before(subs: Sequence[Subscription]) -> dict[str, int]:
    """Return the stories any of the chat's subscriptions delivered, with their source counts.

    A dict, unpacked once per digest: picking looks up every ranked story (hundreds).
    """
    if len(subs) == 1:
        return dict(subs[0].sent.items())
    merged: dict[str, int] = {}
    for sub in subs:
        for story_id, sources in sub.sent.items():
            merged[story_id] = max(sources, merged.get(story_id, 0))
    return merged


def compose(
    chat_id: int,
    subs: Sequence[Subscription],
    store: ArticleSource,
    searcher: Searcher,
    stories: StoryRanker,
    now: datetime,
    *,
    cap: int = DEFAULT_CAP,
    cache: RankCache | None = None,
    lang: str | None = None,
) -> Digest:
    """Return the digest of a chat's subscriptions as of `now`.

    `cache` shares topic matches between chats with the same topic and the same new articles
    (the common case in a fan-out), so 10,000 subscribers do not mean 10,000 searches.
    """
    oldest = min((since_of(s, now) for s in subs), default=now)
    arrived = store.added_since(oldest)  # in arrival order: cuts by time are bisections
    fresh = arrived[: bisect.bisect_right(arrived, now, key=_added)]
    upto = fresh[-1].added if fresh else None
    seen = sent_before(subs)
    shown: set[str] = set()
    sections = []
    for n, sub in enumerate(subs, start=1):
        since = since_of(sub, now)
        candidates = fresh[bisect.bisect_right(fresh, since, key=_added) :]
        matched = cached_matches(sub.topic, candidates, searcher, cache)
        period = max(now - since, MIN_PERIOD)
        ranked = _cached_stories(stories, matched, now, period, cache)
        items, more, signature = _pick(ranked, seen, shown, cap, stories, lang, cache)
        if n < len(subs):  # later sections skip what this one shows
            shown.update(i.story.id for i in items)
        sections.append(Section(sub, items, more, signature))
    return Digest(chat_id, sections, upto)


def ranked_stories(
    stories: StoryRanker, articles: Sequence[Article], now: datetime, period: timedelta
) -> list[RankedStory]:
    """Return the stories of these articles, most important first.

    Importance is measured up to the newest of the articles when that is older than now:
    an archive of old news is briefed as of its own last day, not as of today.
    """
    if not articles:
        return []
    newest = max(a.published for a in articles)
    reference = min(now, newest) if newest < now - period else now
    return stories.rank(reference, period, within=[a.id for a in articles])


def _cached_stories(
    stories: StoryRanker,
    matched: list[Article],
    now: datetime,
    period: timedelta,
    cache: RankCache | None,
) -> list[RankedStory]:
    """Rank through the cache: 10,000 chats with the same new articles rank them once."""
    if cache is None or not matched:
        return ranked_stories(stories, matched, now, period)
    key: tuple[object, ...] = ("stories", matched[0].id, matched[-1].id, len(matched))
    key += (period, stories.version, rank_bucket(now))
    return remembered(cache, key, lambda: ranked_stories(stories, matched, now, period))


Picked = tuple[list[BriefItem], int, tuple[object, ...]]


def _pick(
    ranked: list[RankedStory],
    seen: Mapping[str, int],
    shown: set[str],
    cap: int,
    stories: StoryRanker,
    lang: str | None,
    cache: RankCache | None = None,
) -> Picked:
    """Return up to cap stories not sent before (or grown since), how many more, a signature.

    Stories sent before come back only as updates; stories an earlier section of the same
    digest showed are skipped. Only the stories picked are read (in `lang`). A fan-out
    calls this per chat, so the common case (nothing sent, one section) is picked once per
    ranking and language and shared.
    """
    if not seen and not shown:
        if cache is None:
            return _shown([(p, None) for p in ranked[:cap]], len(ranked) - cap, stories, lang)
        key = ("picked", id(ranked), cap, lang)
        found = cache.get(key)
        if found is None or found[0] is not ranked:  # the ranking itself guards the id
            picked: list[tuple[RankedStory, int | None]] = [(p, None) for p in ranked[:cap]]
            found = [ranked, _shown(picked, len(ranked) - cap, stories, lang)]
            cache.put(key, found)
        return found[1]  # type: ignore[no-any-return]
    chosen: list[tuple[RankedStory, int | None]] = []
    more = 0
    for place in ranked:
        if place.id in shown:
            continue
        before = seen.get(place.id)
        if before is not None and place.source_count - before < UPDATE_SOURCES:
            continue
        if len(chosen) < cap:
            chosen.append((place, before))
        else:
            more += 1
    return _shown(chosen, more, stories, lang)


def _shown(
    chosen: list[tuple[RankedStory, int | None]],
    more: int,
    stories: StoryRanker,
    lang: str | None,
) -> Picked:
    """Read the chosen stories' views (one that vanished meanwhile is left out) and sign them."""
    views = {story.id: story for story in stories.views((p for p, _ in chosen), lang=lang)}
    items = [
        BriefItem(views[p.id], before is not None, before or 0)
        for p, before in chosen
        if p.id in views
    ]
    return _signed(items, max(0, more))


def _signed(items: list[BriefItem], more: int) -> Picked:
    """Return items and more with the signature their rendering depends on."""
    return items, more, tuple((i.story.id, i.story.size, i.update, i.before) for i in items)
