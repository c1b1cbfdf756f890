"""A child process for the users kill test: put numbered documents, printing each flushed one.

It prints `flushed N` only after `flush_sync` returned for every put up to N, then goes on,
until the parent kills it with SIGKILL at a moment it chose: every printed N must survive.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.archive.usertables import EmbeddedUserTables

PAD = "p" * 3000  # about a subscriber's document with its sent stories


def main() -> None:
    tables = EmbeddedUserTables(Path(sys.argv[1]))
    tables.initialize()
    print("ready", flush=True)
    n = 0
    while True:
        for _ in range(7):
            tables.put("subscriptions", str(n % 500), {"n": n, "pad": PAD})
            tables.put("chats", str(n), {"n": n})
            n += 1
        tables.flush_sync()
        print(f"flushed {n - 1}", flush=True)


if __name__ == "__main__":
    main()
