"""Run every benchmark, or the ones named: `python -m benchmarks [store search summaries feeds bot loop digests]`."""

from __future__ import annotations

import importlib
import sys
import time

ALL = (
    "store",
    "search",
    "summaries",
    "langid",
    "feeds",
    "bot",
    "loop",
    "digests",
    "digest_compose",
    "stories",
    "stories_service",
)


def main() -> None:
    """Import each benchmark module and run its `main()` in turn, each in this one run."""
    names = sys.argv[1:] or list(ALL)
    for name in names:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"benchmarks.{name}":
                print(f"## {name}: no benchmark yet\n")
                continue
            raise
        print(f"## {name}\n", flush=True)
        start = time.perf_counter()
        module.main()
        print(f"\n({name}: {time.perf_counter() - start:.1f} s)\n", flush=True)


if __name__ == "__main__":
    main()
