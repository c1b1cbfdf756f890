"""Cluster a JSON-lines file of articles in file order, without storing anything (for the CLI)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.stories.engine import StoryEngine
from bot.stories.values import EngineSettings, StoryItem

TOP_PERIOD = timedelta(hours=24)


class BatchInputError(ValueError):
    """A line of the input could not be read as an article; the message names the line."""

    def __init__(self, line_no: int, problem: str) -> None:
        super().__init__(f"line {line_no}: {problem}")
        self.line_no = line_no


def _text(record: dict[str, Any], key: str, line_no: int, required: bool = False) -> str:
    value = record.get(key)
    if value is None:
        if required:
            raise BatchInputError(line_no, f"missing {key!r}")
        return ""
    if not isinstance(value, str):
        raise BatchInputError(line_no, f"{key!r} must be a string")
    return value


def _parse(line: str | bytes, line_no: int) -> StoryItem | None:
    """Return the article on one line, None for a blank line."""
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BatchInputError(line_no, f"not valid JSON ({exc})") from exc
    if not isinstance(record, dict):
        raise BatchInputError(line_no, "expected a JSON object")
    item_id = _text(record, "id", line_no, required=True)
    if not item_id:
        raise BatchInputError(line_no, "empty 'id'")
    raw_published = _text(record, "published", line_no, required=True)
    try:
        published = datetime.fromisoformat(raw_published)
    except ValueError as exc:
        raise BatchInputError(line_no, f"'published' is not ISO 8601: {raw_published!r}") from exc
    if published.tzinfo is None:
        # Feeds often omit the offset; UTC is the usual meaning and keeps the line usable.
        published = published.replace(tzinfo=UTC)
    return StoryItem(
        id=item_id,
        title=_text(record, "title", line_no),
        body=_text(record, "body", line_no),
        published=published,
        source=_text(record, "source", line_no),
        lang=_text(record, "lang", line_no) or None,
    )


def _items(lines: Iterable[str | bytes]) -> Iterator[StoryItem]:
    seen: set[str] = set()
    for line_no, line in enumerate(lines, start=1):
        item = _parse(line, line_no)
        if item is None:
            continue
        if item.id in seen:
            raise BatchInputError(line_no, f"duplicate id {item.id!r}")
        seen.add(item.id)
        yield item


def cluster_lines(
    lines: Iterable[str | bytes], settings: EngineSettings | None = None
) -> Iterator[dict[str, str]]:
    """Yield {"id", "story"} for each article line, clustered in file order."""
    engine = StoryEngine(settings)
    for item in _items(lines):
        yield {"id": item.id, "story": engine.assign(item)}


def top_lines(
    lines: Iterable[str | bytes], n: int, settings: EngineSettings | None = None
) -> list[dict[str, Any]]:
    """Return the n most important stories of the 24 h before the last article, best first.

    "Last" is the newest `published` in the file. The engine's window must cover the period.
    """
    engine = StoryEngine(settings)
    newest: datetime | None = None
    for item in _items(lines):
        engine.assign(item)
        newest = item.published if newest is None else max(newest, item.published)
    if newest is None:
        return []
    return [
        {
            "story": summary.id,
            "headline": summary.headline,
            "sources": summary.sources,
            "articles": list(summary.members),
        }
        for summary in engine.top(newest, TOP_PERIOD, n)
    ]
