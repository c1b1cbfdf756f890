"""The callback data of the follow buttons, which `bot.app.buttons` decodes.

A story's timeline (`w:`) and unfollow (`u:`) are the follows' own; listing its articles
(`t:`) and following it (`f:`) are the digests' buttons, the same under every story.
"""

from __future__ import annotations

from bot.digests.message import FOLLOW_BUTTON, STORY_BUTTON
from bot.i18n import Translator

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
