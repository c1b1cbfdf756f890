"""A chat's follow of one story and its quiet hours, with their TinyDB document shapes."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import Any

from bot.digests.records import thread_doc, thread_of
from bot.models import from_iso, later, to_iso


@dataclass(frozen=True, slots=True)
class Follow:
    """One story a chat follows.

    `cursor` is the arrival time of the newest report the chat has been told of (or had when
    it followed): reports after it are the ones it has not seen. `last_sent` paces updates,
    `last_news` (the newest fact told, else the follow itself) ends a follow gone quiet.
    `thread_id` is the forum topic it was made in, where its updates go (None: General).
    """

    chat_id: int
    story_id: str
    headline: str
    since: datetime
    cursor: datetime | None = None
    last_sent: datetime | None = None
    last_news: datetime | None = None
    thread_id: int | None = None

    @property
    def key(self) -> tuple[int, str]:
        """Return what identifies the follow: chat and story."""
        return self.chat_id, self.story_id

    @property
    def news_at(self) -> datetime:
        """Return when the story last brought this chat news (or was followed)."""
        return self.last_news or self.since

    def told(
        self, upto: datetime | None, sent: datetime, news: datetime | None, *, general: bool = False
    ) -> Follow:
        """Return the follow after an update Telegram confirmed (times only move forward).

        `general`: its forum topic was gone and the update went to General, as the next will.
        """
        return replace(
            self,
            cursor=later(self.cursor, upto),
            last_sent=later(self.last_sent, sent),
            last_news=later(self.last_news, news),
            thread_id=None if general else self.thread_id,
        )

    def to_doc(self) -> dict[str, Any]:
        """Return the TinyDB document."""
        return {
            "chat_id": self.chat_id,
            "story_id": self.story_id,
            "headline": self.headline,
            "since": self.since.isoformat(),
            "cursor": to_iso(self.cursor),
            "last_sent": to_iso(self.last_sent),
            "last_news": to_iso(self.last_news),
        } | thread_doc(self.thread_id)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Follow:
        """Build from a TinyDB document."""
        since = from_iso(doc.get("since"))
        if since is None:
            raise ValueError("follow without a start")
        return cls(
            chat_id=int(doc["chat_id"]),
            story_id=str(doc["story_id"]),
            headline=str(doc.get("headline", "")),
            since=since,
            cursor=from_iso(doc.get("cursor")),
            last_sent=from_iso(doc.get("last_sent")),
            last_news=from_iso(doc.get("last_news")),
            thread_id=thread_of(doc),
        )


_SPAN = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])\s*[-–—]\s*([01]?[0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True, slots=True)
class Quiet:
    """Hours of a day when updates wait (local time; may wrap past midnight)."""

    start: time
    end: time

    @property
    def text(self) -> str:
        """Return "22:00–08:00"."""
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    @classmethod
    def parse(cls, text: str) -> Quiet | None:
        """Parse "23:00-07:00" (also with – or —); None when it is not a span of two times."""
        match = _SPAN.fullmatch(text.strip())
        if match is None:
            return None
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if (h1, m1) == (h2, m2):
            return None
        return cls(time(h1, m1), time(h2, m2))


# Most people sleep then; a serious bot does not buzz a phone at 3 a.m. for a story.
DEFAULT_QUIET = Quiet(time(22, 0), time(8, 0))
