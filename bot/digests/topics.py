"""What one request delivers: the chat's subscriptions it covers, by the forum topic each goes to.

A subscription made in a forum topic (`/subscribe` sent there) keeps the topic and its digest
goes there; one made elsewhere goes to the chat, in a forum its General topic. A chat whose
subscriptions fall due together in two topics gets a digest in each. `/digest` brings every
subscription to the topic it was sent in: the reader who asked is there.

A topic an admin deleted or closed since refuses the bot (400 "message thread not found",
TOPIC_CLOSED). The digest then goes to General at once, after a line saying why
(`MOVED_NOTE`, once an hour per topic: the Deliverer's `TopicNotes`), and the subscription is
kept and moved there: the dead topic is not tried again each day (the Deliverer falls back
once per delivery; the record then forgets the topic). A topic reopened later gets the digest back when someone sends /subscribe there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from bot.digests.records import Subscription
from bot.digests.schedule import is_delivered
from bot.digests.workqueue import Request
from bot.i18n import N_

MOVED_NOTE = N_(
    "The topic this digest went to is closed or deleted, so it comes here from now on. "
    "Send /subscribe in a topic to have it there."
)

_RANK = ("empty", "sent", "failed")  # how a chat's digests ended: the worst of its topics'


def due_subscriptions(chat_subs: Iterable[Subscription], request: Request) -> list[Subscription]:
    """Return the chat's subscriptions this request delivers, skipping delivered ones."""
    chat_subs = list(chat_subs)
    if request.manual:
        return chat_subs
    due = request.due
    picked = []
    for sub in chat_subs:
        same_time = due is not None and sub.slot.latest_due(due) == due
        if (sub.sub_id in request.sub_ids or same_time) and not (
            due is not None and is_delivered(due, sub.last_due)
        ):
            picked.append(sub)
    return picked


def by_topic(
    subs: list[Subscription], request: Request
) -> list[tuple[int | None, list[Subscription]]]:
    """Return the subscriptions grouped by the topic their digest goes to, in their order."""
    if request.manual:  # /digest: where it was asked for
        return [(request.thread_id, subs)] if subs else []
    groups: dict[int | None, list[Subscription]] = {}
    for sub in subs:
        groups.setdefault(sub.thread_id, []).append(sub)
    return list(groups.items())


async def each_topic(
    subs: list[Subscription],
    request: Request,
    deliver: Callable[[int | None, list[Subscription]], Awaitable[str]],
) -> str:
    """Deliver each topic's digest in turn; return "failed" if one failed, else "sent" or "empty".

    A chat gone or moved ("gone", "migrated") is so for every topic: the rest wait.
    """
    status = "empty"
    for thread_id, some in by_topic(subs, request):
        ended = await deliver(thread_id, some)
        if ended not in _RANK:
            return ended
        status = max(status, ended, key=_RANK.index)
    return status
