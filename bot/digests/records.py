"""Subscription and chat-settings records, and their TinyDB document shapes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.digests.schedule import Slot
from bot.digests.sentmap import SentMap
from bot.i18n import Translator
from bot.models import from_iso, later, to_iso

T = TypeVar("T")

# A story is not re-sent unless it grew; remembering the last few hundred covers weeks of
# digests (a story stops growing once it leaves the clustering window of a few days).
MAX_SENT = 300
DEFAULT_TIME = (8, 0)  # a new subscription's time when /subscribe names none


def topic_key(topic: str) -> str:
    """Return the form two topics are compared in: case- and space-insensitive."""
    return " ".join(topic.casefold().split())


def thread_doc(thread_id: int | None) -> dict[str, int]:
    """Return a record's stored topic: none at all for the General topic, as before topics."""
    return {} if thread_id is None else {"thread_id": thread_id}


def thread_of(doc: dict[str, Any]) -> int | None:
    """Return the forum topic a stored record names (None: a record from before topics)."""
    thread = doc.get("thread_id")
    return int(thread) if thread is not None else None


def settle(
    old: Subscription | None, hhmm: tuple[int, int] | None, zone: str | None, new_zone: str
) -> tuple[int, int, str]:
    """Return the time and zone a /subscribe means: what it leaves out stays as it was.

    Sending "/subscribe oil" again does not move the chat's oil digest; a new subscription
    comes at 08:00 in `new_zone`.
    """
    hour, minute = hhmm or ((old.hour, old.minute) if old else DEFAULT_TIME)
    return hour, minute, zone or (old.zone if old else new_zone)


def _one(memo: dict[Any, Any], value: Any, make: Callable[[Any], T]) -> T:
    """Return make(value), made once per distinct stored value while loading a table.

    At 100,000 subscribers the zones, the topics and the cursor instants of one fan-out repeat;
    one object each instead of one per subscriber saves tens of megabytes. The memo lives only
    as long as the load, so its keys never outlive it.
    """
    key = (make, value)  # a topic may read like a time: each kind of value its own
    try:
        made: T = memo[key]
    except KeyError:
        made = memo[key] = make(value)
    except TypeError:  # unhashable: malformed, left to make() to refuse or keep
        made = make(value)
    return made


@dataclass(frozen=True, slots=True)
class Subscription:
    """One daily digest a chat asked for: a topic ("" = all news) at HH:MM in a zone.

    `cursor` is the newest `added` time a delivered digest covered; `last_due` the due
    instant of the last delivered scheduled digest (so a restart never sends it twice);
    `sent` the stories delivered (story id -> sources it had then), newest last, bounded.
    `thread_id` is the forum topic it was made in, where its digest goes (None: the chat, or
    its General topic); see `bot.digests.topics`.
    """

    sub_id: str
    chat_id: int
    topic: str
    hour: int
    minute: int
    zone: str
    created: datetime
    cursor: datetime | None = None
    last_due: datetime | None = None
    sent: SentMap = field(default_factory=SentMap)  # packed: 100,000 of them stay small
    thread_id: int | None = None

    @property
    def slot(self) -> Slot:
        """Return the daily time this subscription falls due."""
        return Slot(self.hour, self.minute, ZoneInfo(self.zone))

    def label(self, tr: Translator) -> str:
        """Return the topic as shown to users, in tr's language ("all news" without one)."""
        return self.topic or tr.gettext("all news")

    def delivered(
        self,
        cursor: datetime | None,
        due: datetime | None,
        sent: Mapping[str, int] | None = None,
        *,
        general: bool = False,
    ) -> Subscription:
        """Return this subscription with the cursor and last due moved forward (never back).

        `general`: its forum topic was gone and the digest went to General, as the next will.
        """
        stories = dict(self.sent)
        for story_id, sources in (sent or {}).items():
            stories.pop(story_id, None)  # re-insert: the newest delivery goes last
            stories[story_id] = sources
        while len(stories) > MAX_SENT:
            del stories[next(iter(stories))]
        return replace(
            self,
            cursor=later(self.cursor, cursor),
            last_due=later(self.last_due, due),
            sent=SentMap(stories.items()),
            thread_id=None if general else self.thread_id,
        )

    def to_doc(self) -> dict[str, Any]:
        """Return the TinyDB document."""
        return {
            "sub_id": self.sub_id,
            "chat_id": self.chat_id,
            "topic": self.topic,
            "hour": self.hour,
            "minute": self.minute,
            "zone": self.zone,
            "created": self.created.isoformat(),
            "cursor": to_iso(self.cursor),
            "last_due": to_iso(self.last_due),
            "sent": self.sent.to_doc(),
        } | thread_doc(self.thread_id)

    @classmethod
    def from_doc(cls, doc: dict[str, Any], shared: dict[Any, Any] | None = None) -> Subscription:
        """Build from a stored document; `shared` makes equal values one object (see `_one`)."""
        memo: dict[Any, Any] = {} if shared is None else shared
        created = _one(memo, doc.get("created"), from_iso)
        if created is None:
            raise ValueError("subscription without a creation time")
        return cls(
            sub_id=str(doc["sub_id"]),
            chat_id=int(doc["chat_id"]),
            topic=_one(memo, str(doc.get("topic", "")), str),
            hour=int(doc["hour"]),
            minute=int(doc["minute"]),
            zone=_one(memo, str(doc["zone"]), str),
            created=created,
            cursor=_one(memo, doc.get("cursor"), from_iso),
            last_due=_one(memo, doc.get("last_due"), from_iso),
            sent=SentMap.from_doc(doc.get("sent")),
            thread_id=thread_of(doc),
        )


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """A chat's own digest settings: its zone, whether it can be reached, "nothing new" notes."""

    chat_id: int
    zone: str | None = None
    active: bool = True
    send_empty: bool = False
    lang: str | None = None  # the language the chat reads (bot.app.language)

    def to_doc(self) -> dict[str, Any]:
        """Return the TinyDB document."""
        return {
            "chat_id": self.chat_id,
            "zone": self.zone,
            "active": self.active,
            "send_empty": self.send_empty,
            "lang": self.lang,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any], shared: dict[Any, Any] | None = None) -> ChatSettings:
        """Build from a stored document; `shared` makes equal values one object (see `_one`)."""
        memo: dict[Any, Any] = {} if shared is None else shared
        zone, lang = doc.get("zone"), doc.get("lang")
        return cls(
            chat_id=int(doc["chat_id"]),
            zone=_one(memo, str(zone), str) if zone else None,
            active=bool(doc.get("active", True)),
            send_empty=bool(doc.get("send_empty", False)),
            lang=_one(memo, str(lang), str) if lang else None,
        )
