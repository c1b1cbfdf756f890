"""A story record: what is kept of a story, and its line in the stories file.

Format 2 adds each story's newest publication time (`t`, microseconds since the epoch), so an
open needs no article to know which stories are recent. A record may list its copies (`c`:
member → the member whose text it reprints, `bot.stories.copies`); a record without `c`
(every file written before) has none: each member is its own report.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import orjson

NO_HEADLINES: Mapping[str, str] = MappingProxyType({})
HEADLINE_EVERY_AFTER, HEADLINE_EVERY = 20, 10  # refresh a headline always up to 20, then 1 in 10
NO_COPIES: Mapping[str, str] = MappingProxyType({})


def other_headlines(headline: str, by_lang: Mapping[str, str]) -> Mapping[str, str]:
    """Return the headlines by language that differ from the overall one.

    A reader asks `headlines.get(lang, headline)`, so the rest are implied; most stories
    are in one language and share one empty map (a dict and a string less per story: about
    150 MB at a million articles).
    """
    found = {lang: text for lang, text in by_lang.items() if text != headline}
    return found or NO_HEADLINES


@dataclass(slots=True)
class StoryRecord:
    """What is kept of a story: its members in arrival order and its headlines."""

    id: str
    members: list[str] = field(default_factory=list)
    headline: str = ""
    # By language, only where it differs from `headline`; replaced whole, never changed
    # in place, so copies share it.
    headlines: Mapping[str, str] = field(default_factory=lambda: NO_HEADLINES)
    last: datetime | None = None  # the newest member's publication; None until known
    # Member → the member whose text it reprints; replaced whole like `headlines`.
    copies: Mapping[str, str] = field(default_factory=lambda: NO_COPIES)

    def drop(self, article_ids: Collection[str]) -> bool:
        """Remove these members in one pass (not one `list.remove` each); return whether any went."""
        kept = [m for m in self.members if m not in article_ids]
        if len(kept) == len(self.members):
            return False
        self.members = kept
        return True

    def headline_due(self, added: int) -> bool:
        """Tell whether the headline needs choosing again now that `added` members joined.

        Choosing it (the title nearest the centroid) reads every member: always while the
        story is small, then once per HEADLINE_EVERY members, however many one batch brings
        (an import's 35 reports of a quake kept the headline of the story's first report).
        """
        size = len(self.members)
        if size <= HEADLINE_EVERY_AFTER or not self.headline:
            return True
        return size // HEADLINE_EVERY != (size - added) // HEADLINE_EVERY

    def copy(self) -> StoryRecord:
        """Return a copy a reader can use while the writer goes on changing this one."""
        return StoryRecord(
            self.id, list(self.members), self.headline, self.headlines, self.last, self.copies
        )

    def report_of(self, member: str) -> str:
        """Return the key of the member's report: the member its text first appeared as."""
        return self.copies.get(member, member)

    def to_line(self) -> bytes:
        """Return the record as one JSON line."""
        doc: dict[str, object] = {
            "id": self.id,
            "m": self.members,
            "h": self.headline,
            "l": dict(self.headlines),
        }
        if self.last is not None:
            doc["t"] = (self.last - EPOCH) // MICROSECOND
        if self.copies:
            doc["c"] = dict(self.copies)
        return orjson.dumps(doc) + b"\n"


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def parse_record(doc: Any) -> StoryRecord | str | None:
    """Return a record, a story id to forget (tombstone), or None for a line to skip."""
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
        return None
    if doc.get("gone"):
        return str(doc["id"])
    members = doc.get("m")
    if not isinstance(members, list) or not set(map(type, members)) <= {str}:
        return None
    headline = str(doc.get("h") or "")
    found = doc.get("l")
    headlines = {k: str(v) for k, v in found.items()} if isinstance(found, dict) and found else {}
    micros = doc.get("t")
    copies = doc.get("c")
    return StoryRecord(
        doc["id"],
        members,
        headline,
        other_headlines(headline, headlines) if headlines else NO_HEADLINES,
        EPOCH + timedelta(microseconds=micros) if type(micros) is int else None,
        _copies(copies) if isinstance(copies, dict) and copies else NO_COPIES,
    )


def _copies(found: dict[Any, Any]) -> Mapping[str, str]:
    """Return a record's copies, keeping only string pairs (a damaged line loses no story)."""
    kept = {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)}
    return MappingProxyType(kept) if kept else NO_COPIES
