"""How a chat's subscriptions are shown: one line each, with remove and time buttons."""

from __future__ import annotations

from datetime import datetime

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup

from bot.app.forum import topic_url
from bot.digests.records import Subscription
from bot.digests.service import DigestService
from bot.i18n import Translator
from bot.models import utcnow
from bot.render import bold, escape, link, truncate

TIME_CHOICES = ("06:00", "07:00", "08:00", "09:00", "12:00", "18:00", "21:00")
# A topic as lists show it, in Telegram's UTF-16 units: 100 characters of emoji are 200, and
# twenty whole ones made /subscriptions and "Unsubscribed: …" longer than a message.
TOPIC_SHOWN = 60


def describe(sub: Subscription, now: datetime, tr: Translator, shown: int = 0) -> str:
    """Return one subscription as a line: topic (cut to `shown` units, if > 0), time, next."""
    nxt = sub.slot.next_due(now).astimezone(sub.slot.zone)
    line = tr.gettext("{topic} — every day at {time} ({zone}); next {next}")
    topic = sub.label(tr)
    return line.format(
        topic=bold(truncate(topic, shown) if shown > 0 else topic),
        time=sub.slot.hhmm,
        zone=escape(sub.zone),
        next=escape(tr.date_time(nxt)),
    )


def keyboard(subs: list[Subscription], tr: Translator) -> InlineKeyboardMarkup | None:
    """Return a Remove and a Time button for each subscription."""
    _ = tr.gettext
    rows = [
        [
            InlineKeyboardButton(_("✖ Remove {n}").format(n=n), callback_data=f"sub:rm:{s.sub_id}"),
            InlineKeyboardButton(_("🕒 Time {n}").format(n=n), callback_data=f"sub:tm:{s.sub_id}"),
        ]
        for n, s in enumerate(subs, start=1)
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def where(sub: Subscription, chat: Chat, tr: Translator) -> str:
    """Return " · in a topic", linked to it, for a digest that goes to a forum topic; else ""."""
    if sub.thread_id is None:  # the chat, in a forum its General topic: where all else goes
        return ""
    return " · " + link(topic_url(chat, sub.thread_id), tr.gettext("in a topic"))


def listing(
    service: DigestService, chat: Chat, tr: Translator
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return the /subscriptions text and its buttons."""
    _ = tr.gettext
    subs = service.for_chat(chat.id)
    if not subs:
        return _("No subscriptions here. Try <code>/subscribe 07:30 climate</code>."), None
    now = utcnow()
    lines = [
        f"{n}. {describe(s, now, tr, TOPIC_SHOWN)}{where(s, chat, tr)}"
        for n, s in enumerate(subs, start=1)
    ]
    if not service.is_active(chat.id):
        lines.append("\n" + _("Paused: the bot could not reach this chat. Send /start to resume."))
    heading = "<b>" + _("Subscriptions") + "</b>\n"
    return heading + "\n".join(lines), keyboard(subs, tr)


def time_keyboard(sub: Subscription) -> InlineKeyboardMarkup:
    """Return buttons offering common times for one subscription."""
    buttons = [
        InlineKeyboardButton(t, callback_data=f"sub:at:{sub.sub_id}:{t.replace(':', '')}")
        for t in TIME_CHOICES
    ]
    return InlineKeyboardMarkup([buttons[:4], buttons[4:]])
