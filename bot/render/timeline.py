"""A followed story as Telegram HTML: its dated timeline, an update, the list of follows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from itertools import groupby

from bot.i18n import N_, Translator
from bot.models import Development
from bot.render.cards import format_date, one_line, repeats_title, truncate
from bot.render.html import MESSAGE_LIMIT, bold, escape, link, visible_length
from bot.render.split import split_message

TIMELINE_DAYS = 5  # days shown; a story followed for weeks says how many earlier ones it has
UPDATE_REPORTS = 5  # reports an update tells; older ones are counted
FACT_LIMIT = 320
HEADLINE_LIMIT = 200
NO_FOLLOWS = N_("You follow no story. Tap 🔔 under a story in /brief, or send /follow N.")


def _day(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def _fact_lines(development: Development, tz: tzinfo, today: date, tr: Translator) -> list[str]:
    """Return a report's facts, then its source and time (and day, if not today), as HTML."""
    source = truncate(one_line(development.source or ""), 60) or tr.gettext("unknown source")
    local = development.published.astimezone(tz)
    when = tr.time(local) if local.date() == today else tr.date_time(local)
    lines = [f"• {escape(truncate(one_line(f), FACT_LIMIT))}" for f in development.facts]
    lines.append(f"  <i>{link(development.url, source)} · {escape(when)}</i>")
    return lines


def follow_update(
    headline: str, developments: Sequence[Development], tz: tzinfo, tr: Translator, now: datetime
) -> str:
    """Render one update: "🔔 headline", then each new fact with its source and time.

    A report from another day than now's in tz gives its date too: a slow feed, or a
    story picked up again, would otherwise read as news of this morning.
    """
    today = _day(now, tz)
    head = f"🔔 {bold(truncate(one_line(headline), HEADLINE_LIMIT))}"
    shown = list(developments)[-UPDATE_REPORTS:]
    lines = [head, ""]
    earlier = len(developments) - len(shown)
    if earlier:
        more = tr.ngettext("{n} earlier report", "{n} earlier reports", earlier)
        lines.append(f"<i>{escape(more.format(n=earlier))}</i>")
    for development in shown:
        lines += _fact_lines(development, tz, today, tr)
    text = "\n".join(lines)
    return text if visible_length(text) <= MESSAGE_LIMIT else split_message(text)[0]


def farewell(headline: str, tr: Translator) -> str:
    """Render the last line of a follow whose story went quiet."""
    text = tr.gettext("🔕 No news for 7 days on {headline}: you no longer follow it.")
    return text.format(headline=bold(truncate(one_line(headline), HEADLINE_LIMIT)))


def timeline(
    headline: str,
    about: str,
    developments: Sequence[Development],
    tz: tzinfo,
    tr: Translator,
    days: int = TIMELINE_DAYS,
    *,
    summary: str = "",
    brief_html: str = "",
) -> list[str]:
    """Render a story as dated developments grouped by day, latest days only; split to fit.

    The headline, the story's summary in the reader's language (or the model's brief, HTML
    already escaped and cited) and its sources come first.
    """
    told = summary.strip() and not repeats_title(summary, headline)
    gist = f"\n{escape(truncate(one_line(summary), 400))}" if told else ""
    if brief_html:
        gist = f"\n{brief_html}"
    head = f"{bold(truncate(one_line(headline), HEADLINE_LIMIT))}{gist}\n{escape(about)}"
    # By date, so each day is one heading: a report that arrived later may be dated earlier
    # (a slow feed, an import). Equal times keep arrival order, the first report first.
    ordered = sorted(developments, key=lambda d: d.published)
    grouped = [
        (day, list(items)) for day, items in groupby(ordered, key=lambda d: _day(d.published, tz))
    ]
    blocks = [head]
    hidden = len(grouped) - days
    if hidden > 0:
        earlier = tr.ngettext("…{n} earlier day", "…{n} earlier days", hidden)
        blocks.append(f"<i>{escape(earlier.format(n=hidden))}</i>")
        grouped = grouped[hidden:]
    for _day_key, items in grouped:
        rows = [bold(_day_title(items[0].published, tz, tr))]
        for development in items:
            rows.append(_moment(development, tz, tr, opening=development is ordered[0]))
        blocks.append("\n".join(rows))
    return split_message("\n\n".join(blocks))


def _day_title(moment: datetime, tz: tzinfo, tr: Translator) -> str:
    """Return the heading of a day in the reader's locale ("Mar 2, 2026", "2 мар. 2026 г.")."""
    return tr.date(moment.astimezone(tz))


def _moment(development: Development, tz: tzinfo, tr: Translator, *, opening: bool) -> str:
    """Render one development: time, source, and what it said (the first report: its title).

    The report the story began with is called the first one only when it opens the timeline:
    one dated earlier may have arrived after it.
    """
    when = tr.time(development.published.astimezone(tz))
    source = truncate(one_line(development.source or ""), 60)
    if development.first:
        title = link(development.url, truncate(one_line(development.title), HEADLINE_LIMIT))
        named = f" · {escape(source)}" if source else ""
        first = tr.gettext("First report")
        label = f"{escape(first)}: " if opening else ""
        head = f"{escape(when)}{named} — {label}{title}"
    elif source:
        head = f"{escape(when)} · {link(development.url, source)}"
    else:
        # Nothing to name: the time itself opens the report, so it stays a tap away without
        # an empty slot or a placeholder that reads like a source.
        head = link(development.url, when)
    # The first report's title is shown: a fact that only repeats it (no body) is left out.
    told = [
        f
        for f in development.facts
        if not (development.first and repeats_title(f, development.title))
    ]
    facts = [f"• {escape(truncate(one_line(f), FACT_LIMIT))}" for f in told]
    return "\n".join([head, *facts])


def following_list(rows: Sequence[tuple[str, datetime | None]], tz: tzinfo, tr: Translator) -> str:
    """Render the stories a chat follows: numbered headlines and when each last had news.

    A row without a date is a story no longer in the archive.
    """
    if not rows:
        return tr.gettext(NO_FOLLOWS)
    title = tr.ngettext("You follow {n} story", "You follow {n} stories", len(rows))
    lines = [bold(title.format(n=len(rows)))]
    for n, (headline, news) in enumerate(rows, start=1):
        name = escape(truncate(one_line(headline), HEADLINE_LIMIT))
        # No date: the story left the archive (retention took its articles), its follow stays
        # until /unfollow or the 7 quiet days end it, and the row says why it has no news.
        when = (
            tr.gettext("last report {date}").format(date=format_date(news, tz, tr))
            if news
            else tr.gettext("no longer in the archive")
        )
        lines.append(f"{n}. {name} — <i>{escape(when)}</i>")
    return "\n".join(lines)
