"""Find what a followed story brought each of its followers since they last heard (a worker's job).

Runs off the event loop: it takes the follows' cursors as values, reads the stories'
developments (`bot.stories.facts`) and returns what to send; the loop owns every follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.models import Development


class DevelopmentSource(Protocol):
    """The part of StoryService the finder reads."""

    def developments(self, story_id: str) -> list[Development]: ...


@dataclass(frozen=True, slots=True)
class Ask:
    """One followed story and its followers' cursors: (chat id, cursor)."""

    story_id: str
    chats: tuple[tuple[int, datetime | None], ...]


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
        developments = stories.developments(ask.story_id)
        later = [d for d in developments if not d.first]
        for chat_id, cursor in ask.chats:
            # Newest last: walk back to the cursor instead of over the whole story.
            new: list[Development] = []
            for development in reversed(later):
                if cursor is not None and development.added <= cursor:
                    break
                new.append(development)
            if new:
                found.append(Found(chat_id, ask.story_id, tuple(reversed(new))))
    return found
