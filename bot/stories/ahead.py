"""An item's work done ahead of its turn, in another process: its analysis and body signature."""

from __future__ import annotations

from typing import NamedTuple

from bot.stories.copies import Prints
from bot.stories.text import Analysis


class Ahead(NamedTuple):
    """What `StoryEngine.assign` would compute of an item itself: the same values, made ahead."""

    analysis: Analysis
    prints: Prints | None

    def sign(self, body: str) -> Prints | None:
        """Return the signature made ahead (a `copies.Signer` for the item's own body)."""
        return self.prints
