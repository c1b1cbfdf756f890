"""A child process for the kill test: append numbered batches to a store until killed.

With `fsync:N` or `replace:N` as second argument it kills itself with SIGKILL just before
its N-th call of that kind after start-up: every step of an atomic write, chosen, not timed.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.archive.store import ArticleStore
from bot.models import ArticleDraft

BATCH = 25


def arm(spec: str) -> None:
    """Make the N-th call of os.<kind> kill this process before it happens."""
    kind, number = spec.split(":")
    original: Callable[..., Any] = getattr(os, kind)
    calls = 0

    def deadly(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == int(number):
            os.kill(os.getpid(), signal.SIGKILL)
        return original(*args, **kwargs)

    setattr(os, kind, deadly)


def main() -> None:
    store = ArticleStore(Path(sys.argv[1]), retention_days=0, segment_capacity=100)
    store.initialize()
    if len(sys.argv) > 2:
        arm(sys.argv[2])
    print("ready", flush=True)
    while True:
        start = len(store)
        store.add_many(
            ArticleDraft(title=f"item {n}", body=f"text {n}", url=f"https://k.example/{n}")
            for n in range(start, start + BATCH)
        )


if __name__ == "__main__":
    main()
