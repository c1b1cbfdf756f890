"""Every error a user can cause at the command line: one line on stderr, a non-zero exit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.archive.lock import DataDirLock
from bot.cli.main import main
from tests.clikit import articles_file, run

# --- every error a user can cause: one line on stderr, non-zero exit ------------------------


def _backup_folder(tmp: Path, damage: Callable[[Path], None]) -> Path:
    assert main(["latest", "--data-dir", str(tmp / "d")]) == 0
    assert main(["backup", str(tmp / "b"), "--data-dir", str(tmp / "d")]) == 0
    damage(tmp / "b")
    return tmp / "b"


def _corrupt(backup: Path) -> None:
    (backup / "users" / "_meta.log").write_bytes(b"{oops")


ERRORS: list[tuple[str, Callable[[Path], list[str]], int, str]] = [
    (
        "import: missing file",
        lambda t: ["import", str(t / "missing.jsonl")],
        1,
        "missing.jsonl: no such file",
    ),
    (
        "import: bad JSON line",
        lambda t: ["import", str(_bad_jsonl(t))],
        1,
        "bad.jsonl:2: invalid JSON",
    ),
    (
        "summarize: bad JSON line",
        lambda t: ["summarize", "--batch", str(_bad_jsonl(t, good=False))],
        1,
        "bad.jsonl:1:",
    ),
    (
        "summarize: missing batch file",
        lambda t: ["summarize", "--batch", str(t / "nope.jsonl")],
        1,
        "nope.jsonl: No such file or directory",
    ),
    (
        "search: a filter not understood",
        lambda t: ["search", "oil", "since:garbage"],
        2,
        "not understood: since:garbage",
    ),
    (
        "search: missing batch file",
        lambda t: ["search", "--batch", str(t / "q.txt"), "--json"],
        1,
        "q.txt: No such file or directory",
    ),
    (
        "search: batch file not text",
        lambda t: ["search", "--batch", str(_binary(t)), "--json"],
        1,
        "not UTF-8 text",
    ),
    ("summary: unknown id", lambda t: ["summary", "nosuchid"], 1, "no article with id or URL"),
    ("feeds remove: unknown id", lambda t: ["feeds", "remove", "abc123"], 1, "no feed 'abc123'"),
    (
        "feeds import: missing file",
        lambda t: ["feeds", "import", str(t / "x.opml")],
        2,
        "x.opml: No such file or directory\n",
    ),
    (
        "feeds import: not OPML",
        lambda t: ["feeds", "import", str(articles_file(t / "x.opml"))],
        2,
        "not well-formed XML",
    ),
    ("locked data dir", lambda t: ["import", str(articles_file(t / "a.jsonl"))], 1, "pid"),
    ("restore: not a backup", lambda t: ["restore", str(t)], 1, "no newsbrief-backup.json"),
    (
        "restore: damaged backup",
        lambda t: ["restore", str(_backup_folder(t, _corrupt))],
        1,
        "users/_meta.log",
    ),
    (
        "backup: folder not empty",
        lambda t: ["backup", str(_backup_folder(t, lambda b: None))],
        1,
        "exists and is not empty",
    ),
    ("bad option value", lambda t: ["latest", "-n", "many"], 2, "invalid int value: 'many'"),
    ("latest: no articles", lambda t: ["latest", "-n", "0"], 2, "-n: must be a positive"),
    ("latest: count below 0", lambda t: ["latest", "-n", "-3"], 2, "not '-3'"),
    ("stories: top 0", lambda t: ["stories", "--top", "0"], 2, "--top: must be a positive"),
    ("stories: top below 0", lambda t: ["stories", "--top", "-1"], 2, "not '-1'"),
    ("search: limit 0", lambda t: ["search", "x", "--limit", "0"], 2, "--limit: must be"),
    ("summary: 0 sentences", lambda t: ["summary", "x", "--sentences", "0"], 2, "--sentences"),
    ("unknown command", lambda t: ["lastest"], 2, "invalid choice: 'lastest'"),
    ("bad log level", lambda t: ["latest", "--log-level", "loud"], 2, "invalid choice: 'LOUD'"),
    ("data dir is a file", lambda t: ["latest", "--data-dir", str(_file(t))], 2, "not a directory"),
]


def _bad_jsonl(tmp: Path, *, good: bool = True) -> Path:
    path = tmp / "bad.jsonl"
    path.write_text(('{"title": "ok", "body": "fine"}\n' if good else "") + "{oops\n")
    return path


def _binary(tmp: Path) -> Path:
    path = tmp / "q.bin"
    path.write_bytes(b"\xff\xfe\x00words\n")
    return path


def _file(tmp: Path) -> Path:
    path = tmp / "plain-file"
    path.write_text("x")
    return path


@pytest.mark.parametrize(("name", "argv", "code", "says"), ERRORS, ids=[e[0] for e in ERRORS])
def test_every_user_error_is_one_line_and_a_non_zero_exit(
    name: str,
    argv: Callable[[Path], list[str]],
    code: int,
    says: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "d"
    monkeypatch.setenv("NEWSBRIEF_DATA_DIR", str(data))
    args = argv(tmp_path)
    capsys.readouterr()
    lock = DataDirLock(data)
    if name == "locked data dir":
        data.mkdir(exist_ok=True)
        lock.acquire()  # as a running bot would
    try:
        got, _, err = run(capsys, *args)
    finally:
        if lock.held:
            lock.release()
    assert got == code
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert says in err and "Traceback" not in err


def test_a_search_index_that_cannot_be_written_is_one_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A full disk (here: a folder where tantivy writes meta.json) stops a start in one line."""
    (tmp_path / "index" / "meta.json").mkdir(parents=True)
    assert main(["--data-dir", str(tmp_path), "--no-default-feeds", "latest"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"newsbrief: cannot write the search index in {tmp_path / 'index'}: ")
    assert err.count("\n") == 1 and "Traceback" not in err
