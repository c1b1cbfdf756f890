"""Find what a followed story brought each of its followers since they last heard (a worker's job).

Runs off the event loop: it takes the follows' cursors as values, reads the stories'
developments (`bot.stories.facts`) and returns what to send; the loop owns every follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.models import Development, told_to


class DevelopmentSource(Protocol):
    """The part of StoryService the finder reads."""

    def developments(self, story_id: str) -> list[Development]: ...


@dataclass(frozen=True, slots=True)
class Ask:
    """One followed story and its followers: (chat id, cursor, the chat's language)."""

    story_id: str
    chats: tuple[tuple[int, datetime | None, str], ...]


@dataclass(frozen=True, slots=True)
class Found:
    """The developments one chat has not been told of; `upto` is the newest one's arrival."""

    chat_id: int
    story_id: str
    developments: tuple[Development, ...]

    @property
    def upto(self) -> datetime:
        """Return the arrival time of the newest development told."""
        return max(d.added for d in self.developments)


def find_updates(stories: DevelopmentSource, asks: Sequence[Ask]) -> list[Found]:
    """Return, per chat and story, the new facts of reports that arrived after its cursor."""
    found: list[Found] = []
    for ask in asks:
        later = [d for d in stories.developments(ask.story_id) if not d.first]
        # Followers told at the same moment, in one language, share their news: found once.
        news: dict[tuple[datetime | None, str], tuple[Development, ...]] = {}
        for chat_id, cursor, lang in ask.chats:
            new = news.get((cursor, lang))
            if new is None:
                new = news[cursor, lang] = _after(told_to(later, lang), cursor)
            if new:
                found.append(Found(chat_id, ask.story_id, new))
    return found


def _after(developments: list[Development], cursor: datetime | None) -> tuple[Development, ...]:
    """Return the developments that arrived after the cursor (newest last, so walk back)."""
    start = len(developments)
    while start and (cursor is None or developments[start - 1].added > cursor):
        start -= 1
    return tuple(developments[start:])
