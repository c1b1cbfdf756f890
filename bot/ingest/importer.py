"""`newsbrief import`: seed-format files, JSON Lines (optionally gzipped) and saved feeds."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from bot.archive.protocol import ArticleStoreLike
from bot.ingest.dates import date_problem, no_date
from bot.ingest.feedparse import parse_feed
from bot.ingest.idclaims import IdClaims
from bot.ingest.seedformat import SeedFormatError, parse_seed
from bot.models import ArticleDraft, utcnow
from bot.text.clean import one_line, parse_date, unwrap_inline_tags

BATCH_SIZE = 5000
SEED_SUFFIXES = (".md", ".txt")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
FEED_SUFFIXES = (".xml", ".rss", ".atom", ".json")  # .json: a JSON Feed
BOM = b"\xef\xbb\xbf"  # the UTF-8 byte order mark
_TEXT_FIELDS = ("id", "title", "body", "url", "source", "category")


@dataclass
class ImportReport:
    """Counts of one import, and the reason for each rejected record as `file:line: reason`."""

    added: int = 0
    duplicates: int = 0
    rejected: list[str] = field(default_factory=list)
    epoch_dated: int = 0  # records dated at the Unix epoch, read as undated

    def summary(self) -> str:
        """Return the one-line account printed after an import."""
        line = f"added {self.added}, duplicates {self.duplicates}, rejected {len(self.rejected)}"
        if self.epoch_dated:  # said, as the dates in the file are not the ones stored
            line += f" ({self.epoch_dated} dated 1970-01-01, a 'no date': read as undated)"
        return line


Record = tuple[str, ArticleDraft | str]  # (where, draft or the reason it was rejected)


def source_from_url(url: str | None) -> str | None:
    """Return a readable source name from a URL's host: www.example.com -> example.com."""
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


class _BadDate(ValueError):
    pass


def _published(value: Any) -> datetime | None:
    """Return the parsed date, None when absent; raise _BadDate when present but unreadable."""
    if value in (None, ""):
        return None
    parsed = parse_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise _BadDate(f"bad date in 'published': {value!r}")
    return parsed


def _jsonl_draft(obj: Any) -> ArticleDraft | str:
    if not isinstance(obj, dict):
        return "not a JSON object"
    for name in _TEXT_FIELDS:
        if obj.get(name) is not None and not isinstance(obj[name], str):
            return f"field {name!r} must be a string"
    # Plain text: "<TMG>" is a ticker, not markup; only leaked tag pairs are taken out.
    title = one_line(unwrap_inline_tags(obj.get("title") or ""))
    body = unwrap_inline_tags(obj.get("body") or "").strip()
    if not title and not body:
        return "no title and no body"
    try:
        published = _published(obj.get("published"))
    except _BadDate as exc:
        return str(exc)
    url = (obj.get("url") or "").strip() or None
    return ArticleDraft(
        title=title or body.split("\n", 1)[0][:120],
        body=body,
        url=url,
        published=published,
        source=one_line(obj.get("source") or "") or source_from_url(url),
        category=one_line(obj.get("category") or "") or None,
        id=(obj.get("id") or "").strip() or None,
    )


def read_jsonl(path: Path) -> Iterator[Record]:
    """Yield each line of a JSON Lines file as a draft or a rejection."""
    packed = path.name.lower().endswith(".gz")
    opener: Callable[..., Any] = gzip.open if packed else open
    number = 0
    with opener(path, "rb") as fh:
        try:
            for number, line in enumerate(fh, start=1):
                # A byte order mark (Notepad, PowerShell) is not part of the first record.
                text = line.removeprefix(BOM) if number == 1 else line
                yield from _jsonl_line(f"{path}:{number}", text)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            # A download cut short: the lines before it are good and stay; the rest is one
            # rejection, not a traceback that loses them too.
            yield f"{path}:{number + 1}", f"damaged or truncated gzip file ({exc})"


def _jsonl_line(where: str, line: bytes) -> Iterator[Record]:
    if not line.strip():
        return
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        yield where, f"invalid JSON ({exc})"
        return
    yield where, _jsonl_draft(obj)


def read_seed(path: Path) -> Iterator[Record]:
    """Yield the one article of a seed-format file."""
    try:
        draft = parse_seed(path.read_text(encoding="utf-8"))
    except SeedFormatError as exc:
        yield f"{path}:{exc.line}", exc.reason
        return
    except UnicodeDecodeError:
        yield f"{path}:1", "not UTF-8 text"
        return
    yield (
        f"{path}:1",
        ArticleDraft(
            title=draft.title,
            body=draft.body,
            url=draft.url,
            published=draft.published,
            source=source_from_url(draft.url),
        ),
    )


def read_feed(path: Path, fetched_at: datetime) -> Iterator[Record]:
    """Yield the items of an RSS, Atom or JSON Feed file."""
    parsed = parse_feed(path.read_bytes(), fetched_at=fetched_at)
    if not parsed.is_feed:
        yield f"{path}:1", parsed.problem or "not a feed"
        return
    for draft in parsed.drafts:
        yield f"{path}", draft
    for reason in parsed.skipped:
        yield f"{path}", reason


def read_any(path: Path, fetched_at: datetime) -> Iterator[Record]:
    """Dispatch on the file name; anything else is one rejection."""
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        yield from read_jsonl(path)
    elif name.endswith(SEED_SUFFIXES):
        yield from read_seed(path)
    elif name.endswith(FEED_SUFFIXES):
        yield from read_feed(path, fetched_at)
    else:
        yield f"{path}", "unknown file type (expected .md, .txt, .jsonl, .jsonl.gz, .xml or .json)"


def _dated(draft: ArticleDraft, now: datetime) -> ArticleDraft | str:
    """Return the draft with the date it is stored under, or why its date cannot be one.

    The Unix epoch is undated, as a polled feed's item is (feedparse); a date less than a
    day ahead is now.
    """
    if draft.published is None or no_date(draft.published):
        return replace(draft, published=None)
    problem = date_problem(draft.published, now)
    if problem is None and draft.published > now:
        return replace(draft, published=now)
    return problem or draft


def import_paths(
    store: ArticleStoreLike,
    paths: list[Path],
    *,
    progress: Callable[[int], None] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> ImportReport:
    """Import files into the store in batches (one write per batch); bad records are reported."""
    report = ImportReport()
    batch: list[ArticleDraft] = []
    claims = IdClaims(store)

    def flush() -> None:
        result = store.add_many(batch)
        report.added += len(result.added)
        report.duplicates += result.duplicates
        claims.settle(article.id for article in result.added)
        if progress:
            progress(len(batch))
        batch.clear()

    for path in paths:
        if path.is_dir():
            report.rejected.append(f"{path}: a directory; name its files (e.g. {path}/*.jsonl)")
            continue
        if not path.is_file():
            report.rejected.append(
                f"{path}: {'not a regular file' if path.exists() else 'no such file'}"
            )
            continue
        now = clock()
        for where, item in read_any(path, now):
            if isinstance(item, ArticleDraft):
                report.epoch_dated += bool(item.published and no_date(item.published))
                item = _dated(item, now)
            if isinstance(item, ArticleDraft):
                item = claims.conflict(item) or item
            if isinstance(item, str):
                report.rejected.append(f"{where}: {item}")
                continue
            batch.append(item)
            if len(batch) >= BATCH_SIZE:
                flush()
    if batch:
        flush()
    return report
