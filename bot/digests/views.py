"""How a chat's subscriptions are shown: one line each, with remove and time buttons."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.digests.records import Subscription
from bot.digests.service import DigestService
from bot.models import utcnow
from bot.render.html import bold, escape

TIME_CHOICES = ("06:00", "07:00", "08:00", "09:00", "12:00", "18:00", "21:00")


def describe(sub: Subscription, now: datetime) -> str:
    """Return one subscription as a line: topic, time, zone, next digest."""
    nxt = sub.slot.next_due(now).astimezone(sub.slot.zone)
    return (
        f"{bold(sub.label)} — every day at {sub.slot.hhmm} ({escape(sub.zone)}); "
        f"next {nxt.strftime('%a %d %b %H:%M')}"
    )


def keyboard(subs: list[Subscription]) -> InlineKeyboardMarkup | None:
    rows = [
        [
            InlineKeyboardButton(f"✖ Remove {n}", callback_data=f"sub:rm:{s.sub_id}"),
            InlineKeyboardButton(f"🕒 Time {n}", callback_data=f"sub:tm:{s.sub_id}"),
        ]
        for n, s in enumerate(subs, start=1)
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def listing(service: DigestService, chat_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return the /subscriptions text and its buttons."""
    subs = service.for_chat(chat_id)
    if not subs:
        return "No subscriptions here. Try <code>/subscribe 07:30 climate</code>.", None
    now = utcnow()
    lines = [f"{n}. {describe(s, now)}" for n, s in enumerate(subs, start=1)]
    if not service.is_active(chat_id):
        lines.append("\nPaused: the bot could not reach this chat. Send /start to resume.")
    return "<b>Subscriptions</b>\n" + "\n".join(lines), keyboard(subs)


def time_keyboard(sub: Subscription) -> InlineKeyboardMarkup:
    """Return buttons offering common times for one subscription."""
    buttons = [
        InlineKeyboardButton(t, callback_data=f"sub:at:{sub.sub_id}:{t.replace(':', '')}")
        for t in TIME_CHOICES
    ]
    return InlineKeyboardMarkup([buttons[:4], buttons[4:]])
