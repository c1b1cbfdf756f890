"""What an update says: its message (rendered once per story, news, language and zone), buttons.

The buttons' callback data is decoded by `bot.app.buttons`. A story's timeline (`w:`) and
unfollow (`u:`) are the follows' own; listing its articles (`t:`) and following it (`f:`)
are the digests' buttons, the same under every story.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from cachetools import LRUCache

from bot.digests.delivery import DigestPart
from bot.digests.message import FOLLOW_BUTTON, STORY_BUTTON
from bot.follows.records import Follow
from bot.i18n import N_, Translator
from bot.models import Development, Story
from bot.render.timeline import farewell, follow_update

RENDER_CACHE = 1000  # updates rendered, by story, what they tell, language, zone and day
# Said in General before the first update whose forum topic was closed or deleted (the
# Deliverer's fallback, bot.digests.delivery): the follow stays, and moves there.
MOVED_NOTE = N_(
    "The topic these story updates went to is closed or deleted, so they come here from now "
    "on. Follow the story again in a topic to have them there."
)
TIMELINE_BUTTON, UNFOLLOW_BUTTON = "w:", "u:"
ARTICLES_BUTTON = STORY_BUTTON
__all__ = ["ARTICLES_BUTTON", "FOLLOW_BUTTON", "TIMELINE_BUTTON", "UNFOLLOW_BUTTON"]


def update_buttons(story_id: str, tr: Translator) -> tuple[tuple[tuple[str, str], ...], ...]:
    """Return an update's buttons: the timeline, the articles, unfollow."""
    return (
        (
            (tr.gettext("🗓 Timeline"), TIMELINE_BUTTON + story_id),
            (tr.gettext("📚 Articles"), ARTICLES_BUTTON + story_id),
            (tr.gettext("🔕 Unfollow"), UNFOLLOW_BUTTON + story_id),
        ),
    )


class Headlines(Protocol):
    """The part of StoryService an update's headline comes from."""

    def story(self, story_id: str, *, lang: str | None = None) -> Story | None: ...


class UpdateMessages:
    """Render updates and farewells; the followers told of the same news share one rendering."""

    def __init__(self, stories: Headlines, clock: Callable[[], datetime]) -> None:
        self._stories = stories
        self._clock = clock  # what "today" is: a report of another day gives its date
        self._rendered: LRUCache[tuple[object, ...], DigestPart] = LRUCache(RENDER_CACHE)

    def part(
        self,
        follow: Follow,
        developments: tuple[Development, ...],
        bye: bool,
        tr: Translator,
        zone: ZoneInfo,
    ) -> tuple[DigestPart, DigestPart | None]:
        """Return the message of an update (or of a follow's end) in tr's language and zone.

        It goes to the follow's forum topic; the second message is what General is told
        first should that topic be gone (none for a farewell, or a follow in General).
        """
        told = tuple(d.article_id for d in developments)
        now = self._clock()
        key = (follow.story_id, bye, told, tr.lang, zone.key, now.astimezone(zone).date())
        part = self._rendered.get(key)
        if part is None:
            story = self._stories.story(follow.story_id, lang=tr.lang)
            headline = story.headline if story is not None else follow.headline
            if bye:
                part = DigestPart(farewell(headline, tr))
            else:
                text = follow_update(headline, developments, zone, tr, now)
                part = DigestPart(text, update_buttons(follow.story_id, tr))
            self._rendered[key] = part
        moved = None if bye or follow.thread_id is None else DigestPart(tr.gettext(MOVED_NOTE))
        return replace(part, thread_id=follow.thread_id), moved
