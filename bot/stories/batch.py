"""Cluster a JSON-lines file of articles in file order, without storing anything (for the CLI).

Three outputs: each article's story (`cluster_lines`), the most important stories of the last
day (`top_lines`), or every story with its headline and summary for one reader (`summary_lines`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.models import Article
from bot.stories.engine import StoryEngine
from bot.stories.ranking import top_stories
from bot.stories.values import EngineSettings, StoryItem, StorySummary
from bot.summarize.story import summarize_story
from bot.text.lang import detect_language

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
            "reports": summary.reports,
            "articles": list(summary.members),
        }
        for summary in top_stories(engine.summaries(), newest, TOP_PERIOD, n)
    ]


def summary_lines(
    lines: Iterable[str | bytes], lang: str = "en", settings: EngineSettings | None = None
) -> list[dict[str, Any]]:
    """Return every story of the file, largest first, with its headline and summary for lang.

    Stories leave the engine's window as the file moves on, so each is summarised from its own
    members afterwards: replayed alone, they give the engine's headline (the title nearest the
    centroid, per language) and copies exactly as they were decided.
    """
    engine = StoryEngine(settings)
    members: dict[str, list[StoryItem]] = {}
    for item in _items(lines):
        members.setdefault(engine.assign(item), []).append(item)
    ordered = sorted(members.items(), key=lambda pair: -len(pair[1]))  # stable: first seen first
    return [_summary_line(story_id, items, lang, settings) for story_id, items in ordered]


def _summary_line(
    story_id: str, items: list[StoryItem], lang: str, settings: EngineSettings | None
) -> dict[str, Any]:
    """Return one story's line: headline and summary in the reader's language when it has one."""
    alone = StoryEngine(settings)
    alone.restore((story_id, item) for item in items)
    found = alone.summary(story_id)
    assert found is not None  # just restored, nothing can have expired it
    articles = _articles(items, found)
    summary = summarize_story(articles, lang, found.headline_for(lang))
    return {
        "story": story_id,
        "headline": found.headline_for(summary.lang),
        "summary": summary.text,
        "lang": summary.lang,
        "sources": found.sources,
        "reports": found.reports,
        "articles": [item.id for item in items],
    }


def _articles(items: list[StoryItem], found: StorySummary) -> list[Article]:
    """Return the items as articles (language as the store would detect it), headline's first."""
    articles = [
        Article(
            item.id,
            item.title,
            item.body,
            item.published,
            item.published,
            source=item.source or None,
            lang=_language(item),
        )
        for item in items
    ]
    articles.sort(key=lambda a: a.title != found.headline)
    return articles


def _language(item: StoryItem) -> str:
    """Return the item's language: the line's own `lang`, else the store's detection."""
    if item.lang:
        return item.lang.lower().split("-")[0]
    return detect_language(f"{item.title}\n{item.body}")
