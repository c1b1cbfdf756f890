"""Inline buttons: a compact, checked callback-data codec and the button handler.

Callback data comes back from clients, so every field is parsed strictly; anything
forged, stale or unknown gets a short notice through answerCallbackQuery.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.app.commands import CommandSpec
from bot.app.context import ChatData, NewsApp, NewsContext
from bot.app.listings import MAX_PAGES, Page

log = logging.getLogger(__name__)

COMMANDS: list[CommandSpec] = []  # buttons only
MAX_DATA_BYTES = 64
PAGE = "p"  # p:<listing>:<page>   show page of a listing (More / Back)
SUMMARY = "s"  # s:<listing>:<n>   send the summary of item n of a listing
SUGGEST = "d"  # d:<listing>        search the did-you-mean suggestion of a listing
_PATTERNS = {
    PAGE: re.compile(r"p:([1-9][0-9]{0,8}):(0|[1-9][0-9]{0,3})"),
    SUMMARY: re.compile(r"s:([1-9][0-9]{0,8}):([1-9][0-9]{0,3})"),
    SUGGEST: re.compile(r"d:([1-9][0-9]{0,8})"),
}
EXPIRED = "This list has expired. Send the command again."
FORGED = "This button is not valid any more."


@dataclass(frozen=True, slots=True)
class Action:
    """A decoded button press."""

    kind: str
    listing: int = 0
    page: int = 0
    number: int = 0


def encode(action: Action) -> str:
    """Return the callback data of an action; never longer than 64 bytes."""
    if action.kind == PAGE:
        data = f"p:{action.listing}:{action.page}"
    elif action.kind == SUMMARY:
        data = f"s:{action.listing}:{action.number}"
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
    return Action(SUGGEST, listing=int(match[1]))


def keyboard(page: Page, listing_key: int, *, summaries: bool) -> InlineKeyboardMarkup | None:
    """Return the buttons under a page: Summary per item, Back/More, did-you-mean."""
    rows: list[list[InlineKeyboardButton]] = []
    if summaries and page.article_ids:
        buttons = [
            InlineKeyboardButton(
                f"Summary {n}", callback_data=encode(Action(SUMMARY, listing=listing_key, number=n))
            )
            for n in range(page.first_number, page.first_number + len(page.article_ids))
        ]
        rows += [buttons[k : k + 5] for k in range(0, len(buttons), 5)]
    nav = []
    if page.page > 0:
        back = Action(PAGE, listing=listing_key, page=page.page - 1)
        nav.append(InlineKeyboardButton("« Back", callback_data=encode(back)))
    if page.page + 1 < page.pages and page.page + 1 < MAX_PAGES:
        more = Action(PAGE, listing=listing_key, page=page.page + 1)
        nav.append(InlineKeyboardButton("More »", callback_data=encode(more)))
    if nav:
        rows.append(nav)
    if page.suggestion:
        label = f"Search: {page.suggestion}"[:60]
        suggest = Action(SUGGEST, listing=listing_key)
        rows.append([InlineKeyboardButton(label, callback_data=encode(suggest))])
    return InlineKeyboardMarkup(rows) if rows else None


def register(application: NewsApp) -> None:
    """Add the handler of every inline button."""
    application.add_handler(CallbackQueryHandler(on_button))


async def on_button(update: Update, context: NewsContext) -> None:
    """Dispatch a button press after checking its data."""
    from handlers import articles

    query = update.callback_query
    if query is None:
        return
    action = decode(query.data)
    chat_data = context.chat_data
    if action is None or query.message is None or chat_data is None:
        await query.answer(FORGED)
        return
    listing = chat_data.listings.get(action.listing)
    if listing is None:
        await query.answer(EXPIRED)
        return
    if action.kind == SUMMARY:
        article_id = listing.shown.get(action.number)
        if article_id is None:
            await query.answer(FORGED)
            return
        await articles.send_article_summary(update, context, article_id)
        return
    if action.kind == SUGGEST:
        await articles.search_suggestion(update, context, listing)
        return
    await _turn_page(update, context, chat_data, action)


async def _turn_page(
    update: Update, context: NewsContext, chat_data: ChatData, action: Action
) -> None:
    """Edit the list message to show another page."""
    from handlers import articles

    query = update.callback_query
    assert query is not None
    listing = chat_data.listings[action.listing]
    if action.page == listing.page:
        await query.answer()  # a double tap: this page is already shown
        return
    if action.page >= MAX_PAGES or action.page * listing.page_size >= max(listing.total, 1):
        await query.answer(FORGED)
        return
    try:
        await articles.edit_to_page(update, context, action.listing, action.page)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            # e.g. a message too old to edit: the list is effectively gone
            log.info("could not turn the page: %s", exc)
            await query.answer(EXPIRED)
            return
    await query.answer()
