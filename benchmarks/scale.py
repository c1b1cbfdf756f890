"""`make bench-scale`: the whole bot at 100,000, 300,000 and 1,000,000 articles, and main at 100,000.

The articles are the shared corpus (31,403 records) repeated with new ids, titles and URLs
(`scale_worker.drafts`): the same text many times, so the index and the data dir are those of
a bigger archive of the same news, not of more varied news. Arrivals are spread over 89 days
ending now, as a 90-day retention would hold them, so "the last 24 hours" (a digest) holds
about 1/89 of the archive.

Each size runs in fresh processes (`scale_worker.py`): `build` imports in batches of 1,000
and builds the search index (and the stories, on a checkout that has them); `open` opens the
store alone; `serve` is the bot itself: it opens every service, times add-one, search and
digest composition in-process, then serves /latest and /summary to users of the local Bot
API server in this process; its peak RSS is the whole bot's. The users' commands arrive as
Poisson arrivals at 25 a second, under the 30 messages a second Telegram lets a bot send and
the local server enforces (`Limits()`): sent back to back (about 250 a second), every 30th
reply met a 429 "retry after 1" and waited 1.1 s, which was the p99 of every column of the
first run. Main's figures come from the
same worker code run against a detached worktree of the commit this branch forked from main
(`git merge-base HEAD main`, or NEWSBRIEF_SCALE_BASE), in the same run. NEWSBRIEF_SCALE_BRANCH
names another checkout to measure at every size; this one is then measured at the smallest.
NEWSBRIEF_SCALE_CACHE names a directory keeping each column's built data dir (and its build
figures) between runs: the 1M import and clustering take most of an hour on 2 shared cores.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from benchmarks import startup
from benchmarks.common import REPO, SHARED_DATA, median, percentile, table
from bot.tgserver import Limits, LocalBotApiServer

TOKEN = "4242:scale-token"
SIZES = tuple(
    int(s) for s in os.environ.get("NEWSBRIEF_SCALE_SIZES", "100000,300000,1000000").split(",")
)
BOT_USERS = 200
WARMUP = 10  # the first updates after start meet cold caches and a long poll being set up
RATE = 25.0  # commands a second, under Telegram's 30 messages a second per bot
WORKER = REPO / "benchmarks" / "scale_worker.py"
# The checkout measured at every size (default: this one); see the module docstring.
BRANCH = Path(os.environ.get("NEWSBRIEF_SCALE_BRANCH", REPO)).resolve()
RUNNER = (
    "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)
STEP_TIMEOUT = 3600  # 1M: import and index build take minutes on 2 shared cores
CACHE = (
    Path(os.environ["NEWSBRIEF_SCALE_CACHE"]) if os.environ.get("NEWSBRIEF_SCALE_CACHE") else None
)


def step(checkout: Path, *args: str) -> subprocess.Popen[bytes]:
    """Start one worker step with `bot` taken from checkout, from a neutral directory."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "NEWSBRIEF_SHARED_DATA": str(SHARED_DATA)}
    cmd = [sys.executable, "-c", RUNNER, str(WORKER), *args]
    return subprocess.Popen(cmd, cwd=tempfile.gettempdir(), env=env, stdout=subprocess.PIPE)


def run_step(checkout: Path, *args: str) -> dict[str, Any]:
    """Run a step to its end and return the JSON object it printed last."""
    proc = step(checkout, *args)
    out, _ = proc.communicate(timeout=STEP_TIMEOUT)
    if proc.returncode:
        raise RuntimeError(f"step {args[0]} failed with exit code {proc.returncode}")
    result: dict[str, Any] = orjson.loads(out.strip().splitlines()[-1])
    return result


async def _command(user: Any, text: str) -> float:
    """Send one command and return the seconds until the bot's reply reached the server."""
    start = time.perf_counter()
    await user.send(text)
    await user.wait_replies(1, timeout=120)
    return time.perf_counter() - start


async def _through_bot(checkout: Path, data_dir: Path, out: Path) -> dict[str, Any]:
    """Serve the bot from checkout; return the /latest and /summary latencies (s) and 429s."""
    server = LocalBotApiServer(token=TOKEN, limits=Limits())
    await server.start()
    proc = step(checkout, "serve", str(data_dir), server.base_url, str(out))
    ready = out.with_suffix(".ready")
    try:
        for _ in range(STEP_TIMEOUT * 2):
            if ready.exists() or proc.poll() is not None:
                break
            await asyncio.sleep(0.5)
        figures: dict[str, Any] = orjson.loads(await asyncio.to_thread(ready.read_bytes))
        ids = figures["sample_ids"]
        for n in range(WARMUP):
            await _command(server.user(90_000 + n), "/latest")
        rng = random.Random(23)
        tasks: dict[str, list[asyncio.Task[float]]] = {"latest": [], "summary": []}
        for n in range(BOT_USERS):
            for kind, text in (("latest", "/latest"), ("summary", f"/summary {ids[n % len(ids)]}")):
                user = server.user(100_000 + 2 * n + (kind == "summary"))
                tasks[kind].append(asyncio.create_task(_command(user, text)))
                await asyncio.sleep(rng.expovariate(RATE))
        timings: dict[str, Any] = {k: list(await asyncio.gather(*t)) for k, t in tasks.items()}
        timings["too_many"] = server.stats.too_many_requests
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.to_thread(proc.wait, 600)
        await server.stop()
    return timings


def _du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def build(label: str, checkout: Path, size: int, data_dir: Path) -> dict[str, Any]:
    """Build one column's data dir, or copy it from NEWSBRIEF_SCALE_CACHE when kept there."""
    kept = CACHE / f"{label}-{size}" if CACHE else None
    if kept is not None and (kept / "build.json").exists():
        print(f"[{time.strftime('%H:%M:%S')}] {label}: copying {kept}", file=sys.stderr)
        shutil.copytree(kept / "data", data_dir)
        figures: dict[str, Any] = orjson.loads((kept / "build.json").read_bytes())
        return figures
    print(f"[{time.strftime('%H:%M:%S')}] {label}: building {size:,}", file=sys.stderr)
    figures = run_step(checkout, "build", str(data_dir), str(size))
    if kept is not None:
        shutil.copytree(data_dir, kept / "data")
        (kept / "build.json").write_bytes(orjson.dumps(figures))
    return figures


def measure(label: str, checkout: Path, size: int, work: Path) -> dict[str, Any]:
    """Build, open and serve one size on one checkout; return every figure."""
    data_dir = work / label / "data"
    figures = build(label, checkout, size, data_dir)
    figures.update(run_step(checkout, "open", str(data_dir)))
    print(f"[{time.strftime('%H:%M:%S')}] {label}: serving", file=sys.stderr)
    out = work / label / "bot.json"
    figures.update(asyncio.run(_through_bot(checkout, data_dir, out)))
    figures.update(orjson.loads(out.read_bytes()))
    figures["index_mb"] = _du_mb(data_dir / "index")
    figures["data_mb"] = _du_mb(data_dir) - figures["index_mb"]
    # The start as an operator sees it: `newsbrief run` spawned, probed in its first minute.
    figures["startup"] = startup.measure(checkout, data_dir, work / label / "startup")
    shutil.rmtree(data_dir)  # 1M articles take GBs; keep the disk for the next size
    return figures


def _ms(values: list[float]) -> str:
    return f"{median(values) * 1000:.1f} / {percentile(values, 99) * 1000:.1f}"


def _maybe(key: str, fmt: str) -> Any:
    """Format a figure a checkout may lack (main before stories): a dash there."""
    return lambda f: format(f[key], fmt) if f.get(key) is not None else "—"


def _bot_ms(values: list[float]) -> str:
    """p50 / p95 / p99, and how many waited a whole long-poll cycle (≥ 1 s)."""
    slow = sum(v >= 1.0 for v in values)
    p50, p95, p99 = (percentile(values, p) * 1000 for p in (50, 95, 99))
    return f"{p50:.1f} / {p95:.1f} / {p99:.0f} ({slow} ≥ 1 s)"


def _rss_parts(figures: dict[str, Any]) -> str:
    parts = figures.get("exit_rss") or {}
    return f"{parts['RssAnon']:.0f} / {parts['RssFile']:.0f}" if parts else "—"


ROWS: list[tuple[str, Any]] = [
    ("articles stored", lambda f: f"{f['articles']:,}"),
    ("open the store (s)", lambda f: f"{f['store_open_s']:.2f}"),
    ("open every service of the bot (s)", lambda f: f"{f['open_s']:.1f}"),
    ("peak RSS, store alone after open (MB)", lambda f: f"{f['store_rss_mb']:.0f}"),
    ("open the stories on the open store (s)", _maybe("stories_open_s", ".2f")),
    ("restore the stories' engine (the warm-up thread) (s)", _maybe("warm_up_s", ".2f")),
    ("peak RSS, store and stories after open (MB)", _maybe("stories_rss_mb", ".0f")),
    ("peak RSS, whole bot process (MB)", lambda f: f"{f['peak_rss_mb']:.0f}"),
    ("RSS after serving: heap / mapped files (search index) (MB)", _rss_parts),
    ("add one article to the store, median / p99 (ms)", lambda f: _ms(f["store_adds"])),
    ("add one in the bot (+ index, stories), median / p99 (ms)", lambda f: _ms(f["adds"])),
    ("import throughput (articles/s)", lambda f: f"{f['articles'] / f['import_s']:,.0f}"),
    ("search p50 / p99, 2 words one with a typo (ms)", lambda f: _ms(f["search"])),
    ("/latest through the bot p50 / p95 / p99 (ms)", lambda f: _bot_ms(f["latest"])),
    ("/summary ID through the bot p50 / p95 / p99 (ms)", lambda f: _bot_ms(f["summary"])),
    ("429 answers to the bot during those (Telegram's limits)", _maybe("too_many", ",")),
    ("digest composition, 10,000 subscribers (s)", lambda f: f"{f['digest_s']:.1f}"),
    ("articles in the last 24 h (a digest's candidates)", lambda f: f"{f['fresh']:,}"),
    ("index build (+ stories) at import (s)", lambda f: f"{f['index_s']:.0f}"),
    ("index size on disk (MB)", lambda f: f"{f['index_mb']:.0f}"),
    ("data dir size without the index (MB)", lambda f: f"{f['data_mb']:.0f}"),
]
TARGETS = {
    "peak RSS, whole bot process (MB)": "≤ 1,024",
    "open the store (s)": "≤ 5",
    "add one article to the store, median / p99 (ms)": "≤ 20",
    "search p50 / p99, 2 words one with a typo (ms)": "p99 ≤ 20",
    "/latest through the bot p50 / p95 / p99 (ms)": "p99 ≤ 100",
}


def _base_checkout(work: Path) -> tuple[Path, str]:
    """Add a detached worktree of the commit this branch forked from main; return it and its sha."""
    commit = (
        os.environ.get("NEWSBRIEF_SCALE_BASE")
        or subprocess.run(
            ["git", "merge-base", "HEAD", "main"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    path = work / "main-checkout"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(path), commit],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return path, commit[:7]


def main() -> None:
    """Print the scale table: main at 100,000 beside this branch at every size."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsbrief-scale-") as tmp:
        work = Path(tmp)
        base, sha = _base_checkout(work)
        try:
            columns = [(f"main {sha}, {SIZES[0]:,}", measure("main", base, SIZES[0], work))]
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(base)], cwd=REPO, check=False
            )
        for size in SIZES:
            columns.append((f"{size:,}", measure(f"n{size}", BRANCH, size, work)))
        if BRANCH != REPO:  # this checkout too, at the smallest size
            columns.append((f"this checkout, {SIZES[0]:,}", measure("repo", REPO, SIZES[0], work)))
        anchor = startup.anchors(work / "anchors")
    rows = [[name, *(fmt(f) for _, f in columns), TARGETS.get(name, "")] for name, fmt in ROWS]
    print(table(["measure", *(c for c, _ in columns), "target at 1M"], rows))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\nOne run, {os.cpu_count()} CPUs (shared), load average {load} at the end; "
        f"{(time.perf_counter() - started) / 60:.0f} min in all. The corpus is repeated with new "
        "ids, titles and URLs (same text), arrivals spread over 89 days; see benchmarks/scale.py."
    )
    print()
    startup.print_table([(c, f["startup"]) for c, f in columns], anchor)
    print()
    from benchmarks import users_scale  # it borrows this module's helpers: imported late

    users_scale.main()  # the subscribers' table: 100,000 with full sent maps


if __name__ == "__main__":
    main()
