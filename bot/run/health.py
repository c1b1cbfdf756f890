"""`python -m bot.run.health`: exit 0 when the data dir is sound (and, if asked, a bot is alive).

Used by Docker's HEALTHCHECK and by hand. It takes no lock, writes nothing and parses no
large file, so it can run every few seconds beside a starting or busy bot. Checks:
1. the data directory exists and is writable;
2. the users tables' stamp (`users/_meta.log`, a few bytes) names a schema this version
   reads, or a users.json not migrated yet looks whole (a JSON object from its first byte to
   its last: reading its two ends, not parsing 56 MB), and the newest article segment (a
   small file) is whole JSON of a schema this version reads;
3. with --running, a bot holds the data-dir lock: the kernel's table of file locks
   (/proc/locks, Linux) names the process holding `newsbrief.lock`; the lock dies with the
   process, even on kill -9, and reading the table never stands in a starting bot's way
   (trying the lock would, for an instant);
4. with --max-age N, the bot's heartbeat file is younger than N seconds, so an event loop
   that hangs without dying is caught too. The running application writes it from a
   JobQueue job in every mode (`bot/app/wiring.py`); while a bot holds the lock, a missing
   heartbeat or one written by another pid (a previous run) is unhealthy: Docker's
   `--start-period` covers the seconds before the first beat.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.archive.heartbeat import last_beat
from bot.archive.lock import LOCK_FILE
from bot.archive.records import META_TABLE, SchemaError, check_version
from bot.archive.segments import SEGMENT_GLOB, segment_number
from bot.archive.storage import StorageError, read_json_file
from bot.archive.tablefile import SUFFIX, read_docs
from bot.archive.usermigrate import LEGACY_FILE
from bot.archive.usertables import TABLES_DIR

PROC_LOCKS = Path("/proc/locks")


class Unhealthy(Exception):
    """One line saying what is wrong."""


def _check_file(path: Path) -> None:
    """Refuse a data file that is not whole JSON of a schema this version reads."""
    try:
        data = read_json_file(path)
    except StorageError as exc:
        raise Unhealthy(str(exc)) from None
    if data is None:
        return
    meta = data.get(META_TABLE, {}).get("1", {})
    try:
        check_version(int(meta.get("schema", 1)), path)
    except SchemaError as exc:
        raise Unhealthy(str(exc)) from None


def _check_ends(path: Path, probe: int = 64) -> None:
    """Refuse a file that is not one JSON object end to end, reading only its two ends."""
    try:
        with path.open("rb") as fh:
            head = fh.read(probe)
            fh.seek(max(fh.seek(0, os.SEEK_END) - probe, 0))
            tail = fh.read()
    except FileNotFoundError:
        return
    if not head.strip():
        return  # empty: a new data dir
    if not head.lstrip().startswith(b"{"):
        raise Unhealthy(f"{path} does not hold a JSON object")
    if not tail.rstrip().endswith(b"}"):
        raise Unhealthy(f"{path} is not valid JSON (it ends mid-object: truncated?)")


def _check_users(data_dir: Path) -> None:
    """Refuse users tables stamped by a newer newsbrief (or not stamped as users)."""
    for stamp in read_docs(data_dir / TABLES_DIR / f"{META_TABLE}{SUFFIX}"):
        if stamp.get("kind") != "users":
            raise Unhealthy(f"{data_dir / TABLES_DIR} does not hold newsbrief users")
        try:
            check_version(int(stamp.get("schema", 1)), data_dir / TABLES_DIR)
        except SchemaError as exc:
            raise Unhealthy(str(exc)) from None


def check_data_dir(data_dir: Path) -> int:
    """Check the directory and its key files; return the number of segment files."""
    if not data_dir.is_dir():
        raise Unhealthy(f"{data_dir} is not a directory")
    if not os.access(data_dir, os.W_OK):
        raise Unhealthy(f"{data_dir} is not writable by this user")
    # A data file is replaced atomically (archive/storage.py) or appended to, so a sound
    # start and end mean a sound file; the bot checks every schema when it opens it.
    _check_ends(data_dir / LEGACY_FILE)
    _check_users(data_dir)
    segments = sorted((data_dir / "articles").glob(SEGMENT_GLOB), key=segment_number)
    if segments:
        _check_file(segments[-1])  # the one being written; older ones are never touched
    return len(segments)


def lock_holder(data_dir: Path, locks: Path = PROC_LOCKS) -> int | None:
    """Return the pid holding the data-dir lock, or None, from the kernel's lock table."""
    path = data_dir / LOCK_FILE
    try:
        stat = path.stat()
        named = path.read_text().strip()
        table = locks.read_text()
    except FileNotFoundError as exc:
        if exc.filename == str(locks):
            raise Unhealthy(f"cannot tell whether a bot runs: no {locks} (Linux only)") from None
        return None  # no lock file: no bot ever ran here
    except OSError as exc:  # a directory or unreadable file where the lock belongs
        raise Unhealthy(f"cannot read {exc.filename}: {exc.strerror}") from None
    device = (os.major(stat.st_dev), os.minor(stat.st_dev))
    holders: list[tuple[int, bool]] = []  # (pid, on this device)
    for line in table.splitlines():
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 1234 fe:00:2146319 0 EOF"; waiters carry "->" and differ
        if len(fields) < 6 or fields[1:4] != ["FLOCK", "ADVISORY", "WRITE"]:
            continue
        major, minor, inode = fields[5].split(":")
        if int(inode) == stat.st_ino:
            holders.append((int(fields[4]), (int(major, 16), int(minor, 16)) == device))
    for pid, here in holders:
        # Overlay file systems may show another device; the pid the holder wrote then decides.
        if here or str(pid) == named:
            return pid
    return None


def check_heartbeat(
    data_dir: Path,
    max_age: float,
    now: Callable[[], float] = time.time,
    holder: int | None = None,
) -> None:
    """Fail when the heartbeat is stale, or absent or foreign while `holder` holds the lock."""
    try:
        last = last_beat(data_dir)
    except OSError as exc:  # a directory or unreadable file where the heartbeat belongs
        raise Unhealthy(f"cannot read the heartbeat {exc.filename}: {exc.strerror}") from None
    if last is None:
        if holder is not None:
            raise Unhealthy(f"the running bot (pid {holder}) has written no heartbeat")
        return
    pid, mtime = last
    if holder and pid is not None and pid != holder:
        raise Unhealthy(f"the heartbeat is from pid {pid}, not the running bot (pid {holder})")
    age = now() - mtime
    if age > max_age:
        raise Unhealthy(f"the bot's last heartbeat was {int(age)} s ago (limit {int(max_age)} s)")


def _seconds(text: str) -> float:
    """Return a positive number of seconds: nan compared false to every age ("ok" unseen)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the health check's argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.run.health", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--data-dir", type=Path, help="default: NEWSBRIEF_DATA_DIR or ./data")
    parser.add_argument("--running", action="store_true", help="also require a running bot")
    parser.add_argument("--max-age", type=_seconds, help="heartbeat must be younger (seconds)")
    return parser


def main(argv: Sequence[str] | None = None, env: dict[str, str] | None = None) -> int:
    """Run the checks; print one line; return 0 (healthy) or 1."""
    args = build_parser().parse_args(argv)
    environ = os.environ if env is None else env
    data_dir = args.data_dir or Path(environ.get("NEWSBRIEF_DATA_DIR", "").strip() or "data")
    try:
        segments = check_data_dir(data_dir)
        holder = lock_holder(data_dir) if args.running or args.max_age is not None else None
        if args.running and holder is None:
            raise Unhealthy(f"no newsbrief is running on {data_dir}")
        if args.max_age is not None:
            check_heartbeat(data_dir, args.max_age, holder=holder)
    except Unhealthy as exc:
        print(f"unhealthy: {exc}")
        return 1
    print(f"ok: {data_dir} ({segments} article segments{', bot running' if args.running else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
