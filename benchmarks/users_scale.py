"""`python -m benchmarks users_scale` (and the end of `make bench-scale`): 100,000 subscribers.

Each subscriber is one chat with one subscription whose sent map is full (300 stories) and
its chat settings, over a day of news (3,000 articles, index and stories built). Columns:
this checkout at 0, 10,000 and 100,000 subscribers (NEWSBRIEF_USERS_SIZES), and main's
users.json at 10,000 (the commit this branch forked from, as in `scale.py`;
NEWSBRIEF_USERS_MAIN=0 leaves it out). Each column runs in fresh processes
(`users_scale_worker.py`): `users` writes the subscribers, `serve` opens the bot (timed),
records its RSS, composes every chat's digest (not sent), then serves /subscribe from new
users of the local Bot API server, Poisson arrivals at 25 a second (under Telegram's 30
messages a second a bot). Main answers a /subscribe in about half a second at 10,000, so it
gets fewer of them: they queue behind each other on its users thread either way.

The anchor: every other arrival of the same Poisson process is a /help (ANCHOR), which
touches no users table, so each column's /subscribe p99 reads beside what the same bot costs
anyway in the same seconds (on a loaded machine the absolute p99s are the scheduler's).
The ratio row divides the two p99s.
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

from benchmarks.common import REPO, SHARED_DATA, median, percentile, table
from benchmarks.scale import TOKEN, _base_checkout
from bot.tgserver import Limits, LocalBotApiServer

SIZES = tuple(int(s) for s in os.environ.get("NEWSBRIEF_USERS_SIZES", "0,10000,100000").split(","))
WITH_MAIN = os.environ.get("NEWSBRIEF_USERS_MAIN", "1") != "0"
MAIN_SIZE = 10_000
SUBSCRIBES = 200
MAIN_SUBSCRIBES = 20
REPLY_TIMEOUT = 300.0  # seconds; a /subscribe unanswered by then counts as missed
WARMUP = 5
RATE = 25.0  # arrivals a second, /subscribe and the anchor together
ANCHOR = "/help"  # reads no users table: what any command costs through this bot
WORKER = REPO / "benchmarks" / "users_scale_worker.py"
RUNNER = (
    "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)
STEP_TIMEOUT = 3600


def _step(checkout: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(checkout), "NEWSBRIEF_SHARED_DATA": str(SHARED_DATA)}
    cmd = [sys.executable, "-c", RUNNER, str(WORKER), *args]
    return subprocess.Popen(cmd, cwd=tempfile.gettempdir(), env=env, stdout=subprocess.PIPE)


def _run(checkout: Path, *args: str) -> dict[str, Any]:
    proc = _step(checkout, *args)
    out, _ = proc.communicate(timeout=STEP_TIMEOUT)
    if proc.returncode:
        raise RuntimeError(f"step {args[0]} failed with exit code {proc.returncode}")
    result: dict[str, Any] = orjson.loads(out.strip().splitlines()[-1])
    return result


async def _command(user: Any, text: str) -> float:
    """Send one command; return the seconds until the reply reached the server (inf: none)."""
    start = time.perf_counter()
    await user.send(text)
    try:
        await user.wait_replies(1, timeout=REPLY_TIMEOUT)
    except TimeoutError:
        return float("inf")
    return time.perf_counter() - start


async def _serve(checkout: Path, data_dir: Path, out: Path, count: int) -> dict[str, Any]:
    """Serve the bot from checkout; return /subscribe latencies (s) and its own figures."""
    server = LocalBotApiServer(token=TOKEN, limits=Limits())
    await server.start()
    proc = _step(checkout, "serve", str(data_dir), server.base_url, str(out))
    ready = out.with_suffix(".ready")
    try:
        for _ in range(STEP_TIMEOUT * 2):
            if ready.exists() or proc.poll() is not None:
                break
            await asyncio.sleep(0.5)
        for n in range(WARMUP):
            await _command(server.user(8_000_000 + n), "/subscribe warm up")
            await _command(server.user(8_000_000 + n), ANCHOR)
        subscribes, anchors = await _arrivals(server, count)
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.to_thread(proc.wait, 600)
        await server.stop()
    figures: dict[str, Any] = orjson.loads(await asyncio.to_thread(out.read_bytes))
    figures["subscribe"], figures["anchor"] = subscribes, anchors
    return figures


async def _arrivals(server: LocalBotApiServer, count: int) -> tuple[list[float], list[float]]:
    """Send `count` /subscribe and `count` anchors, alternating, Poisson arrivals at RATE."""
    rng = random.Random(29)
    subscribes, anchors = [], []
    for n in range(count):
        user = server.user(9_000_000 + n)
        subscribes.append(asyncio.create_task(_command(user, f"/subscribe topic {n}")))
        await asyncio.sleep(rng.expovariate(RATE))
        anchors.append(asyncio.create_task(_command(server.user(9_500_000 + n), ANCHOR)))
        await asyncio.sleep(rng.expovariate(RATE))
    return list(await asyncio.gather(*subscribes)), list(await asyncio.gather(*anchors))


def measure(checkout: Path, base: Path, work: Path, label: str, size: int) -> dict[str, Any]:
    """Copy the articles, write `size` subscribers, serve; return every figure."""
    data_dir = work / label
    shutil.copytree(base, data_dir)
    print(f"[{time.strftime('%H:%M:%S')}] {label}: {size:,} subscribers", file=sys.stderr)
    figures = _run(checkout, "users", str(data_dir), str(size)) if size else {}
    count = MAIN_SUBSCRIBES if checkout != REPO else SUBSCRIBES
    figures.update(asyncio.run(_serve(checkout, data_dir, work / f"{label}.json", count)))
    shutil.rmtree(data_dir)
    return figures


def _ms(values: list[float]) -> str:
    missed = sum(v == float("inf") for v in values)
    p50, p99 = median(values) * 1000, percentile(values, 99) * 1000
    return f"{p50:.0f} / {p99:.0f} (n={len(values)}{f', {missed} unanswered' if missed else ''})"


def _ratio(values: list[float], anchor: list[float]) -> str:
    return f"{percentile(values, 99) / percentile(anchor, 99):.2f}"


ROWS: list[tuple[str, Any, str]] = [
    ("subscribers (full sent maps: 300 stories)", lambda f: f"{f['subscribers']:,}", ""),
    ("users data on disk (MB)", lambda f: f"{f.get('users_mb', 0):.0f}", ""),
    ("write them all at once (s)", lambda f: f"{f.get('write_s', 0):.1f}", ""),
    ("open every service of the bot (s)", lambda f: f"{f['open_s']:.2f}", "≤ 3"),
    ("RSS after open (MB)", lambda f: f"{f['open_rss_mb']:.0f}", "≤ 300 more than at 0"),
    ("peak RSS during open (MB)", lambda f: f"{f['open_peak_mb']:.0f}", ""),
    ("peak RSS of the whole run (MB)", lambda f: f"{f['peak_rss_mb']:.0f}", ""),
    ("/subscribe through the bot, p50 / p99 (ms)", lambda f: _ms(f["subscribe"]), "p99 ≤ 50"),
    (
        f"{ANCHOR} through the same bot, same arrivals, p50 / p99 (ms)",
        lambda f: _ms(f["anchor"]),
        "",
    ),
    (f"/subscribe p99 ÷ {ANCHOR} p99", lambda f: _ratio(f["subscribe"], f["anchor"]), "≈ 1"),
    ("subscribe + its fsynced write, in-process, p50 / p99 (ms)", lambda f: _ms(f["direct"]), ""),
    ("compose every chat's digest (s)", lambda f: f"{f['compose_s']:.1f}", "measured"),
]


def main() -> None:
    """Print the subscribers table: this checkout at each size beside main's users.json."""
    started = time.perf_counter()
    columns: list[tuple[str, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(prefix="newsbrief-users-") as tmp:
        work = Path(tmp)
        base = work / "articles"
        _run(REPO, "articles", str(base))
        if WITH_MAIN:
            checkout, sha = _base_checkout(work)
            try:
                figures = measure(checkout, base, work, "main", MAIN_SIZE)
                columns.append((f"main {sha} users.json, {MAIN_SIZE:,}", figures))
            finally:
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(checkout)], cwd=REPO, check=False
                )
        for size in SIZES:
            columns.append((f"{size:,}", measure(REPO, base, work, f"n{size}", size)))
    rows = [[name, *(fmt(f) for _, f in columns), target] for name, fmt, target in ROWS]
    print(table(["measure", *(c for c, _ in columns), "target at 100,000"], rows))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\nOne run, {os.cpu_count()} CPUs (shared), load average {load} at the end; "
        f"{(time.perf_counter() - started) / 60:.0f} min in all. See benchmarks/users_scale.py."
    )


if __name__ == "__main__":
    main()
