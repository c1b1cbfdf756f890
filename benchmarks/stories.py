"""Story clustering: quality on the two dev sets, the top-10 check, speed at 100k, and the sweep.

`python -m benchmarks.stories` prints, for gnews_dev and mmds_dev, BCubed P/R/F1, NMI,
cluster count and ms per 1k articles for (a) every article alone, (b) identical normalised
title, (c) the README's online single-pass TF-IDF baseline at its best threshold on that set,
(d) newsbrief's engine with default settings. `--sweep` prints the coarse grid the defaults
were chosen from; `--no-speed` skips the 100k run, `--speed` runs only that.

Top-10 check: the engine's `top(last, 24 h, 10)` where `last` is the newest `published` of the
set. Each returned story is mapped to the gold story most of its members carry. The "10
largest" are the gold stories with the most articles published in that same 24 h; a gold
story tied with the tenth largest also counts as one of them. Pass = 10 different gold stories
and at least 8 of them among the 10 largest.
"""

from __future__ import annotations

import argparse
import gc
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.clustering_metrics import (
    largest_gold,
    majority_gold,
    online_single_pass,
    score_row,
    scores,
    tfidf_matrix,
)
from benchmarks.common import (
    SHARED_DATA,
    iter_jsonl,
    load_corpus,
    median,
    percentile,
    table,
)
from bot.stories import EngineSettings, StoryEngine, StoryItem

STORIES_DIR = SHARED_DATA / "stories"
SETS = ("gnews_dev", "mmds_dev")
BASELINE_THRESHOLDS = (0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.40, 0.50, 0.60)
TOP_PERIOD = timedelta(hours=24)
SPEED_SIZE = 100_000
SPEED_TAIL = 10_000
# One article a minute: about 2,900 articles in the engine's two-day window, a busy feed set.
SPEED_SPACING = timedelta(minutes=1)
HEADERS = ["system", "B³ P", "B³ R", "B³ F1", "NMI", "clusters (gold)", "ms / 1k articles"]


def load_set(name: str) -> list[dict[str, Any]]:
    """Return the records of one dev set, in file (arrival) order."""
    return list(iter_jsonl(STORIES_DIR / f"{name}.jsonl"))


def to_items(records: list[dict[str, Any]]) -> list[StoryItem]:
    """Return the records as engine items; the language is left to the engine to detect."""
    return [
        StoryItem(
            id=r["id"],
            title=r.get("title") or "",
            body=r.get("body") or "",
            published=datetime.fromisoformat(r["published"]),
            source=r.get("source") or "",
        )
        for r in records
    ]


def run_engine(items: list[StoryItem], settings: EngineSettings) -> tuple[StoryEngine, list[str]]:
    """Assign every item in order with a fresh engine; return the engine and the labels."""
    engine = StoryEngine(settings)
    return engine, [engine.assign(item) for item in items]


def _normal_title(title: str) -> str:
    return " ".join(re.findall(r"\w+", title.casefold()))


def quality(records: list[dict[str, Any]]) -> tuple[str, StoryEngine, list[StoryItem]]:
    """Return the quality table for one set, plus the default engine run on it."""
    gold = [r["story"] for r in records]
    rows = [score_row("(a) every article alone", gold, [r["id"] for r in records], 0.0)]
    start = time.perf_counter()
    titles = [_normal_title(r.get("title") or "") for r in records]
    rows.append(
        score_row("(b) identical normalised title", gold, titles, time.perf_counter() - start)
    )
    start = time.perf_counter()
    x = tfidf_matrix([f"{r.get('title') or ''} {r.get('body') or ''}" for r in records])
    fit = time.perf_counter() - start
    best: tuple[float, float, list[str], float] | None = None
    for threshold in BASELINE_THRESHOLDS:
        start = time.perf_counter()
        labels = online_single_pass(x, threshold)
        seconds = fit + time.perf_counter() - start
        f1 = scores(gold, labels)["F1"]
        if best is None or f1 > best[0]:
            best = (f1, threshold, labels, seconds)
    assert best is not None
    name = f"(c) online TF-IDF @{best[1]:.2f} (best of 0.05–0.60)"
    rows.append(score_row(name, gold, best[2], best[3]))
    items = to_items(records)
    start = time.perf_counter()
    engine, labels = run_engine(items, EngineSettings())
    rows.append(
        score_row("(d) newsbrief engine, defaults", gold, labels, time.perf_counter() - start)
    )
    return table(HEADERS, rows), engine, items


def top10_check(records: list[dict[str, Any]], engine: StoryEngine) -> str:
    """Return the top-10 check of an engine that has seen all records (see module docstring)."""
    gold_of = {r["id"]: r["story"] for r in records}
    last = max(datetime.fromisoformat(r["published"]) for r in records)
    in_period = {
        r["id"] for r in records if datetime.fromisoformat(r["published"]) > last - TOP_PERIOD
    }
    largest, tenth, golds = largest_gold(in_period, gold_of, 10)
    rows, events = [], []
    for rank, summary in enumerate(engine.top(last, TOP_PERIOD, 10), start=1):
        members = [m for m in summary.members if m in in_period] or list(summary.members)
        events.append(majority_gold(members, gold_of))
        mark = "yes" if events[-1] in largest else "no"
        rows.append([str(rank), summary.headline[:60], str(summary.sources), events[-1], mark])
    distinct, hits = len(set(events)), len(set(events) & largest)
    if golds < 10:
        # A period with fewer than 10 gold stories cannot yield 10 different ones.
        verdict = f"{len(events)} stories, {distinct} different gold stories of the {golds} in the period: **n/a**"
    else:
        ok = distinct == len(events) == 10 and hits >= 8
        verdict = (
            f"{len(events)} stories, {distinct} different gold stories, {hits} of the 10 largest "
            f"(10th largest has {tenth} articles in the period, {len(largest)} at or above): "
            f"**{'PASS' if ok else 'FAIL'}**"
        )
    head = ["rank", "headline", "sources", "gold story", "among 10 largest"]
    return f"{table(head, rows)}\n\n{verdict}"


def _speed_items(corpus: list[dict[str, Any]]) -> Iterator[StoryItem]:
    """Yield SPEED_SIZE items: the corpus repeated, copies with new ids and a round suffix."""
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(SPEED_SIZE):
        rec = corpus[i % len(corpus)]
        round_no = i // len(corpus)
        suffix = f" ({round_no})" if round_no else ""
        yield StoryItem(
            id=f"{rec['id']}~r{round_no}" if round_no else rec["id"],
            title=f"{rec.get('title') or ''}{suffix}",
            body=rec.get("body") or "",
            published=base + i * SPEED_SPACING,
            source=rec.get("source") or "",
        )


def speed() -> str:
    """Assign 100k corpus articles (repeated, one a minute) and time the last 10k assigns."""
    corpus = load_corpus()
    # The loaded corpus is the benchmark's, not the engine's: keep it out of the collector's
    # full passes, as a service's long-lived start-up data would be.
    gc.collect()
    gc.freeze()
    engine = StoryEngine()
    wall: list[float] = []
    cpu: list[float] = []
    total = time.perf_counter()
    for i, item in enumerate(_speed_items(corpus)):
        start, start_cpu = time.perf_counter(), time.thread_time()
        engine.assign(item)
        if i >= SPEED_SIZE - SPEED_TAIL:
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.thread_time() - start_cpu) * 1000)
    total = time.perf_counter() - total
    gc.unfreeze()
    head = ["articles", "active stories", "clock", "median ms / assign", "p99 ms / assign"]
    active = f"{len(engine.summaries()):,}"
    rows = [
        [f"{SPEED_SIZE:,}", active, name, f"{median(v):.3f}", f"{percentile(v, 99):.3f}"]
        for name, v in (("wall", wall), ("thread CPU", cpu))
    ]
    # On a shared machine the wall-clock tail is mostly time the scheduler gave to other
    # processes; the thread CPU time shows what the engine itself costs.
    note = (
        f"(last {SPEED_TAIL:,} assigns, language detection and text analysis included; "
        f"2-day window, one article a minute; whole run {total:.0f} s)"
    )
    return f"{table(head, rows)}\n{note}"


# Stage-2 changes must beat the stage-1 winner by this much mean F1: on mmds_dev one article
# moves F1 by about 0.004, and a coarse sweep should not pick settings on one article.
MIN_GAIN = 0.005


def _variations(base: EngineSettings) -> list[EngineSettings]:
    """Return the stage-2 grid: one setting at a time changed around base."""
    return [
        *(replace(base, title_weight=w) for w in (1.0, 3.0)),
        *(replace(base, entity_weight=w) for w in (0.5, 2.0)),
        *(replace(base, body_tokens=n) for n in (40, 200)),
        *(replace(base, window=timedelta(days=d)) for d in (1, 3)),
        *(replace(base, member_weight=w) for w in (0.3, 0.5)),
    ]


def _describe(settings: EngineSettings) -> str:
    """Name a grid point by its threshold, gap penalty and whatever else differs from the defaults."""
    default = EngineSettings()
    parts = [f"threshold={settings.threshold}", f"gap_penalty={settings.gap_penalty}"]
    for name in ("title_weight", "entity_weight", "body_tokens", "window", "member_weight"):
        value = getattr(settings, name)
        if value != getattr(default, name):
            parts.append(
                f"{name}={value.days}d" if isinstance(value, timedelta) else f"{name}={value}"
            )
    return " ".join(parts)


class _Sweep:
    """Run settings on both dev sets and collect one table row per run."""

    def __init__(self) -> None:
        self.data = {name: load_set(name) for name in SETS}
        self.items = {name: to_items(records) for name, records in self.data.items()}
        self.rows: list[list[str]] = []

    def run(self, stage: str, settings: EngineSettings) -> float | None:
        """Return the mean F1 of settings, or None if gnews precision is under 0.95."""
        result: dict[str, dict[str, float]] = {}
        seconds = 0.0
        for name in SETS:
            start = time.perf_counter()
            _, labels = run_engine(self.items[name], settings)
            seconds += time.perf_counter() - start
            result[name] = scores([r["story"] for r in self.data[name]], labels)
        mean = (result["gnews_dev"]["F1"] + result["mmds_dev"]["F1"]) / 2
        eligible = result["gnews_dev"]["P"] >= 0.95
        self.rows.append(
            [stage, _describe(settings)]
            + [f"{result[n][k]:.3f}" for n in SETS for k in ("P", "F1")]
            + [f"{mean:.3f}", "yes" if eligible else "no", f"{seconds:.1f}"]
        )
        return mean if eligible else None


def sweep() -> str:
    """Stage 1: threshold × gap penalty, best mean F1 with gnews P ≥ 0.95; stage 2: one change at a time."""
    runs = _Sweep()
    default = EngineSettings()
    best: tuple[float, EngineSettings] | None = None
    for t in (0.10, 0.125, 0.15, 0.20):
        for g in (0.0, 0.1, 0.2, 0.3):
            settings = replace(default, threshold=t, gap_penalty=g)
            mean = runs.run("1", settings)
            if mean is not None and (best is None or mean > best[0]):
                best = (mean, settings)
    if best is None:
        return f"{table(_SWEEP_HEAD, runs.rows)}\n\nno setting kept gnews precision ≥ 0.95"
    base_mean, chosen = best
    target = base_mean + MIN_GAIN
    for settings in _variations(best[1]):
        mean = runs.run("2", settings)
        if mean is not None and mean >= target:
            target, chosen = mean, settings
    verdict = (
        f"stage 1 best: {_describe(best[1])} (mean F1 {base_mean:.3f}); stage 2 changes are "
        f"kept only if they add ≥ {MIN_GAIN} mean F1. Chosen: {_describe(chosen)}"
        + (" (= the engine's defaults)" if chosen == default else " (differs from the defaults!)")
    )
    return f"{table(_SWEEP_HEAD, runs.rows)}\n\n{verdict}"


_SWEEP_HEAD = ["stage", "settings", "gnews P", "gnews F1", "mmds P", "mmds F1", "mean F1"]
_SWEEP_HEAD += ["gnews P≥.95", "s"]


def main(argv: list[str] | None = None) -> None:
    """Print the quality tables, the top-10 checks and the speed table (or the sweep)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stories")
    parser.add_argument("--sweep", action="store_true", help="print the coarse settings grid")
    parser.add_argument("--no-speed", action="store_true", help="skip the 100k speed run")
    parser.add_argument("--speed", action="store_true", help="only the 100k speed run")
    args = parser.parse_args(argv if argv is not None else [])
    if args.sweep:
        print(sweep())
        return
    for name in () if args.speed else SETS:
        records = load_set(name)
        golds = len(set(Counter(r["story"] for r in records)))
        print(f"### {name} ({len(records):,} articles, {golds} gold stories)\n", flush=True)
        text, engine, _ = quality(records)
        print(text + "\n", flush=True)
        print(f"Top-10 check, 24 h before the last article ({name}):\n", flush=True)
        print(top10_check(records, engine) + "\n", flush=True)
    if not args.no_speed:
        print(f"### speed, {SPEED_SIZE:,} corpus articles\n", flush=True)
        print(speed(), flush=True)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
