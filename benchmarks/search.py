"""Search: this project's engine (tantivy via SearchService) against SQLite FTS5 and a TinyDB scan.

Each engine runs in its own subprocess (`benchmarks.search_engines`), so peak RSS is that
engine's process: it includes the corpus loaded as Article objects, shown separately. Sizes:
the 31,403 articles of shared/data/corpus, and 100,000 made by repeating them with new ids
(`repeat_corpus`). Latency is per query, in ms, after a short warm-up; this engine runs
through `SearchService.search` with typo tolerance, prefixes and snippets on; FTS5 ranks by
bm25 with snippet(); TinyDB scans every document with `Query.search` on a few queries only.
Known-item quality (`benchmarks.search_quality`) runs on the 31,403 articles.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import orjson

from benchmarks.common import REPO, median, percentile, table
from benchmarks.search_engines import QUERIES_PER_CLASS, TINYDB_QUERIES_PER_CLASS

SIZES = (31_403, 100_000)
ENGINES = ("tantivy", "fts5", "tinydb")
CLASSES = ("1 word", "2 words", "3 words", "typo")
LABEL = {"tantivy": "tantivy (SearchService)", "fts5": "SQLite FTS5", "tinydb": "TinyDB scan"}


def measure(engine: str, size: int, quality: bool = False) -> dict[str, Any]:
    """Run one engine in a fresh interpreter and return its measurements."""
    args = [sys.executable, "-m", "benchmarks.search_engines", engine, str(size)]
    done = subprocess.run(
        [*args, "quality"] if quality else args,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = orjson.loads(done.stdout.strip().splitlines()[-1])
    return result


def ms(values: list[float]) -> str:
    """Format p50 / p99 of latencies in ms."""
    return f"{median(values):.2f} / {percentile(values, 99):.2f}"


def latency_rows(results: list[dict[str, Any]]) -> list[list[Any]]:
    """Return one table row per engine run."""
    rows = []
    for r in results:
        lat = r["latency_ms"]
        rows.append(
            [
                LABEL[r["engine"]],
                f"{r['size']:,}" + (" (repeated)" if r["size"] > SIZES[0] else ""),
                f"{r['build_s']:.1f}",
                f"{r['index_mb']:.1f}",
                f"{r['peak_rss_mb']:.0f} ({r['loaded_rss_mb']:.0f})",
                *(ms(lat[c]) for c in CLASSES),
                len(lat[CLASSES[0]]),
            ]
        )
    return rows


def target_rows(results: list[dict[str, Any]]) -> list[list[str]]:
    """Check the issue's targets at 100,000 articles."""
    ours = next(r for r in results if r["engine"] == "tantivy" and r["size"] == SIZES[1])
    fts = next(r for r in results if r["engine"] == "fts5" and r["size"] == SIZES[1])
    all_ours = [v for c in CLASSES for v in ours["latency_ms"][c]]
    clean_fts = [v for c in CLASSES[:3] for v in fts["latency_ms"][c]]
    clean_ours = [v for c in CLASSES[:3] for v in ours["latency_ms"][c]]

    def ok(flag: bool) -> str:
        return "yes" if flag else "NO"

    p50, p50_fts = median(clean_ours), median(clean_fts)
    p99 = percentile(all_ours, 99)
    return [
        ["p50 ≤ FTS5 p50 (1-3 words)", f"{p50:.2f} vs {p50_fts:.2f} ms", ok(p50 <= p50_fts)],
        ["p99 ≤ 20 ms (all classes)", f"{p99:.2f} ms", ok(p99 <= 20)],
        ["build ≤ 30 s", f"{ours['build_s']:.1f} s", ok(ours["build_s"] <= 30)],
        [
            "memory ≤ 1 GB (peak RSS)",
            f"{ours['peak_rss_mb']:.0f} MB",
            ok(ours["peak_rss_mb"] <= 1024),
        ],
    ]


def quality_rows(results: list[dict[str, Any]]) -> list[list[Any]]:
    """Return the known-item figures of the runs that measured them."""
    rows = []
    for r in results:
        q = r.get("quality")
        if q:
            rows.append(
                [
                    LABEL[r["engine"]],
                    q["n"],
                    f"{q['clean']:.1%}",
                    f"{q['misspelt']:.1%}",
                    f"{q['clean_title']:.1%} / {q['misspelt_title']:.1%}",
                    f"{q['offered']:.1%} / {q['restored']:.1%}" if q["offered"] else "-",
                ]
            )
    return rows


QUALITY_HEADERS = [
    "engine",
    "items",
    "clean top-5",
    "misspelt top-5",
    "same title counts (clean / misspelt)",
    "did-you-mean offered / restores the clean query (misspelt)",
]


def print_quality(engines: list[str]) -> None:
    """Measure and print known-item quality only (for `python -m benchmarks.search_quality`)."""
    results = [measure(e, SIZES[0], quality=True) for e in engines]
    print(table(QUALITY_HEADERS, quality_rows(results)))


def main() -> None:
    """Run every engine at both sizes and print the tables side by side."""
    results = [
        measure(engine, size, quality=size == SIZES[0] and engine != "tinydb")
        for size in SIZES
        for engine in ENGINES
    ]
    headers = [
        "engine",
        "articles",
        "build s",
        "index MB",
        "peak RSS MB (corpus alone)",
        *(f"{c} p50 / p99 ms" for c in CLASSES),
        "queries per class",
    ]
    print(table(headers, latency_rows(results)))
    print(
        f"\n{QUERIES_PER_CLASS} queries per class from random titles (fixed seed); TinyDB "
        f"{TINYDB_QUERIES_PER_CLASS} per class (a full scan each). 'typo': two title words, one "
        "misspelt; FTS5 has no typo tolerance and mostly finds nothing for them."
    )
    for r in results:
        if "junk_ms" in r:
            junk = r["junk_ms"]
            print(
                f"\nRandom query strings (metacharacters, operators, unicode), {len(junk)} at "
                f"{r['size']:,}: p50 {median(junk):.2f} ms, p99 {percentile(junk, 99):.2f} ms, "
                f"max {max(junk):.2f} ms (the issue asks for < 50 ms)."
            )
    print("\nTargets at 100,000 articles:\n")
    print(table(["target", "measured", "met"], target_rows(results)))
    print("\nKnown-item search, 31,403 articles (query: 2-3 rare title words):\n")
    print(table(QUALITY_HEADERS, quality_rows(results)))


if __name__ == "__main__":
    main()
