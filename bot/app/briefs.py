"""/brief pages and /story answers: the top stories of a period, a story's articles.

A brief ranks every story with an article in the period (`StoryService.rank`); words narrow
the candidates to stories holding a search hit first. When the archive holds nothing from the
period (an imported archive of old news, a bot that was off for days), the brief is taken as
of the newest article instead, and says so: an empty brief helps nobody.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from bot import render
from bot.app.context import BriefRanking, BriefRankings, LineCache, Listing
from bot.app.listings import Page, page_count, span_text
from bot.app.query_problems import query_problem
from bot.app.rows import SEARCH_PAGE
from bot.i18n import N_, Translator, keyword
from bot.models import RankedStory, Story, utcnow
from bot.services import Services
from bot.stories.ranking import rank_bucket
from bot.summarize import story_summary as summarize_story

PERIODS = {"24h": N_("the last 24 hours"), "today": N_("today"), "week": N_("the last 7 days")}
DEFAULT_PERIOD = "24h"
BRIEF_PAGE = 5
TOPIC_HITS = 500  # search hits a topic's brief looks at


@dataclass(frozen=True, slots=True)
class BriefArgs:
    """What `/brief [24h|today|week] [words]` asked for."""

    period: str
    words: str


def parse_brief_args(args: Sequence[str], tr: Translator) -> BriefArgs:
    """Split the arguments into a period word (default 24h) and topic words."""
    words, period = list(args), DEFAULT_PERIOD
    # A period may take words: "за неделю", "за 24 часа" (the longest is read first).
    for size in (3, 2, 1):
        found = keyword(" ".join(words[:size]), tr, *PERIODS) if len(words) >= size else None
        if found is not None:
            period, words = found, words[size:]
            break
    return BriefArgs(period, " ".join(" ".join(words).split())[:256])


def period_span(period: str, now: datetime, tz: tzinfo) -> timedelta:
    """Return how far back a period reaches from now ("today" starts at local midnight)."""
    if period == "today":
        local = now.astimezone(tz)
        return local - local.replace(hour=0, minute=0, second=0, microsecond=0)
    return timedelta(days=7) if period == "week" else timedelta(hours=24)


def cached_summary(story: Story, lines: LineCache, lang: str) -> str:
    """Return the story's 1–2 sentences for a reader of lang, no statement twice (cached)."""
    key = f"story:{story.id}:{story.size}:{story.best.id}:{lang}"
    found = lines.get(key)
    if found is None:
        found = summarize_story(story, lang).text
        lines.put(key, found)
    return found


class Briefer:
    """Build brief pages from the story and search services."""

    def __init__(
        self,
        services: Services,
        lines: LineCache,
        rankings: BriefRankings,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._services = services
        self._lines = lines
        self._rankings = rankings
        self._clock = clock

    def ranked(self, listing: Listing, tz: tzinfo, tr: Translator) -> tuple[list[RankedStory], str]:
        """Return the listing's stories, best first, and a note when they are not from now.

        A ranking is remembered per stories version and 10-minute bucket (`rank_bucket`, as
        digests do), so pressing More does not rank the period again: recency is computed as
        of the first ask in the bucket, and a story that changes makes a new version.
        """
        now = self._clock()
        # "today" starts at the local midnight: its ranking is also the local day's.
        day = (str(tz), now.astimezone(tz).date()) if listing.period == "today" else None
        key = (listing.query, listing.period, day, self._services.stories.version)
        ranked, as_of = self._rankings.remembered(
            (*key, rank_bucket(now)), lambda: self._rank(listing, now, tz)
        )
        if as_of is None:
            return ranked, ""
        _ = tr.gettext
        note = _("nothing from {period}; as of {date}").format(
            period=_(PERIODS[listing.period]), date=render.format_date(as_of, tz, tr)
        )
        return ranked, note

    def _rank(self, listing: Listing, now: datetime, tz: tzinfo) -> BriefRanking:
        """Rank the period, or the same span up to the newest article when the period is empty."""
        stories = self._services.stories
        within = self._topic_hits(listing.query) if listing.query else None
        span = period_span(listing.period, now, tz)
        ranked = stories.rank(now, span, within=within)
        if ranked:
            return ranked, None
        newest = stories.newest()
        if newest is None or newest >= now - span:
            return [], None
        return stories.rank(newest, span, within=within), newest

    def page(
        self,
        listing: Listing,
        page: int,
        tz: tzinfo,
        tr: Translator,
        lang: str | None = None,
        briefs: Mapping[str, str] | None = None,
    ) -> Page:
        """Render page `page` (0-based) of a brief; read the listing, never change it.

        `briefs` maps story ids to the model's briefs (bot.app.model_briefs), shown instead of
        the extractive summaries.
        """
        ranked, note = self.ranked(listing, tz, tr)
        offset = page * listing.page_size
        # Only the page's stories are read; headlines in the chat's language where they exist.
        shown = self._services.stories.views(
            ranked[offset : offset + listing.page_size], lang=lang or tr.lang
        )
        if shown:
            reader = lang or tr.lang
            found = briefs or {}
            entries = [
                render.BriefEntry(
                    s, cached_summary(s, self._lines, reader), brief_html=found.get(s.id, "")
                )
                for s in shown
            ]
            header = _header(listing, offset + 1, len(shown), len(ranked), note, tr)
            if corrected := self._corrected(listing.query):  # as lists say it
                header += " " + tr.gettext("(showing results for {words})").format(words=corrected)
            html = render.brief_page(entries, tz, header, start=offset + 1, tr=tr)
        else:
            html = self._query_problem(listing, tr) or _nothing(listing, page, tr)
        return Page(
            html=html,
            article_ids=[s.best.id for s in shown],
            page=page,
            pages=page_count(listing, len(ranked)),
            first_number=offset + 1,
            story_ids=tuple(s.id if s.size > 1 else None for s in shown),
            follow_ids=tuple(s.id for s in shown),
            total=len(ranked),
            stories=tuple(shown),
        )

    def _corrected(self, words: str) -> str | None:
        """Return the words a topic's typos were matched as, or None (no topic, no typo)."""
        return self._services.search.search(words, limit=10).did_you_mean if words else None

    def _query_problem(self, listing: Listing, tr: Translator) -> str | None:
        """Return why the listing's words searched nothing (a bad filter), or None."""
        if not listing.query:
            return None
        return query_problem(self._services.search.search(listing.query, limit=1), tr)

    def _topic_hits(self, words: str) -> list[str]:
        """Return the ids of the articles matching every word (a relaxed match narrows nothing)."""
        ids: list[str] = []
        while len(ids) < TOPIC_HITS:
            result = self._services.search.search(words, limit=SEARCH_PAGE, offset=len(ids))
            if result.relaxed or not result.hits:
                break
            ids += [h.article.id for h in result.hits]
            if len(ids) >= result.total:
                break
        return ids


def _header(listing: Listing, first: int, shown: int, total: int, note: str, tr: Translator) -> str:
    """Return the first line of a brief page (plain text)."""
    _ = tr.gettext
    span = span_text(first, shown, total, tr)
    when = f"({note})" if note else "· " + _(PERIODS[listing.period])
    if listing.query:
        head = _("Top stories on {query} {when} · {span}")
    else:
        head = _("Top stories {when} · {span}")
    return head.format(query=listing.query, when=when, span=span)


def _nothing(listing: Listing, page: int, tr: Translator) -> str:
    """Return the HTML shown when a brief page has no story."""
    _ = tr.gettext
    if page > 0:
        return _("No more stories.")
    period = _(PERIODS[listing.period])
    if listing.query:
        query = f"<b>{render.escape(listing.query)}</b>"
        return _("No stories about {query} from {period} yet.").format(query=query, period=period)
    return _("No stories from {period} yet.").format(period=period)


def story_answer(
    services: Services,
    story_id: str,
    tz: tzinfo,
    lang: str | None,
    tr: Translator,
    brief_html: str = "",
) -> list[str] | None:
    """Return the messages listing a story's articles (under the model's brief, if one)."""
    story = services.stories.story(story_id, lang=lang)
    if story is None:
        return None
    summary = "" if brief_html else summarize_story(story, lang or tr.lang).text
    return render.story_articles(story, tz, tr=tr, summary=summary, brief_html=brief_html)
