"""Render a digest as Telegram messages: a header, the stories of each topic, their buttons.

Each story is a brief item (`bot.render.stories`): linked headline, a 1–2 sentence summary
drawn from its articles, "N sources: A, B, C +2". A message carries one button per story with
more than one article, opening the list of all of them (`t:<story id>`, stable across
restarts). Messages are packed item by item, so a story and its button share a message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.digests.contents import Digest, Section
from bot.digests.delivery import DigestPart
from bot.i18n import N_, Translator
from bot.models import Story
from bot.render.html import MESSAGE_LIMIT, bold, escape, visible_length
from bot.render.stories import BriefEntry, brief_item

SummaryFn = Callable[[Story], str]
BriefFn = Callable[[Story], str]  # a story's model brief as HTML, "" for none (bot.briefs)
NOTHING_NEW = N_("Nothing new since your last digest.")
STORY_BUTTON = "t:"  # t:<story id> lists a story's articles (bot.app.buttons.STORY)
BUTTONS_PER_ROW = 5


def story_button(number: int, story: Story, tr: Translator) -> tuple[str, str]:
    """Return the (label, data) of the button that lists a story's articles."""
    count = story.size
    label = tr.ngettext("{n} article", "{n} articles", count)
    return (f"{number} · {label.format(n=count)}", STORY_BUTTON + story.id)


def render_digest(
    digest: Digest,
    summary: SummaryFn,
    zone: ZoneInfo,
    now: datetime,
    *,
    send_empty: bool = False,
    tr: Translator,
    brief: BriefFn | None = None,
) -> list[DigestPart]:
    """Return the messages of a digest; none when there is nothing new (unless send_empty)."""
    _ = tr.gettext
    local = now.astimezone(zone)
    day = tr.date(local)
    title = _("Your news digest")  # not inside the f-string: pybabel on 3.11 would miss it
    header = f"{bold(title)} — {escape(day)}"
    if digest.empty:
        return [DigestPart(f"{header}\n{_(NOTHING_NEW)}")] if send_empty else []
    shown = [s for s in digest.sections if s.items]
    grouped = len(digest.sections) > 1
    packer = _Packer(header)
    number = 1
    for section in shown:
        if grouped:
            packer.add(f"🗂 {bold(section.sub.label(tr))}")
        for item in section.items:
            html = brief(item.story) if brief else ""
            entry = BriefEntry(item.story, summary(item.story), item.update, html)
            many = item.story.size > 1
            button = story_button(number, item.story, tr) if many else None
            packer.add(brief_item(number, entry, zone, tr=tr), button)
            number += 1
        if section.more:
            packer.add(_more(section, tr))
    return packer.parts()


def _more(section: Section, tr: Translator) -> str:
    """Return the "and N more" line, pointing at the command that lists them."""
    command = f"/brief {section.sub.topic}" if section.sub.topic else "/brief"
    text = tr.ngettext(
        "…and {n} more story: {command}", "…and {n} more stories: {command}", section.more
    )
    return text.format(n=section.more, command=escape(command))


class _Packer:
    """Pack blocks into messages under Telegram's limit, keeping each block's button with it."""

    def __init__(self, header: str) -> None:
        self._done: list[DigestPart] = []
        self._blocks: list[str] = [header]
        self._buttons: list[tuple[str, str]] = []

    def add(self, block: str, button: tuple[str, str] | None = None) -> None:
        size = visible_length("\n\n".join([*self._blocks, block]))
        if size > MESSAGE_LIMIT and self._blocks:
            self._flush()
        self._blocks.append(block)
        if button is not None:
            self._buttons.append(button)

    def _flush(self) -> None:
        rows = tuple(
            tuple(self._buttons[k : k + BUTTONS_PER_ROW])
            for k in range(0, len(self._buttons), BUTTONS_PER_ROW)
        )
        self._done.append(DigestPart("\n\n".join(self._blocks), rows))
        self._blocks, self._buttons = [], []

    def parts(self) -> list[DigestPart]:
        if self._blocks:
            self._flush()
        return self._done
