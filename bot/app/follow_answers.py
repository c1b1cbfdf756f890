"""Answers about followed stories: which story a reference names, the timeline, the follow list.

A reference is item N of the chat's last list (a brief, a search, a digest's numbers are the
brief's) or a story id (`s` and ten hex digits, as buttons and /following show them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import tzinfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import render
from bot.app.buttons import LISTED
from bot.app.context import ChatData
from bot.app.items import item_number, no_item
from bot.follows.message import (
    ARTICLES_BUTTON,
    FOLLOW_BUTTON,
    TIMELINE_BUTTON,
    UNFOLLOW_BUTTON,
)
from bot.follows.records import Follow
from bot.i18n import N_, Translator
from bot.models import told_to
from bot.render.split import split_message
from bot.render.timeline import following_list, timeline
from bot.services import Services
from bot.summarize import story_summary

STORY_ID = re.compile(r"s[0-9a-f]{10}")


@dataclass(frozen=True, slots=True)
class StoryRef:
    """What a /follow, /unfollow or /story argument named: a story, or why not."""

    story_id: str | None
    number: int | None = None  # the item number asked for, when it named none


GONE = N_("That story is no longer in the archive.")  # a story a reference named has left


def resolve(ref: str, chat_data: ChatData, services: Services) -> StoryRef | None:
    """Return the story a reference names; None when the reference is not one at all."""
    ref = ref.strip()
    number = item_number(ref)
    if number is not None:
        article_id = chat_data.item(number)
        story_id = services.stories.story_of(article_id) if article_id else None
        return StoryRef(story_id, number)
    if STORY_ID.fullmatch(ref):
        return StoryRef(ref)
    return None


def missing_story(number: int, chat_data: ChatData, command: str, tr: Translator) -> str:
    """Return why item `number` of the last list names no story (`command` asked, as "story")."""
    if chat_data.item(number) is None:
        return no_item(chat_data, number, command, tr)
    return tr.gettext(GONE)  # its article left the window


def story_markup(
    services: Services,
    chat_id: int,
    story_id: str,
    tr: Translator,
    *,
    timeline_button: bool,
    size: int | None = None,
) -> InlineKeyboardMarkup:
    """Return a story's buttons: the timeline or the articles, and follow or unfollow.

    `size` (the 📚 button's count) is read from the story when not given: a view, which a
    caller on the event loop has better built on a worker thread already.
    """
    _ = tr.gettext
    row = []
    if timeline_button:
        row.append(InlineKeyboardButton(_("🗓 Timeline"), callback_data=TIMELINE_BUTTON + story_id))
    else:
        if size is None:
            story = services.stories.story(story_id, lang=tr.lang)
            size = story.size if story is not None else 0
        label = tr.ngettext("📚 {n} article", "📚 {n} articles", size).format(n=size)
        row.append(InlineKeyboardButton(label, callback_data=ARTICLES_BUTTON + story_id))
    if not any(f.story_id == story_id for f in services.follows.for_chat(chat_id)):
        row.append(InlineKeyboardButton(_("🔔 Follow"), callback_data=FOLLOW_BUTTON + story_id))
    else:
        row.append(InlineKeyboardButton(_("🔕 Unfollow"), callback_data=UNFOLLOW_BUTTON + story_id))
    return InlineKeyboardMarkup([row])


def timeline_answer(
    services: Services, story_id: str, tz: tzinfo, tr: Translator, brief_html: str = ""
) -> list[str] | None:
    """Return the messages of a story's timeline, or None when the story is unknown (a thread).

    The model's cited brief, when there is one, stands in for the extractive summary.
    """
    story = services.stories.story(story_id, lang=tr.lang)
    if story is None:
        return None
    developments = told_to(services.facts.developments(story_id), tr.lang)
    about = render.sources_line(story, shown=5, tr=tr)
    gist = "" if brief_html else story_summary(story, tr.lang).text
    title = render.stories.headline(story, tr=tr)
    return timeline(title, about, developments, tz, tr, summary=gist, brief_html=brief_html)


def timeline_and_size(
    services: Services, story_id: str, tz: tzinfo, tr: Translator, brief_html: str = ""
) -> tuple[list[str], int] | None:
    """Return a story's timeline and its size (the 📚 count), or None when it is gone.

    For a worker thread: both read a view of the story, which the event loop should not build.
    """
    parts = timeline_answer(services, story_id, tz, tr, brief_html)
    story = services.stories.story(story_id, lang=tr.lang)  # the view the timeline just built
    return (parts, story.size) if parts is not None and story is not None else None


def following_answer(
    services: Services, follows: list[Follow], tz: tzinfo, tr: Translator
) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """Return a chat's follow list, in as many messages as it needs, and a 🔕 button per story.

    50 follows of long headlines run past one message's 4,096 characters; the buttons go
    under the last part. For a worker thread (a view per story): `follows` is read on the
    loop, whose state they are.
    """
    views = [services.stories.story(f.story_id, lang=tr.lang) for f in follows]
    rows = [
        (v.headline if v is not None else f.headline, v.last_updated if v is not None else None)
        for f, v in zip(follows, views, strict=True)
    ]
    parts = split_message(following_list(rows, tz, tr))
    buttons = [
        InlineKeyboardButton(f"🔕 {n}", callback_data=f"{LISTED}:{f.story_id}")
        for n, f in enumerate(follows, start=1)
    ]
    rows_of_five = [buttons[k : k + 5] for k in range(0, len(buttons), 5)]
    return parts, InlineKeyboardMarkup(rows_of_five) if rows_of_five else None
