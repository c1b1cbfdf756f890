"""What every benchmark shares: where the shared data lives, corpus loading, timing and memory helpers."""

from __future__ import annotations

import gzip
import os
import resource
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from bot.models import ArticleDraft

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("NEWSBRIEF_SHARED_DATA", REPO.parent / "shared" / "data"))
CORPUS_DIR = SHARED_DATA / "corpus"
CORPUS_FILES = ("reuters21578.jsonl.gz", "ag_news_test.jsonl", "bbc_news_2225.jsonl")


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the JSON objects of a `.jsonl` or `.jsonl.gz` file."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        for line in fh:
            if line.strip():
                yield orjson.loads(line)


def load_corpus() -> list[dict[str, Any]]:
    """Return the 31,403 corpus records of shared/data/corpus, in file order."""
    records: list[dict[str, Any]] = []
    for name in CORPUS_FILES:
        records.extend(iter_jsonl(CORPUS_DIR / name))
    return records


def repeat_corpus(records: list[dict[str, Any]], size: int) -> list[dict[str, Any]]:
    """Return `size` records made by repeating `records`, each copy with new ids and urls.

    Copies after the first get a `~rN` suffix on id and url (and title, so content
    dedup does not fold them): a bigger corpus of the same text, not new text.
    """
    out: list[dict[str, Any]] = []
    round_no = 0
    while len(out) < size:
        for rec in records:
            if len(out) >= size:
                break
            if round_no == 0:
                out.append(rec)
                continue
            copy = dict(rec)
            copy["id"] = f"{rec['id']}~r{round_no}"
            if copy.get("url"):
                copy["url"] = f"{rec['url']}?copy={round_no}"
            copy["title"] = f"{rec.get('title') or ''} ({round_no})".strip()
            out.append(copy)
        round_no += 1
    return out


def corpus_draft(record: dict[str, Any], **fields: Any) -> ArticleDraft:
    """Return a draft of a corpus record's title and body (never None) with `fields` beside."""
    from bot.models import ArticleDraft  # of the checkout PYTHONPATH names, imported on use

    return ArticleDraft(title=record.get("title") or "", body=record.get("body") or "", **fields)


def stored_draft(record: dict[str, Any], **fields: Any) -> ArticleDraft:
    """Return `corpus_draft` keeping the record's id, URL and source, as an import stores them."""
    return corpus_draft(
        record, url=record.get("url"), id=record["id"], source=record.get("source"), **fields
    )


def peak_rss_mb() -> float:
    """Return this process's peak resident memory in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], pct: float) -> float:
    """Return the pct-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[rank]


def median(values: list[float]) -> float:
    """Return the median of values."""
    return statistics.median(values) if values else float("nan")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Run fn once and return (seconds, result)."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """Render a Markdown table, so the output can be pasted into a note as is."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), sep, *(line(r) for r in cells)])
