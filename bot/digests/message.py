"""Render a digest as Telegram messages: a header, the stories of each topic, their buttons.

Each story is a brief item (`bot.render.stories`): linked headline, a 1–2 sentence summary
drawn from its articles, "N sources: A, B, C +2". A message carries one button per story with
more than one article, opening the list of all of them (`t:<story id>`, stable across
restarts), and a 🔔 button per story to follow it (`f:<story id>`). An item's sources are listed
in full in an expandable blockquote (Bot API 7.4), folded to a line until tapped; the link
preview is on for the first item only (Bot API 7.0 LinkPreviewOptions), so a digest opens with
one picture instead of none or ten. Messages are packed item by item, so a story and its button share a message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.digests.contents import BriefItem, Digest, Section
from bot.digests.delivery import DigestPart
from bot.i18n import N_, Translator
from bot.models import Story
from bot.render.cards import one_line, truncate
from bot.render.html import MESSAGE_LIMIT, bold, escape, visible_length
from bot.render.stories import SOURCES_SHOWN, BriefEntry, brief_item

SummaryFn = Callable[[Story], str]
NewsFn = Callable[[BriefItem], str]
BriefFn = Callable[[Story], str]  # a story's model brief as HTML, "" for none (bot.briefs)
NOTHING_NEW = N_("Nothing new since your last digest.")
NOTHING_YET = N_("Nothing new in the last 24 hours.")  # no digest yet: the first looks back a day
STORY_BUTTON = "t:"  # t:<story id> lists a story's articles (bot.app.buttons.STORY)
FOLLOW_BUTTON = "f:"  # f:<story id> follows the story (bot.app.buttons.FOLLOW)
BUTTONS_PER_ROW = 5
QUOTED_SOURCES = 40  # names in an item's folded quote; a topic-sized story has hundreds


def story_button(number: int, story: Story, tr: Translator) -> tuple[str, str]:
    """Return the (label, data) of the button that lists a story's articles."""
    count = story.size
    label = tr.ngettext("{n} article", "{n} articles", count)
    return (f"{number} · {label.format(n=tr.number(count))}", STORY_BUTTON + story.id)


def render_digest(
    digest: Digest,
    summary: SummaryFn,
    zone: ZoneInfo,
    now: datetime,
    *,
    send_empty: bool = False,
    tr: Translator,
    news: NewsFn | None = None,
    brief: BriefFn | None = None,
) -> list[DigestPart]:
    """Return the messages of a digest; none when there is nothing new (unless send_empty).

    An update (a story sent before) says only what is new since (`news`), not its summary.
    """
    _ = tr.gettext
    local = now.astimezone(zone)
    day = tr.date(local)
    title = _("Your news digest")  # not inside the f-string: pybabel on 3.11 would miss it
    header = f"{bold(title)} — {escape(day)}"
    if digest.empty:
        before = any(s.sub.cursor is not None for s in digest.sections)
        nothing = _(NOTHING_NEW if before else NOTHING_YET)
        return [DigestPart(f"{header}\n{nothing}")] if send_empty else []
    shown = [s for s in digest.sections if s.items]
    grouped = len(digest.sections) > 1
    packer = _Packer(header)
    number = 1
    for section in shown:
        if grouped:
            packer.add(f"🗂 {bold(section.sub.label(tr))}")
        for item in section.items:
            telling_news = item.update and news is not None
            told = news(item) if telling_news and news is not None else summary(item.story)
            # An update tells only what is new; the model's brief is for a story shown whole.
            html = brief(item.story) if brief is not None and not telling_news else ""
            block = _item(number, item, told, zone, tr, html)
            if number == 1:
                packer.preview = item.story.best.url
            buttons = [story_button(number, item.story, tr)] if item.story.size > 1 else []
            buttons.append((f"🔔 {number}", FOLLOW_BUTTON + item.story.id))
            packer.add(block, *buttons)
            number += 1
        if section.more:
            packer.add(_more(section, tr))
    return packer.parts()


def _item(
    number: int, item: BriefItem, told: str, zone: ZoneInfo, tr: Translator, brief_html: str = ""
) -> str:
    """Render one story: the brief item counting its sources, their names in a folded quote."""
    story = item.story
    many = story.source_count > 1 and len(story.sources) > 1
    shown = 0 if many else SOURCES_SHOWN  # the meta line counts them, the quote names them
    entry = BriefEntry(story, told, item.update, brief_html, sources_shown=shown)
    block = brief_item(number, entry, zone, tr=tr)
    if not many:
        return block
    names = [truncate(one_line(s), 40) for s in story.sources[:QUOTED_SOURCES]]
    extra = len(story.sources) - len(names)
    listed = ", ".join(names) + (f" +{extra}" if extra > 0 else "")
    return f"{block}\n<blockquote expandable>{escape(listed)}</blockquote>"


def _more(section: Section, tr: Translator) -> str:
    """Return the "and N more" line, pointing at the command that lists them."""
    command = f"/brief {section.sub.topic}" if section.sub.topic else "/brief"
    text = tr.ngettext(
        "…and {n} more story: {command}", "…and {n} more stories: {command}", section.more
    )
    return text.format(n=tr.number(section.more), command=escape(command))


class _Packer:
    """Pack blocks into messages under Telegram's limit, keeping each block's button with it."""

    def __init__(self, header: str) -> None:
        self._done: list[DigestPart] = []
        self._blocks: list[str] = [header]
        self._buttons: list[tuple[str, str]] = []
        self.preview: str | None = None  # the first message previews this link

    def add(self, block: str, *buttons: tuple[str, str]) -> None:
        size = visible_length("\n\n".join([*self._blocks, block]))
        if size > MESSAGE_LIMIT and self._blocks:
            self._flush()
        self._blocks.append(block)
        self._buttons.extend(buttons)

    def _flush(self) -> None:
        rows = tuple(
            tuple(self._buttons[k : k + BUTTONS_PER_ROW])
            for k in range(0, len(self._buttons), BUTTONS_PER_ROW)
        )
        preview = self.preview if not self._done else None
        self._done.append(DigestPart("\n\n".join(self._blocks), rows, preview))
        self._blocks, self._buttons = [], []

    def parts(self) -> list[DigestPart]:
        if self._blocks:
            self._flush()
        return self._done
