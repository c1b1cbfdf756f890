"""Run every benchmark, or the ones named: `python -m benchmarks [store search ... follows llm_grounding]`.

Flags after the names go to each named benchmark's `main` (`python -m benchmarks stories --no-speed`).

One outside the suite takes its own arguments: `python -m benchmarks startup [DATA_DIR]`.
"""

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
    "stories_busy",
    "stories_service",
    "story_summaries",
    "follows",
    "follow_fanout",
    "llm_grounding",
)


def main() -> None:
    """Import each benchmark module and run its `main()` in turn, each in this one run."""
    # benchmarks.common reads NEWSBRIEF_SHARED_DATA on import; check it before any benchmark.
    from benchmarks.common import SHARED_DATA

    names = sys.argv[1:] or list(ALL)
    flags: list[str] = []
    if names[0] not in ALL:  # one benchmark outside the suite, with its own arguments
        names, sys.argv[1:] = names[:1], names[1:]
    else:  # `stories --no-speed`: the flags go to the benchmarks named, not taken for names
        flags = [n for n in names if n.startswith("-")]
        names = [n for n in names if not n.startswith("-")] or list(ALL)
    if not SHARED_DATA.is_dir():
        # A clone outside the project's workspace has no ../shared: say what to pass, once.
        sys.exit(
            f"benchmarks: no shared data at {SHARED_DATA}; "
            "run NEWSBRIEF_SHARED_DATA=/path/to/shared/data make bench"
        )
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
        module.main(flags) if flags else module.main()
        print(f"\n({name}: {time.perf_counter() - start:.1f} s)\n", flush=True)


if __name__ == "__main__":
    main()
