"""Model briefs ahead of digests: the digests due soon are composed and their stories briefed.

A digest that waits for a model at its minute goes out late; this runs before that minute (a
job of bot.app.model_briefs), so the digest finds its briefs in the writer's cache. It composes
like a delivery does (on the composer's thread) and keeps the requests going past the writer's
wait: the messages it renders are thrown away, the briefs stay.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.digests.service import DigestService


async def brief_ahead(service: DigestService, now: datetime, lead: timedelta) -> int:
    """Have the briefs of the digests due within `lead` of now written; return how many chats."""
    if service.composer.writer is None:
        return 0
    subs = service.subs
    active = [s for s in subs.all() if subs.is_active(s.chat_id)]
    chats = sorted({s.chat_id for s in active if s.slot.next_due(now) - now <= lead})
    for chat_id in chats:
        await service.composed(chat_id, subs.for_chat(chat_id))
    return len(chats)
