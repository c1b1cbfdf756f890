"""Store benchmark: newsbrief's segment store beside plain TinyDB doing the same work.

Each measurement runs in its own process (benchmarks.store_worker) so peak RSS is its own.
The 100,000-article store is the 31,403-article corpus repeated with new ids.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson

from benchmarks.common import REPO, table


def _worker(mode: str, directory: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.store_worker", mode, str(directory)],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = orjson.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    """Print the import / insert / open table."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        nb_import = _worker("import_newsbrief", work)
        full_import = _worker("import_services", work)
        td_import = _worker("import_tinydb", work)
        _worker("build_100k", work)
        nb_100k = _worker("insert_newsbrief", work)
        td_100k = _worker("insert_tinydb", work)
    rows = [
        [
            "import 31,403 corpus articles (s)",
            f"{nb_import['seconds']:.2f} (parse + dedup + write)",
            f"{td_import['seconds']:.2f} (insert_multiple, no parsing/dedup)",
            "≤ 10",
        ],
        [
            "the same through `newsbrief import`: store, index, stories (s)",
            f"{full_import['seconds']:.2f} ({full_import['stories']:,} stories)",
            "—",
            "≤ 10 (issue 21: 14.6 with stories, 7.0 before)",
        ],
        [
            "2,000 articles inserted one by one (s)",
            "—",
            f"{td_import['one_by_one_2000']:.1f}",
            "anchor ≈ 28",
        ],
        [
            "insert one article into 100,000 (ms, median)",
            f"{nb_100k['insert_one'] * 1000:.1f} (of 21)",
            f"{td_100k['insert_one'] * 1000:.0f} (of 3)",
            "≤ 20",
        ],
        [
            "open the 100,000-article store (s)",
            f"{nb_100k['open']:.2f}",
            f"{td_100k['open']:.2f}",
            "≤ 2",
        ],
        [
            "peak RSS, import / open+insert (MB)",
            f"{nb_import['peak_rss_mb']:.0f} / {nb_100k['peak_rss_mb']:.0f}",
            f"{td_import['peak_rss_mb']:.0f} / {td_100k['peak_rss_mb']:.0f}",
            "",
        ],
    ]
    print("100,000 articles = the 31,403-article corpus repeated with new ids, urls and titles.")
    print(table(["measure", "newsbrief store", "plain TinyDB", "target"], rows))
    print(
        f"\nnewsbrief import added {nb_import['added']} articles (the rest are duplicates in the corpus)."
    )


if __name__ == "__main__":
    main()
