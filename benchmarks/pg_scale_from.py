"""`pg_scale` from a built embedded data dir: no rebuild of the stories for either backend.

At a million articles `pg_scale`'s own import and first open cluster the stories twice, most
of an hour each on this machine. Given the data dir `make bench-scale` built
(`NEWSBRIEF_PG_SCALE_FROM=DIR python -m benchmarks pg_scale`, or `python -m benchmarks.pg_scale
--from DIR`), each step runs in its own process, on a copy (the source is only read):

1. embedded: open every service of the copy (built: nothing rebuilt) and measure as
   `scale_worker.direct` does; then `newsbrief migrate` the copy into an empty database, timed
   (the CLI itself, articles, story records and users);
2. PostgreSQL: open every service on that database with an empty data dir (the first open
   builds only the search index from the table: the stories load from the migrated records),
   then open again and measure the same way;
3. unless NEWSBRIEF_PG_SCALE_RAW=0: `add_many` of as many articles in batches of 1,000 into
   another empty database, no service open (the import row `pg_scale` prints).

The embedded import and first open (index and stories) are the build's own figures, from the
`build.json` beside DIR when it is there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson

from benchmarks.common import REPO, peak_rss_mb
from benchmarks.scale_worker import _config, direct
from bot.pg.articles import PgArticleStore
from bot.pg.database import Database
from bot.services import open_services

RAW = os.environ.get("NEWSBRIEF_PG_SCALE_RAW", "1") != "0"


def build_figures(source: Path) -> dict[str, Any]:
    """Return the embedded build's import and first open from `build.json` beside the dir."""
    kept = source.parent / "build.json"
    if not kept.exists():
        return {}
    found = orjson.loads(kept.read_bytes())
    return {
        "import_n": found["articles"],
        "import_s": found["import_s"],
        "first_open_s": found["index_s"],
        "build_rss_mb": found.get("build_rss_mb"),
    }


def embedded(source: Path, url: str) -> dict[str, Any]:
    """Open a copy of the built dir, measure it, then `newsbrief migrate` it into url."""
    work = Path(tempfile.mkdtemp(prefix="pg-scale-from-"))
    copy = work / "data"
    try:
        start = time.perf_counter()
        shutil.copytree(source, copy, symlinks=True)
        figures: dict[str, Any] = {"backend": "tinydb", "copy_s": time.perf_counter() - start}
        figures.update(build_figures(source))
        start = time.perf_counter()
        services = open_services(_config(copy), write=True)
        figures["open_s"] = time.perf_counter() - start
        services.warm_up()
        figures.update(direct(services))
        figures["articles"] = len(services.store)  # with direct()'s probes: what migrate copies
        figures["stories"] = len(services.stories)
        services.shutdown()
        figures["peak_rss_mb"] = peak_rss_mb()
        figures.update(migrate(copy, url))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return figures


def migrate(data_dir: Path, url: str) -> dict[str, Any]:
    """Run `newsbrief migrate --to url` on the dir; return its seconds and its report lines."""
    command = [sys.executable, "-m", "bot", "migrate", "--to", url, "--data-dir", str(data_dir)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBRIEF_")}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    lines = [line for line in done.stdout.splitlines() if "check:" in line]
    assert lines and not any("NOT in the database" in line for line in lines), done.stdout
    lines = [line for line in lines if line.startswith(("articles:", "stories:"))]
    return {"migrate_s": seconds, "migrate_report": lines}


def postgresql(url: str) -> dict[str, Any]:
    """Open every service on the migrated database twice (an empty data dir); measure the second."""
    work = Path(tempfile.mkdtemp(prefix="pg-scale-from-pg-"))
    config = replace(_config(work), database_url=url)
    figures: dict[str, Any] = {"backend": "postgresql"}
    try:
        for name in ("first_open_s", "open_s"):  # the first builds the search index only
            start = time.perf_counter()
            services = open_services(config, write=True)
            figures[name] = time.perf_counter() - start
            if name == "first_open_s":
                figures["articles"] = len(services.store)
                figures["stories_opened"] = services.stories.opened
            else:
                services.warm_up()
                figures.update(direct(services))
            services.shutdown()
        figures["peak_rss_mb"] = peak_rss_mb()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return figures


def raw_import(size: int, url: str) -> dict[str, Any]:
    """Import `size` drafts through the table's add_many, no service open; return the figures."""
    from benchmarks.pg_scale import SpreadClock, import_articles

    clock = SpreadClock(size)
    database = Database(url)
    database.open()
    try:
        store = PgArticleStore(database, retention_days=0, clock=clock)
        store.initialize()
        seconds = import_articles(store, size, clock)
        return {"import_n": len(store), "import_s": seconds, "raw_rss_mb": peak_rss_mb()}
    finally:
        database.close()


def step(*args: str) -> dict[str, Any]:
    """Run one step in its own process (its own peak RSS); return its figures."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.pg_scale_from", *args],
        cwd=REPO, capture_output=True, text=True, check=True,
    )  # fmt: skip
    figures: dict[str, Any] = orjson.loads(done.stdout.strip().splitlines()[-1])
    return figures


def measure(source: Path, urls: dict[str, str]) -> list[dict[str, Any]]:
    """Run the steps in turn; return the embedded and the PostgreSQL column."""
    files = step("embedded", str(source), urls["tinydb"])
    pg = step("postgresql", urls["tinydb"])
    if RAW:
        pg.update(step("raw", str(files.get("import_n", files["articles"])), urls["postgresql"]))
    return [files, pg]


def footnote(source: Path, results: list[dict[str, Any]]) -> str:
    """Return the lines saying where each figure of the from-a-built-dir table comes from."""
    files, pg = results
    loaded, assigned = pg["stories_opened"]
    build = (
        f"from {source.parent / 'build.json'} (the run that built the dir; its peak RSS "
        f"{files['build_rss_mb']:.0f} MB)"
        if "import_s" in files
        else "not known (no build.json beside the dir)"
    )
    raw = (
        f"add_many of {pg['import_n']:,} articles into another empty database, no service open"
        f" (peak RSS {pg['raw_rss_mb']:.0f} MB)"
        if "import_s" in pg
        else "skipped (NEWSBRIEF_PG_SCALE_RAW=0)"
    )
    return "\n".join(
        [
            f"From the built data dir {source} (read only: measured on a copy, copied in"
            f" {files['copy_s']:.0f} s; {files['stories']:,} stories); nothing rebuilt.",
            f"Embedded import and first open: {build}.",
            f"`newsbrief migrate` of the copy: {files['migrate_s']:.0f} s in all (the CLI's"
            " start included); " + "; ".join(files["migrate_report"]) + ".",
            f"PostgreSQL first open: the search index built from the table; {loaded:,} stories"
            f" loaded from the migrated records, {assigned:,} articles assigned.",
            f"PostgreSQL import row: {raw}.",
        ]
    )


if __name__ == "__main__":
    if sys.argv[1] == "embedded":
        out = embedded(Path(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "postgresql":
        out = postgresql(sys.argv[2])
    else:
        out = raw_import(int(sys.argv[2]), sys.argv[3])
    sys.stdout.write(orjson.dumps(out).decode() + "\n")
