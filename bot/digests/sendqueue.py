"""Which send queue a deployment runs, and where a digest Telegram confirmed is recorded.

Embedded (the default): the in-process `WorkQueue`; a confirmed digest moves the cursors in
the subscriptions table like any other change. With the users in PostgreSQL
(`NEWSBRIEF_DATABASE_URL`): `PgSendQueue`, shared by every process; a confirmed digest moves the cursors inside the transaction that
claimed the chat, so the claim ends with the delivery recorded or not at all. Before each
claimed chat is composed, the memory of that chat is replaced with what the database holds:
another process may have delivered it or changed its settings since this one loaded them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from bot.digests.contents import Digest
from bot.digests.pacing import Pacing
from bot.digests.records import ChatSettings, Subscription
from bot.digests.subscriptions import SubscriptionStore
from bot.digests.workqueue import Handler, Request, WorkQueue

log = logging.getLogger(__name__)

SHARED_WORKERS = 1
# (chat, digest, due, general): `general` when its forum topic was gone and it went to General.
Record = Callable[[int, Digest, datetime | None, bool], Awaitable[None]]


class SendQueue(Protocol):
    """Chats waiting for a digest: one pending request per chat, never two workers on one."""

    def start(self) -> None: ...
    async def stop(self) -> None: ...
    def submit(self, chat_id: int, request: Request, *, first: bool = False) -> None: ...
    async def join(self) -> None: ...
    def __len__(self) -> int: ...


@runtime_checkable
class SharedUsers(Protocol):
    """Users in a database every process shares (`bot/pg/usertables.py`): they carry its URL.

    A protocol, not the class: an embedded start never imports psycopg (0.1 s of its start).
    """

    url: str


def queue_for(
    users: object, handle: Handler, pacing: Pacing, subs: SubscriptionStore
) -> tuple[SendQueue, Record]:
    """Return the queue of where the users are, and how its confirmed digests are recorded."""
    if not isinstance(users, SharedUsers):

        async def record_embedded(
            chat_id: int, digest: Digest, due: datetime | None, general: bool
        ) -> None:
            subs.mark_delivered(digest.sub_ids, digest.upto, due, digest.sent, general=general)
            await subs.saved()

        return WorkQueue(handle, pacing.workers), record_embedded

    def mirror(chat_id: int, docs: list[dict[str, Any]], chat: dict[str, Any] | None) -> None:
        subs.mirror(chat_id, _subscriptions(docs), ChatSettings.from_doc(chat) if chat else None)

    # One send in flight per process: a digest Telegram took but the process did not record
    # is the one a kill -9 repeats, so each killed process repeats at most one. Throughput
    # comes from the processes, and Telegram caps a bot near 30 messages a second anyway.
    from bot.digests.pgqueue import PgSendQueue  # psycopg: only with a shared database

    queue = PgSendQueue(users.url, handle, SHARED_WORKERS, mirror)

    async def record_in_claim(
        chat_id: int, digest: Digest, due: datetime | None, general: bool
    ) -> None:
        found = (subs.get(sub_id) for sub_id in digest.sub_ids)
        moved = [
            s.delivered(digest.upto, due, digest.sent, general=general)
            for s in found
            if s is not None
        ]
        subs.hold(moved)
        # In the claim, as the cursors: a put from the users' writer would wait for the rows
        # this transaction holds, while it may wait for that writer (a deactivation saves).
        await queue.record(chat_id, {s.sub_id: _delivery(s, general) for s in moved})

    return queue, record_in_claim


def _subscriptions(docs: list[dict[str, Any]]) -> list[Subscription]:
    """Return the subscriptions of stored documents, skipping (and logging) a broken one."""
    found = []
    for doc in docs:
        try:
            found.append(Subscription.from_doc(doc))
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("subscription %s not read: %s", doc.get("sub_id"), exc)
    return found


def _delivery(sub: Subscription, general: bool) -> dict[str, Any]:
    """Return the fields a delivery moves, as the subscription's document stores them.

    The topic only when the delivery forgot it: one another process set meanwhile stays.
    """
    doc = sub.to_doc()
    moved = {"cursor": doc["cursor"], "last_due": doc["last_due"], "sent": doc["sent"]}
    return moved | {"thread_id": None} if general else moved
