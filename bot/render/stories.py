"""Stories as Telegram HTML: brief items, list rows, the inline card and a story's articles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

from bot.i18n import Translator
from bot.models import Story
from bot.render.cards import (
    byline,
    format_date,
    one_line,
    repeats_title,
    title_text,
    truncate,
)
from bot.render.html import MESSAGE_LIMIT, bold, escape, link, visible_length
from bot.render.split import split_message

SOURCES_SHOWN = 3
HEADLINE_LIMIT = 200


def sources_line(story: Story, shown: int = SOURCES_SHOWN, *, tr: Translator) -> str:
    """Return "7 sources · 3 reports: A, B, C +4" (plain text); one source is just its name.

    Reports (distinct texts) are named only when fewer than the sources: "4 sources · 4
    reports" tells a reader nothing, "7 sources · 3 reports" that four of them reprint.
    `shown=0` counts the sources without naming them (a digest quotes the names below).
    """
    count = story.source_count
    # An article without a source counts as a source of its own (bot.stories.views), but
    # "3 sources" over three unsigned articles claims what nobody knows: those are told
    # apart as articles without a source, and only named sources are counted as sources.
    unnamed = max(count - len(story.sources), 0)
    reports = story.report_count
    note = ""
    if 0 < reports < count:  # only reprints are news to a reader: "1 source · 3 reports" is not
        note = tr.ngettext("{n} report", "{n} reports", reports).format(n=reports)
    if not unnamed:
        return _named(story.sources, shown, tr, note)
    parts = [_named(story.sources, shown, tr)] if story.sources else []
    without = tr.ngettext("{n} article without a source", "{n} articles without a source", unnamed)
    parts.append(without.format(n=unnamed))
    return " · ".join([*parts, note] if note else parts)


def _named(sources: Sequence[str], shown: int, tr: Translator, note: str = "") -> str:
    """Return "AFP", "7 sources · 3 reports: A, B, C +4", or with shown=0 "7 sources"."""
    names = [truncate(one_line(s), 40) for s in sources[: max(shown, 1)]]
    if len(sources) == 1:
        return names[0]
    head = tr.ngettext("{n} source", "{n} sources", len(sources)).format(n=len(sources))
    head += f" · {note}" if note else ""
    if shown <= 0 or not names:
        return head
    extra = len(sources) - len(names)
    return f"{head}: {', '.join(names)}" + (f" +{extra}" if extra > 0 else "")


def headline(story: Story, limit: int = HEADLINE_LIMIT, *, tr: Translator) -> str:
    """Return the story's headline on one line, cut to the limit (plain text)."""
    untitled = tr.gettext("(untitled)")
    return truncate(one_line(story.headline), limit) or untitled


@dataclass(frozen=True, slots=True)
class BriefEntry:
    """One story of a brief or digest: the story, its 1–2 sentence summary, update flag."""

    story: Story
    summary: str
    update: bool = False
    # A model's brief (bot.briefs), already Telegram HTML: escaped text, citation links to the
    # story's own articles. Shown instead of the summary when it fits the item's room.
    brief_html: str = ""
    sources_shown: int = SOURCES_SHOWN  # 0: counted only, a digest quotes the names below


def brief_item(
    number: int, entry: BriefEntry, tz: tzinfo, budget: int = 900, *, tr: Translator
) -> str:
    """Render one numbered story: linked headline, summary, sources and last update."""
    story = entry.story
    mark = "🔄 " if entry.update else ""
    short = headline(story, min(HEADLINE_LIMIT, max(budget // 3, 40)), tr=tr)
    first = f"{number}. {mark}<b>{link(story.best.url, short)}</b>"
    sources = sources_line(story, entry.sources_shown, tr=tr)
    meta = f"{sources} · {format_date(story.last_updated, tz, tr)}"
    if entry.update:
        meta = tr.gettext("update · {meta}").format(meta=meta)
    room = budget - visible_length(first) - len(meta) - 2
    if entry.brief_html and visible_length(entry.brief_html) <= room:
        summary = entry.brief_html  # never cut: a cut could fall inside a link
    else:
        summary = escape(truncate(one_line(entry.summary), max(room, 0)))
    lines = (
        [first, summary, f"<i>{escape(meta)}</i>"] if summary else [first, f"<i>{escape(meta)}</i>"]
    )
    return "\n".join(lines)


def brief_page(
    entries: Sequence[BriefEntry],
    tz: tzinfo,
    header: str,
    *,
    start: int = 1,
    tr: Translator,
) -> str:
    """Render a numbered page of stories under a bold header, within one message."""
    head = bold(one_line(header)) if header.strip() else ""
    room = MESSAGE_LIMIT - visible_length(head) - 2
    budget = max((room - 2 * max(len(entries) - 1, 0)) // max(len(entries), 1), 80)
    rows = [brief_item(start + n, e, tz, budget, tr=tr) for n, e in enumerate(entries)]
    text = "\n\n".join([head, *rows] if head else rows)
    return text if visible_length(text) <= MESSAGE_LIMIT else split_message(text)[0]


def story_note(story: Story, tr: Translator) -> str:
    """Return the list-row note of a story with more than one source: "+3 sources"."""
    more = story.source_count - 1
    if more <= 0:
        return ""
    if len(story.sources) < story.source_count:
        # Some articles name no source: counting them as sources would claim outlets nobody
        # named, while the other articles are what the row's 📚 button lists.
        others = story.size - 1
        return tr.ngettext("+{n} article", "+{n} articles", others).format(n=others)
    return tr.ngettext("+{n} source", "+{n} sources", more).format(n=more)


def story_articles(
    story: Story,
    tz: tzinfo,
    limit: int = 30,
    *,
    tr: Translator,
    summary: str = "",
    brief_html: str = "",
) -> list[str]:
    """Render a story's headline, summary and articles (newest first); split to fit messages.

    `brief_html`, a model's brief (bot.briefs: escaped, its links our articles), stands in for
    the summary.
    """
    if brief_html:
        gist = f"\n{brief_html}"
    else:
        told = summary.strip() and not repeats_title(summary, story.headline)
        gist = f"\n{escape(truncate(one_line(summary), 400))}" if told else ""
    head = f"{bold(headline(story, tr=tr))}{gist}\n{escape(sources_line(story, shown=5, tr=tr))}"
    rows = []
    for n, article in enumerate(story.articles[:limit], start=1):
        title = link(article.url, title_text(article, 150, tr=tr))
        rows.append(f"{n}. {title} — {escape(byline(article, tz, ', ', tr))}")
    more = story.size - min(limit, len(story.articles))
    if more > 0:
        rows.append(tr.gettext("…and {n} more.").format(n=more))
    return split_message("\n\n".join([head, "\n".join(rows)]))


def story_card(story: Story, summary: Sequence[str], tz: tzinfo, tr: Translator) -> str:
    """Render the card shared inline: headline, sources and time, then the summary."""
    header = (
        f"<b>{link(story.best.url, headline(story, tr=tr))}</b>\n"
        f"{escape(sources_line(story, tr=tr))} · {escape(format_date(story.last_updated, tz, tr))}"
    )
    told = [s for s in summary if s.strip() and not repeats_title(s, story.headline)]
    text = " ".join(one_line(s) for s in told)
    if not text:
        return header
    budget = MESSAGE_LIMIT - visible_length(header) - 2
    return f"{header}\n\n{escape(truncate(text, budget))}"
