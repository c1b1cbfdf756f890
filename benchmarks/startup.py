"""`python -m benchmarks startup [DATA_DIR]` (and each size of `make bench-scale`): the bot's start.

An operator's view: the real `newsbrief run` (`python -m bot run`, from a neutral directory, the
token, data dir and Bot API URL in its environment) is spawned against the local Bot API
server of this process. *Spawn to polling* runs from the spawn to the first getUpdates the
server receives (`Stats.first_get_updates_at`, the same monotonic clock). The first STARTS - 1
starts stop there (SIGTERM); the last is probed at once: users send /latest and /search (two
words from stored titles, one misspelt) as Poisson arrivals at 25 a second, each from a new
user (under Telegram's 30 messages a second per bot), for the first minute. The anchor is the
same probe on the same process WARM_AFTER seconds after polling began, and the start of an
empty data dir. The bot logs where its own start went (the `start-up:` line of
`bot/run/polling.py`); what it cannot see, the interpreter and the imports, is the rest, and
`import bot.cli.main` is timed alone. The CPU the bot process used until its first getUpdates
(from /proc) is printed beside the wall time: on this shared machine it is the steadier figure.
Each checkout's catalogs are compiled first, as `make run` does.

DATA_DIR is copied first (the bot writes its lock and state into the data dir it runs on);
without one a 100,000-article data dir is built (`scale_worker.py build`, minutes).
NEWSBRIEF_STARTUP_MAIN=1 also measures the commit this branch forked from (as `scale.py` does,
or NEWSBRIEF_SCALE_BASE) on the same data dir, before this checkout.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, load_corpus, median, percentile, table
from bot.tgserver import Limits, LocalBotApiServer

TOKEN = "4242:startup-token"
STARTS = 3  # spawn-to-polling is one figure per start: the median of three
# NEWSBRIEF_STARTUP_PROBE_S=5 makes a quick trial run (the anchor then comes 2 probes later).
PROBE_S = float(os.environ.get("NEWSBRIEF_STARTUP_PROBE_S", "60"))  # "the first minute"
WARM_AFTER = 2 * PROBE_S  # the anchor probe begins this long after polling began
RATE = 25.0  # commands a second, under Telegram's 30 messages a second per bot
REPLY_TIMEOUT = 120.0
SIZE = 100_000
_PHASE = re.compile(r"([a-z][a-z ]*?) (\d+\.\d+) s")


def search_queries(count: int = 400) -> list[str]:
    """Return two-word queries from the corpus titles, one word of each misspelt (swapped letters)."""
    rng = random.Random(41)
    out = []
    for record in rng.sample(load_corpus(), count * 3):
        words = [w for w in str(record.get("title") or "").split() if len(w) > 4 and w.isalpha()]
        if len(words) >= 2:
            a, b = rng.sample(words, 2)
            i = rng.randrange(1, len(b) - 2)
            out.append(f"{a} {b[:i]}{b[i + 1]}{b[i]}{b[i + 2 :]}")
    return out[:count]


def _env(checkout: Path, data_dir: Path, url: str) -> dict[str, str]:
    """Return the environment an operator would set, the code taken from checkout."""
    return {
        **os.environ,
        "PYTHONPATH": str(checkout),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": url,
        "NEWSBRIEF_DATA_DIR": str(data_dir),
        "NEWSBRIEF_DEFAULT_FEEDS": "0",  # only 127.0.0.1 is reachable here
        "NEWSBRIEF_SEEDS_DIR": str(data_dir / "no-seeds"),
        "NEWSBRIEF_RETENTION_DAYS": "0",  # a kept data dir ages: prune nothing of it
    }


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _spawn(checkout: Path, data_dir: Path, server: LocalBotApiServer, log: Path) -> Any:
    """Spawn `newsbrief run`; return (process, seconds from spawn to its first getUpdates, and
    the CPU seconds it had used then: on a shared machine the steadier figure)."""
    with log.open("wb") as err:
        spawned = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tempfile.gettempdir(),  # no .env of a checkout is read
            env=_env(checkout, data_dir, server.base_url),
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    polling = asyncio.create_task(server.long_poll_waiting())
    exited = asyncio.create_task(proc.wait())
    await asyncio.wait([polling, exited], return_when=asyncio.FIRST_COMPLETED)
    if not polling.done():
        raise RuntimeError(f"newsbrief run exited with {proc.returncode}: see {log}")
    exited.cancel()
    cpu = cpu_seconds(proc.pid)
    assert server.stats.first_get_updates_at is not None
    return proc, server.stats.first_get_updates_at - spawned, cpu


async def _stop(proc: Any) -> None:
    proc.send_signal(signal.SIGTERM)
    await asyncio.wait_for(proc.wait(), 600)


async def _command(server: LocalBotApiServer, user_id: int, text: str) -> float:
    """Send one command from a new user; return seconds until the reply reached the server."""
    user = server.user(user_id)
    start = time.perf_counter()
    await user.send(text)
    try:
        await user.wait_replies(1, timeout=REPLY_TIMEOUT)
    except TimeoutError:
        return float("inf")
    return time.perf_counter() - start


async def probe(server: LocalBotApiServer, queries: list[str], first_id: int) -> dict[str, Any]:
    """Send /latest and /search at RATE a second for PROBE_S; return each kind's latencies."""
    rng = random.Random(first_id)
    tasks: dict[str, list[asyncio.Task[float]]] = {"latest": [], "search": []}
    end = time.monotonic() + PROBE_S
    n = 0
    while time.monotonic() < end:
        kind = rng.choice(("latest", "search"))
        text = "/latest" if kind == "latest" else f"/search {rng.choice(queries)}"
        tasks[kind].append(asyncio.create_task(_command(server, first_id + n, text)))
        n += 1
        await asyncio.sleep(rng.expovariate(RATE))
    return {kind: list(await asyncio.gather(*found)) for kind, found in tasks.items()}


async def _measure(checkout: Path, data_dir: Path, work: Path) -> dict[str, Any]:
    """Start the bot STARTS times on data_dir, probing the last one; return the figures."""
    queries = await asyncio.to_thread(search_queries)
    figures: dict[str, Any] = {"starts": [], "cpu": []}
    for n in range(STARTS):
        async with LocalBotApiServer(token=TOKEN, limits=Limits()) as server:
            log = work / f"start-{n}.log"
            proc, seconds, cpu = await _spawn(checkout, data_dir, server, log)
            figures["starts"].append(seconds)
            figures["cpu"].append(cpu)
            try:
                if n == STARTS - 1:
                    began = time.monotonic()
                    figures["first"] = await probe(server, queries, 1_000_000)
                    await asyncio.sleep(max(0.0, began + WARM_AFTER - time.monotonic()))
                    figures["warm"] = await probe(server, queries, 2_000_000)
            finally:
                await _stop(proc)
            figures["phases"] = phases(log.read_text(errors="replace"))
    return figures


def phases(log_text: str) -> dict[str, float]:
    """Return the phases of the bot's start-up log line (`bot.run.startlog`), in seconds."""
    found: dict[str, float] = {}
    for line in log_text.splitlines():
        if "start-up:" in line:
            found.update((name.strip(), float(s)) for name, s in _PHASE.findall(line))
    return found


def measure(checkout: Path, data_dir: Path, work: Path) -> dict[str, Any]:
    """Measure one checkout's start on data_dir (the bot writes its lock and state there)."""
    work.mkdir(parents=True, exist_ok=True)
    print(f"[{time.strftime('%H:%M:%S')}] startup: {checkout}", file=sys.stderr)
    pybabel = Path(sys.executable).parent / "pybabel"
    locale = checkout / "bot" / "i18n" / "locale"
    subprocess.run(
        [pybabel, "compile", "-D", "newsbrief", "-d", locale], check=True, capture_output=True
    )
    return asyncio.run(_measure(checkout, data_dir, work))


def anchors(work: Path) -> dict[str, Any]:
    """Return the empty data dir's spawn-to-polling (median of STARTS) and `import` alone."""
    work.mkdir(parents=True, exist_ok=True)

    async def empty() -> list[tuple[float, float]]:
        out = []
        for n in range(STARTS):
            async with LocalBotApiServer(token=TOKEN, limits=Limits()) as server:
                data_dir = work / f"empty-{n}"
                proc, seconds, cpu = await _spawn(REPO, data_dir, server, work / f"empty-{n}.log")
                await _stop(proc)
                out.append((seconds, cpu))
        return out

    imports, imports_cpu = [], []
    for _ in range(STARTS):
        start, cpu = time.monotonic(), _children_cpu()
        cmd = [sys.executable, "-c", "import bot.cli.main"]
        subprocess.run(cmd, check=True, cwd=tempfile.gettempdir(), env=_env(REPO, work, ""))
        imports.append(time.monotonic() - start)
        imports_cpu.append(_children_cpu() - cpu)
    return {"empty": asyncio.run(empty()), "imports": imports, "imports_cpu": imports_cpu}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _latencies(values: list[float]) -> str:
    """p50 / p95 / p99 in ms, how many there were and how many waited a second or more."""
    p50, p95, p99 = (percentile(values, p) * 1000 for p in (50, 95, 99))
    slow = sum(v >= 1.0 for v in values)
    return f"{p50:.0f} / {p95:.0f} / {p99:.0f} (n={len(values)}, {slow} ≥ 1 s)"


def _each(values: list[float]) -> str:
    return f"{median(values):.2f} ({', '.join(f'{v:.2f}' for v in values)})"


def _ratio(figures: dict[str, Any], kind: str) -> str:
    first, warm = (percentile(figures[k][kind], 99) for k in ("first", "warm"))
    return f"{first / warm:.2f}"


def rows(columns: list[tuple[str, dict[str, Any]]]) -> list[list[str]]:
    """Return the startup table's rows, one column per measured checkout."""
    out = [["spawn to first getUpdates, median (each) (s)"]]
    out[0] += [_each(f["starts"]) for _, f in columns]
    out.append(["CPU the bot process used by then, median (each) (s)"])
    out[1] += [_each(f["cpu"]) for _, f in columns]
    names = list(dict.fromkeys(name for _, f in columns for name in f["phases"]))
    for name in names:
        out.append(
            [f"  of the last start: {name} (s)"]
            + [f"{f['phases'][name]:.2f}" if name in f["phases"] else "—" for _, f in columns]
        )
    out.append(
        ["  of the last start: interpreter, imports, config (the rest) (s)"]
        + [
            f"{f['starts'][-1] - f['phases'].get('total', 0.0):.2f}" if f["phases"] else "—"
            for _, f in columns
        ]
    )
    for when, label in (("first", "first minute"), ("warm", f"{WARM_AFTER:.0f} s later (anchor)")):
        for kind in ("latest", "search"):
            name = f"/{kind} p50 / p95 / p99 (ms), {label}"
            out.append([name] + [_latencies(f[when][kind]) for _, f in columns])
    for kind in ("latest", "search"):
        out.append([f"/{kind} p99 first minute / anchor"] + [_ratio(f, kind) for _, f in columns])
    return out


def print_table(columns: list[tuple[str, dict[str, Any]]], anchor: dict[str, Any]) -> None:
    """Print the start table and its anchors (empty data dir, imports alone)."""
    print(table(["start of `newsbrief run`", *(c for c, _ in columns)], rows(columns)))
    empty, imports = anchor["empty"], anchor["imports"]
    print(
        f"\nAnchors, same run: spawn to first getUpdates on an empty data dir "
        f"{_each([s for s, _ in empty])} s, CPU {_each([c for _, c in empty])} s; "
        f"`python -c 'import bot.cli.main'` {_each(imports)} s, CPU {_each(anchor['imports_cpu'])} s. "
        f"Targets (issue 25, at 1M): spawn to "
        f"polling ≤ 5 s, first-minute p99 ≤ 100 ms. Load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} at the end, {os.cpu_count()} CPUs."
    )


def main() -> None:
    """Measure the start on DATA_DIR (argv), or on a 100,000-article data dir built first."""
    from benchmarks.scale import _base_checkout, run_step

    args = [a for a in sys.argv[1:] if a != "startup"]
    with tempfile.TemporaryDirectory(prefix="newsbrief-startup-") as tmp:
        work = Path(tmp)
        data_dir = work / "data"
        if args:  # the bot writes its lock and state where it runs: a kept data dir stays as is
            print(f"[{time.strftime('%H:%M:%S')}] copying {args[0]}", file=sys.stderr)
            shutil.copytree(Path(args[0]), data_dir, symlinks=True)
        else:
            print(f"[{time.strftime('%H:%M:%S')}] building {SIZE:,}", file=sys.stderr)
            run_step(REPO, "build", str(data_dir), str(SIZE))
        columns = []
        if os.environ.get("NEWSBRIEF_STARTUP_MAIN") == "1":
            base, sha = _base_checkout(work)
            try:
                columns.append((f"main {sha}", measure(base, data_dir, work / "main")))
            finally:
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(base)], cwd=REPO, check=False
                )
        columns.append(("this checkout", measure(REPO, data_dir, work / "repo")))
        anchor = anchors(work / "anchors")
    print(f"Data dir: {args[0] if args else f'{SIZE:,} articles built by scale_worker.py'}")
    print_table(columns, anchor)


if __name__ == "__main__":
    main()
