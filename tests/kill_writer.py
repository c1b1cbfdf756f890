"""A child process for the kill test: append numbered batches to a store until killed."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.archive.store import ArticleStore
from bot.models import ArticleDraft

BATCH = 25


def main() -> None:
    store = ArticleStore(Path(sys.argv[1]), retention_days=0, segment_capacity=100)
    store.initialize()
    print("ready", flush=True)
    while True:
        start = len(store)
        store.add_many(
            ArticleDraft(title=f"item {n}", body=f"text {n}", url=f"https://k.example/{n}")
            for n in range(start, start + BATCH)
        )


if __name__ == "__main__":
    main()
