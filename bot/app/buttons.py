"""The list buttons' callback data: a compact, strictly checked codec and the keyboard builder.

Callback data comes back from clients, so every field is parsed strictly; `decode` returns
None for anything this bot did not write. Handlers that show lists and the handler that
answers their buttons both use this module, so neither needs the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.app.listings import MAX_PAGES, Page
from bot.i18n import Translator

MAX_DATA_BYTES = 64
PAGE = "p"  # p:<listing>:<page>   show page of a listing (More / Back)
SUMMARY = "s"  # s:<listing>:<n>   send the summary of item n of a listing
SUGGEST = "d"  # d:<listing>        search the did-you-mean suggestion of a listing
STORY = "t"  # t:<story id>       list a story's articles (lists, briefs and digests)
TIMELINE = "w"  # w:<story id>    show a story's timeline (updates)
FOLLOW = "f"  # f:<story id>      follow a story (briefs, digests, /story)
UNFOLLOW = "u"  # u:<story id>    stop following it (updates, /story)
LISTED = "l"  # l:<story id>      stop following it from /following, whose list is redrawn
STORY_KINDS = (STORY, TIMELINE, FOLLOW, UNFOLLOW, LISTED)  # bot.follows.service writes w:, f:, u:
_PATTERNS = {
    STORY: re.compile(r"t:(s[0-9a-f]{10})"),
    TIMELINE: re.compile(r"w:(s[0-9a-f]{10})"),
    FOLLOW: re.compile(r"f:(s[0-9a-f]{10})"),
    UNFOLLOW: re.compile(r"u:(s[0-9a-f]{10})"),
    LISTED: re.compile(r"l:(s[0-9a-f]{10})"),
    PAGE: re.compile(r"p:([1-9][0-9]{0,8}):(0|[1-9][0-9]{0,3})"),
    SUMMARY: re.compile(r"s:([1-9][0-9]{0,8}):([1-9][0-9]{0,3})"),
    SUGGEST: re.compile(r"d:([1-9][0-9]{0,8})"),
}


@dataclass(frozen=True, slots=True)
class Action:
    """A decoded button press."""

    kind: str
    listing: int = 0
    page: int = 0
    number: int = 0
    story: str = ""


def encode(action: Action) -> str:
    """Return the callback data of an action; never longer than 64 bytes."""
    if action.kind == PAGE:
        data = f"p:{action.listing}:{action.page}"
    elif action.kind == SUMMARY:
        data = f"s:{action.listing}:{action.number}"
    elif action.kind in STORY_KINDS:
        data = f"{action.kind}:{action.story}"
    else:
        data = f"d:{action.listing}"
    if decode(data) != action:
        raise ValueError(f"cannot encode {action!r}")
    return data


def decode(data: str | None) -> Action | None:
    """Parse callback data strictly; return None for anything this bot did not write."""
    if not data or len(data.encode("utf-8")) > MAX_DATA_BYTES:
        return None
    pattern = _PATTERNS.get(data[0])
    match = pattern.fullmatch(data) if pattern else None
    if match is None:
        return None
    if data[0] == PAGE:
        return Action(PAGE, listing=int(match[1]), page=int(match[2]))
    if data[0] == SUMMARY:
        return Action(SUMMARY, listing=int(match[1]), number=int(match[2]))
    if data[0] in STORY_KINDS:
        return Action(data[0], story=match[1])
    return Action(SUGGEST, listing=int(match[1]))


def keyboard(
    page: Page, listing_key: int, *, summaries: bool, tr: Translator
) -> InlineKeyboardMarkup | None:
    """Return the buttons under a page: Summary per item, its story's sources, Back/More, did-you-mean."""
    _ = tr.gettext
    rows: list[list[InlineKeyboardButton]] = []
    if summaries and page.article_ids:
        buttons = [
            InlineKeyboardButton(
                _("Summary {n}").format(n=n),
                callback_data=encode(Action(SUMMARY, listing=listing_key, number=n)),
            )
            for n in range(page.first_number, page.first_number + len(page.article_ids))
        ]
        rows += [buttons[k : k + 5] for k in range(0, len(buttons), 5)]
    stories = [
        InlineKeyboardButton(f"📚 {n}", callback_data=encode(Action(STORY, story=story_id)))
        for n, story_id in enumerate(page.story_ids, start=page.first_number)
        if story_id
    ]
    rows += [stories[k : k + 5] for k in range(0, len(stories), 5)]
    follow = [
        InlineKeyboardButton(f"🔔 {n}", callback_data=encode(Action(FOLLOW, story=story_id)))
        for n, story_id in enumerate(page.follow_ids, start=page.first_number)
    ]
    rows += [follow[k : k + 5] for k in range(0, len(follow), 5)]
    nav = []
    if page.page > 0:
        back = Action(PAGE, listing=listing_key, page=page.page - 1)
        nav.append(InlineKeyboardButton(_("« Back"), callback_data=encode(back)))
    if page.page + 1 < page.pages and page.page + 1 < MAX_PAGES:
        more = Action(PAGE, listing=listing_key, page=page.page + 1)
        nav.append(InlineKeyboardButton(_("More »"), callback_data=encode(more)))
    if nav:
        rows.append(nav)
    if page.suggestion:
        label = _("Search: {words}").format(words=page.suggestion)[:60]
        suggest = Action(SUGGEST, listing=listing_key)
        rows.append([InlineKeyboardButton(label, callback_data=encode(suggest))])
    return InlineKeyboardMarkup(rows) if rows else None
