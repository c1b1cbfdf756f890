"""Story candidates in a busy window: gnews_dev inside the shared corpus, re-dated over its span.

The dev sets alone hardly fill the engine's window: their stories are the same with
`EngineSettings.max_holders` at 64 (the default) as at 256. A million-article
archive holds about 21,000 articles in the two-day window. Here the corpus's 31,403 articles are
re-dated evenly over gnews_dev's three days, around its 4,718, and each `max_holders` of the grid
runs once; B³ is scored on gnews_dev's articles alone. Cross-validation as in
`benchmarks.stories_cv`: the gold stories halved at random (2 × 2), the value chosen by one
half's B³ F1 and scored on the other's. mmds_dev in the same noise, 64 against 256, shows
what it does across languages.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from statistics import mean

from benchmarks.clustering_metrics import bcubed
from benchmarks.common import load_corpus, table
from benchmarks.story_sets import corpus_items, halves, load_set, pair_scores, rough_lang, to_items
from bot.stories import StoryEngine, StoryItem
from bot.stories.values import EngineSettings

GRID = (32, 64, 128, 256)
SEEDS = ("0", "1")


def busy_stream(name: str) -> tuple[list[StoryItem], list[StoryItem], dict[str, str]]:
    """Return the set's items, the stream with the corpus re-dated among them, and the gold."""
    records = load_set(name)
    items = to_items(records)
    first = min(i.published for i in items)
    last = max(i.published for i in items)
    noise = corpus_items(load_corpus())
    step = (last - first) / len(noise)
    noise = [replace(n, published=first + step * k, undated=False) for k, n in enumerate(noise)]
    stream = sorted(items + noise, key=lambda i: i.published)
    return items, stream, {r["id"]: r["story"] for r in records}


def assigned(stream: Sequence[StoryItem], holders: int) -> tuple[dict[str, str], float]:
    """Return each item's story with max_holders set, and the CPU seconds it took."""
    engine = StoryEngine(EngineSettings(max_holders=holders))
    start = time.process_time()
    stories = {item.id: engine.assign(item) for item in stream}
    return stories, time.process_time() - start


def f1_on(ids: Sequence[str], gold: dict[str, str], pred: dict[str, str]) -> float:
    """Return the B³ F1 of the given articles."""
    return bcubed([gold[i] for i in ids], [pred[i] for i in ids])[2]


def main(argv: list[str] | None = None) -> None:
    """Print the grid, the cross-validation and mmds_dev in a busy window."""
    items, stream, gold = busy_stream("gnews_dev")
    ids = [i.id for i in items]
    runs = {h: assigned(stream, h) for h in GRID}
    folds = []
    for seed in SEEDS:
        a, b = halves(list(gold.values()), seed)
        folds += [(a, b), (b, a)]
    half_ids = [
        ([i for i in ids if gold[i] in fit], [i for i in ids if gold[i] in test])
        for fit, test in folds
    ]
    per_half = {h: [f1_on(test, gold, runs[h][0]) for _, test in half_ids] for h in GRID}
    rows = []
    for h in GRID:
        p, r, f = bcubed([gold[i] for i in ids], [runs[h][0][i] for i in ids])
        rows.append(
            [
                str(h),
                f"{p:.3f}",
                f"{r:.3f}",
                f"{f:.3f}",
                f"{mean(per_half[h]):.3f}",
                f"{runs[h][1]:.1f}",
            ]
        )
    print(
        f"gnews_dev among the corpus's {len(stream) - len(items):,} articles, re-dated over its span:\n"
    )
    print(
        table(
            ["max_holders", "B³ P", "B³ R", "B³ F1", "mean F1 over the 4 halves", "CPU (s)"], rows
        )
    )
    chosen, in_fold, out_fold = [], [], []
    default = EngineSettings().max_holders
    for fit, test in half_ids:
        best = max(GRID, key=lambda h: (f1_on(fit, gold, runs[h][0]), h == default))
        chosen.append(best)
        in_fold.append(f1_on(fit, gold, runs[best][0]))
        out_fold.append(f1_on(test, gold, runs[best][0]))
    print(
        f"\nchosen by the halves: {', '.join(map(str, chosen))}; B³ F1 in-fold {mean(in_fold):.3f}, "
        f"out-of-fold {mean(out_fold):.3f} (on the same halves, the default {default}: "
        f"{mean(per_half[default]):.3f}, 256: {mean(per_half[256]):.3f})\n"
    )
    items, stream, gold = busy_stream("mmds_dev")
    ids = [i.id for i in items]
    langs = [i.lang or rough_lang(i.title, i.body) for i in items]
    rows = []
    for h in (64, 256):
        pred, cpu = assigned(stream, h)
        p, r, f = bcubed([gold[i] for i in ids], [pred[i] for i in ids])
        pairs = pair_scores([gold[i] for i in ids], [pred[i] for i in ids], langs)
        rows.append([str(h), f"{f:.3f}", *(f"{pairs[k]:.3f}" for k in sorted(pairs)), f"{cpu:.1f}"])
    print(table(["mmds_dev, max_holders", "B³ F1", *sorted(pairs), "CPU (s)"], rows))


if __name__ == "__main__":
    main()
