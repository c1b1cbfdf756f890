"""Render a digest as Telegram HTML messages: a header, a section per topic, "and N more"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.digests.compose import Digest, Section
from bot.models import Article
from bot.render.html import bold, escape, link
from bot.render.split import split_message

SummaryFn = Callable[[Article], str]
NOTHING_NEW = "Nothing new since your last digest."


def render_digest(
    digest: Digest, summary: SummaryFn, zone: ZoneInfo, now: datetime, *, send_empty: bool = False
) -> list[str]:
    """Return the messages of a digest; none when there is nothing new (unless send_empty)."""
    day = now.astimezone(zone).strftime("%a %d %b")
    if digest.empty:
        return [f"{bold('Your news digest')} — {escape(day)}\n{NOTHING_NEW}"] if send_empty else []
    shown = [s for s in digest.sections if s.articles]
    grouped = len(digest.sections) > 1
    blocks = [f"{bold('Your news digest')} — {escape(day)}"]
    blocks += [_section(s, summary, grouped) for s in shown]
    return split_message("\n\n".join(blocks))


def _section(section: Section, summary: SummaryFn, grouped: bool) -> str:
    """Return one topic's part: its heading (when grouped), the items, and "and N more"."""
    lines = [f"🗂 {bold(section.sub.label)}"] if grouped else []
    lines += [_item(a, summary(a)) for a in section.articles]
    if section.more:
        lines.append(_more(section))
    return "\n".join(lines)


def _item(article: Article, line: str) -> str:
    """Return one article: title link, source, one-line summary."""
    head = f"• {link(article.url, article.title or 'Untitled')}"
    if article.source:
        head += f" — <i>{escape(article.source)}</i>"
    return f"{head}\n{escape(line)}" if line else head


def _more(section: Section) -> str:
    """Return the "and N more" line, pointing at the command that lists them."""
    command = f"/search {section.sub.topic}" if section.sub.topic else "/latest"
    return f"…and {section.more} more: {escape(command)}"
