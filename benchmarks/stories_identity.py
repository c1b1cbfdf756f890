"""The story engine's output as digests: a change meant only for speed must leave them equal.

Clusters each dev set (and a slice of the shared corpus, dated and undated) with the default
settings, in file order, and hashes what a user would see: which articles share a story (each
label's members), and every story's headline, headline per language, report count and copies,
taken from the engine's summary right after each of its assignments, as the service does.
Run it at two commits (`python -m benchmarks stories_identity`) and compare the digests.

Ties between equally good candidates are broken in set order, which follows Python's string
hashing: the digests are compared under one PYTHONHASHSEED (the module re-runs itself under
PYTHONHASHSEED=0 when it is not set), and the table says which seed it used.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

import orjson

from benchmarks.common import load_corpus, table
from benchmarks.story_sets import (
    corpus_items,
    load_ru_pairs,
    load_ruen,
    load_set,
    ru_pairs_joined,
    ruen_stream,
    to_items,
)
from bot.stories import EngineSettings, StoryEngine, StoryItem

CORPUS_STEP = 8  # every 8th corpus record: about 3,900 articles, Reuters dated, the rest not
SEED_VARIABLE = "PYTHONHASHSEED"


def digest(items: Sequence[StoryItem]) -> tuple[int, str]:
    """Return the story count and digest of clustering items in order with a fresh engine."""
    engine = StoryEngine(EngineSettings())
    seen: dict[str, Any] = {}
    members: dict[str, list[str]] = {}
    for item in items:
        story_id = engine.assign(item)
        members.setdefault(story_id, []).append(item.id)
        summary = engine.summary(story_id)
        if summary is not None:
            seen[story_id] = [
                summary.headline,
                sorted(summary.headlines_by_lang.items()),
                summary.reports,
                sorted(summary.copies.items()),
                summary.sources,
            ]
    payload = orjson.dumps([sorted(members.items()), sorted(seen.items())])
    return len(members), hashlib.sha256(payload).hexdigest()[:16]


def rows() -> list[list[Any]]:
    """Return one row per set: its name, articles, stories and digest."""
    out = []
    for name in ("gnews_dev", "mmds_dev"):
        items = to_items(load_set(name))
        out.append([name, len(items), *digest(items)])
    ruen = ruen_stream(load_ruen())
    out.append(["ruen_dev", len(ruen), *digest(ruen)])
    corpus = corpus_items(load_corpus()[::CORPUS_STEP])
    out.append([f"corpus (every {CORPUS_STEP}th)", len(corpus), *digest(corpus)])
    pairs = load_ru_pairs()
    joined = ru_pairs_joined(pairs, EngineSettings())
    flags = "".join("1" if j else "0" for j in joined)
    out.append(["ru_pairs_dev (joined flags)", 2 * len(pairs), sum(joined), flags])
    return out


def main() -> None:
    """Print the digests, re-running under PYTHONHASHSEED=0 when no seed is set."""
    if SEED_VARIABLE not in os.environ:
        env = {**os.environ, SEED_VARIABLE: "0"}
        subprocess.run([sys.executable, "-m", "benchmarks.stories_identity"], env=env, check=True)
        return
    head = ["set", "articles", "stories", "digest"]
    print(table(head, rows()))
    print(f"\n({SEED_VARIABLE}={os.environ[SEED_VARIABLE]}; equal digests: the same output)")


if __name__ == "__main__":
    main()
