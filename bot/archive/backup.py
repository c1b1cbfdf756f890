"""`newsbrief backup PATH` / `newsbrief restore PATH`: a consistent copy of a live data dir.

Why a copy taken while the bot writes is consistent:

* Every data file is either replaced whole (`os.replace` of a fsynced temp file: the
  segments, a compacted users table) or only appended to (the users tables in `users/`, an
  older version's journals). One `open()` + `read()` therefore sees one complete version of
  a replaced file, and a prefix of an appended one (a torn last line is cut here, and a
  scan ignores one anyway).
* The order makes the files agree with each other. State that points *into* the article
  archive (the users tables: digest cursors, feed ETags) is copied first, the article
  segments last. Segments only grow (except for retention), so every article a copied
  cursor or ETag has seen is already on disk when the segments are read.

Committed means on disk. The bot changes its memory first and queues the users tables'
writes on their own thread (bot/archive/usertables.py); it answers a change, and counts a
digest delivered, only once the write has landed. A backup sees only the files: a write
still queued when it starts is not in it, as if the bot had stopped a moment earlier.

So a backup holds everything committed before it started (and maybe some later work);
at worst, after a restore, one digest is sent again or a feed is fetched again and the
duplicates are dropped. Nothing is missing. The manifest (written last) lists each
file's size and SHA-256; `restore` checks all of it before it replaces anything.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import orjson

from bot.archive.backupcheck import USERS_STAMP, BackupError, check_data
from bot.archive.lock import DataDirLock
from bot.archive.storage import write_json_atomic
from bot.archive.tablefile import SUFFIX as TABLE_SUFFIX
from bot.archive.usermigrate import LEGACY_FILE
from bot.archive.usertables import TABLES_DIR
from bot.models import utcnow

MANIFEST = "newsbrief-backup.json"
FORMAT = 1
SKIPPED_NAMES = frozenset({"newsbrief.lock", MANIFEST, "light.snapshot", "stories.snapshot"})
SKIPPED_DIRS = frozenset({"index"})  # the search index and the snapshots are rebuilt on open
APPENDED_SUFFIXES = (".journal", TABLE_SUFFIX)  # only appended to (or replaced whole)
ARTICLES_DIR = "articles"
READ_TRIES = 3

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class BackupReport:
    """What one backup holds."""

    dest: Path
    files: int
    bytes: int
    articles: int
    started: datetime
    finished: datetime


@dataclass(frozen=True, slots=True)
class RestoreReport:
    """What one restore put back, and where the replaced files were set aside."""

    data_dir: Path
    files: int
    articles: int
    backup_started: str
    set_aside: Path | None


def _order(rel: str) -> tuple[int, str]:
    """Copy the users tables first, then other state, then the article segments (module doc)."""
    if rel.endswith(APPENDED_SUFFIXES):
        return (0, rel)
    if rel.startswith(f"{ARTICLES_DIR}/"):
        return (2, rel)
    return (1, rel)


def _data_files(data_dir: Path) -> list[str]:
    """Return the data files to copy, as relative POSIX paths, in copy order."""
    found = []
    for path in data_dir.rglob("*"):
        rel = path.relative_to(data_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue  # temp files of atomic writes, and files set aside by a restore
        if rel.parts[0] in SKIPPED_DIRS or rel.name in SKIPPED_NAMES or not path.is_file():
            continue
        found.append(rel.as_posix())
    return sorted(found, key=_order)


def _read_consistent(path: Path) -> bytes | None:
    """Return one complete version of a data file (None if it vanished, e.g. pruned)."""
    for _ in range(READ_TRIES):
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        if path.name.endswith(APPENDED_SUFFIXES):
            return raw[: raw.rfind(b"\n") + 1]  # drop a line being appended right now
        if path.suffix != ".json" or not raw.strip():
            return raw
        try:
            orjson.loads(raw)
            return raw
        except orjson.JSONDecodeError:
            continue  # not ours to fix; a replaced file reads whole, so try again
    raise BackupError(f"{path} is not valid JSON; the data directory needs a look")


def _count_articles(raw: bytes) -> int:
    data = orjson.loads(raw) if raw.strip() else {}
    return len(data.get("articles", {})) if isinstance(data, dict) else 0


def backup(
    data_dir: Path,
    dest: Path,
    *,
    clock: Callable[[], datetime] = utcnow,
    progress: Progress | None = None,
) -> BackupReport:
    """Copy data_dir to dest (a new directory) while the bot may be writing; see module doc."""
    if not any((data_dir / name).exists() for name in (LEGACY_FILE, TABLES_DIR, ARTICLES_DIR)):
        raise BackupError(f"{data_dir} is not a newsbrief data directory")
    if dest.resolve().is_relative_to(data_dir.resolve()):
        raise BackupError(f"{dest} is inside the data directory; put backups elsewhere")
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} exists and is not empty; give a new directory")
    started = clock()
    dest.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, Any]] = []
    articles = 0
    for rel in _data_files(data_dir):
        raw = _read_consistent(data_dir / rel)
        if raw is None:
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)
        entries.append({"path": rel, "size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()})
        if rel.startswith(f"{ARTICLES_DIR}/") and rel.endswith(".json"):  # not the .jsonl records
            articles += _count_articles(raw)
        if progress is not None:
            progress(rel)
    finished = clock()
    manifest = {
        "format": FORMAT,
        "started": started.isoformat(),
        "finished": finished.isoformat(),
        "articles": articles,
        "files": entries,
    }
    write_json_atomic(dest / MANIFEST, manifest)  # last: its presence marks a whole backup
    size = sum(int(e["size"]) for e in entries)
    return BackupReport(dest, len(entries), size, articles, started, finished)


def _safe_rel(rel: object) -> str:
    """Return a manifest path if it stays inside the directory; refuse anything else."""
    if not isinstance(rel, str) or not rel:
        raise BackupError("the manifest lists a file without a path")
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or "\\" in rel or rel.startswith("."):
        raise BackupError(f"the manifest lists a file outside the backup: {rel!r}")
    if path.name in SKIPPED_NAMES:
        raise BackupError(f"the manifest lists {rel!r}, which a backup never holds")
    return rel


def _read_inside(src: Path, rel: str) -> bytes:
    """Read a backup file, refusing symbolic links on the way: a link could pull any file
    the restoring user can read (a key, another user's data) into the data directory."""
    path = src
    for part in PurePosixPath(rel).parts:
        path = path / part
        if path.is_symlink():
            raise BackupError(f"{rel} in the backup goes through a symbolic link: refused")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)  # a link swapped in after the check
    except FileNotFoundError:
        raise BackupError(f"{rel} is missing from the backup") from None
    except OSError as exc:
        raise BackupError(f"{rel} in the backup cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as fh:
        return fh.read()


def verify(src: Path) -> dict[str, Any]:
    """Check a backup: manifest, every file's size and SHA-256, every data file opens."""
    try:
        manifest = orjson.loads((src / MANIFEST).read_bytes())
    except FileNotFoundError:
        raise BackupError(f"{src} has no {MANIFEST}: not a backup, or an unfinished one") from None
    except orjson.JSONDecodeError:
        raise BackupError(f"{src / MANIFEST} is damaged") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{src / MANIFEST} is not a backup manifest this newsbrief reads")
    files = manifest.get("files")
    if not isinstance(files, list) or not files:
        raise BackupError(f"{src / MANIFEST} lists no files")
    for entry in files:
        rel = _safe_rel(entry.get("path") if isinstance(entry, dict) else None)
        raw = _read_inside(src, rel)
        if len(raw) != entry.get("size") or hashlib.sha256(raw).hexdigest() != entry.get("sha256"):
            raise BackupError(f"{rel} in the backup is damaged (size or checksum differs)")
        if (rel.endswith(".json") and raw.strip()) or rel == USERS_STAMP:
            check_data(rel, raw)
    return manifest


def _set_aside(data_dir: Path, stamp: str) -> Path | None:
    """Move the current data files into a hidden folder of data_dir; return it (None if none)."""
    current = [
        p for p in data_dir.iterdir() if not p.name.startswith(".") and p.name not in SKIPPED_NAMES
    ]
    if not current:
        return None
    # Inside data_dir: in Docker the volume's parent is not ours to write.
    aside = data_dir / f".pre-restore-{stamp}"
    aside.mkdir()
    for path in current:
        os.replace(path, aside / path.name)
    return aside


def _copy_in(src: Path, data_dir: Path, rels: list[str], progress: Progress | None) -> None:
    """Copy the backup's files into data_dir, each through a temp file and a rename."""
    for rel in rels:
        target = data_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.restore.tmp")
        tmp.write_bytes(_read_inside(src, rel))
        os.replace(tmp, target)
        if progress is not None:
            progress(rel)


def restore(
    src: Path,
    data_dir: Path,
    *,
    clock: Callable[[], datetime] = utcnow,
    progress: Progress | None = None,
) -> RestoreReport:
    """Put a verified backup in data_dir; refuse while a bot holds the data dir.

    The files it replaces are kept in `<data_dir>/.pre-restore-<time>/` until deleted by hand.
    Raises DataDirLocked (from bot.archive.lock) when the data dir is in use, BackupError when the
    backup is incomplete or damaged; in both cases nothing in data_dir has changed.
    """
    if src.resolve() == data_dir.resolve():
        raise BackupError("the backup and the data directory are the same folder")
    manifest = verify(src)
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = DataDirLock(data_dir)
    lock.acquire()
    try:
        rels = [str(entry["path"]) for entry in manifest["files"]]
        aside = _set_aside(data_dir, clock().strftime("%Y%m%dT%H%M%S.%fZ"))
        _copy_in(src, data_dir, rels, progress)
    finally:
        lock.release()
    return RestoreReport(
        data_dir, len(rels), int(manifest.get("articles", 0)), str(manifest["started"]), aside
    )
