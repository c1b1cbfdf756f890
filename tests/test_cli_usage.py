"""The command line as people type it: options anywhere, progress in a terminal only, one-line errors."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import sys
import termios
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest

from bot.archive.lock import DataDirLock
from bot.cli.main import main
from tests.feedserver import FeedServer, generate_feed


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in this process; return exit code, stdout, stderr."""
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse exits by itself
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def articles_file(path: Path, count: int = 3) -> Path:
    """Write `count` JSON Lines articles to path."""
    lines = [
        orjson.dumps({"title": f"Harbour report {n}", "body": f"The harbour story number {n}."})
        for n in range(count)
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


# --- global options before or after the subcommand ------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["--data-dir", "{d}", "latest", "--json"],
        ["latest", "--json", "--data-dir", "{d}"],
        ["latest", "--data-dir", "{d}", "--json", "--log-format", "json"],
        ["--log-level", "error", "latest", "--log-level", "warning", "--data-dir={d}", "--json"],
    ],
)
def test_global_options_work_before_or_after_the_subcommand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    data = tmp_path / "chosen"
    code, out, err = run(capsys, *[a.replace("{d}", str(data)) for a in argv])
    assert (code, err) == (0, "")
    assert [a["title"] for a in orjson.loads(out)] == [
        "Russia, China Kick Off Joint Military Drills"
    ]
    assert (data / "users").is_dir() and not (tmp_path / "data").exists()


@pytest.mark.parametrize("where", ["before", "after"])
def test_nested_subcommands_take_them_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.setenv("NEWSBRIEF_DEFAULT_FEEDS", "1")
    flags = ["--data-dir", str(tmp_path / "d"), "--no-default-feeds"]
    argv = [*flags, "feeds", "list"] if where == "before" else ["feeds", "list", *flags]
    code, out, _ = run(capsys, *argv)
    assert code == 0 and out == "No feeds yet: `newsbrief feeds add URL` adds one.\n"


def test_without_the_flag_a_new_data_dir_lists_the_default_feeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBRIEF_DEFAULT_FEEDS", "1")
    code, out, _ = run(capsys, "feeds", "list", "--json", "--data-dir", str(tmp_path / "d"))
    feeds = {f["url"]: f["title"] for f in orjson.loads(out)}
    assert code == 0 and len(feeds) == 12
    assert feeds["https://feeds.bbci.co.uk/russian/rss.xml"] == "BBC News - Русская служба"


# --- progress: a bar in a terminal, nothing when piped -------------------------------------


@contextmanager
def terminal_stderr(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], str]]:
    """Make sys.stderr a 100-column terminal (a pty); yield a function returning what it got."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    received: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the slave side closed
                return
            if not chunk:
                return
            received.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    stream = os.fdopen(slave, "w", buffering=1, encoding="utf-8")
    monkeypatch.setattr(sys, "stderr", stream)
    try:
        yield lambda: b"".join(received).decode("utf-8", "replace")
    finally:
        monkeypatch.undo()
        stream.close()
        reader.join(timeout=10)
        os.close(master)


LongWork = Callable[[Path, FeedServer], list[str]]


def _import(tmp: Path, _: FeedServer) -> list[str]:
    return ["import", str(articles_file(tmp / "in.jsonl")), "--data-dir", str(tmp / "d")]


def _rebuild(tmp: Path, _: FeedServer) -> list[str]:
    assert main(["latest", "--data-dir", str(tmp / "d")]) == 0
    for path in sorted((tmp / "d" / "index").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    return ["latest", "--data-dir", str(tmp / "d")]


def _poll(tmp: Path, server: FeedServer) -> list[str]:
    server.put("/p.xml", generate_feed(3, 4))
    assert main(["feeds", "add", server.url("/p.xml"), "--data-dir", str(tmp / "d")]) == 0
    return ["feeds", "poll", "--data-dir", str(tmp / "d")]


def _backup(tmp: Path, _: FeedServer) -> list[str]:
    assert main(["latest", "--data-dir", str(tmp / "d")]) == 0
    return ["backup", str(tmp / "b"), "--data-dir", str(tmp / "d")]


def _restore(tmp: Path, server: FeedServer) -> list[str]:
    assert main(_backup(tmp, server)) == 0
    return ["restore", str(tmp / "b"), "--data-dir", str(tmp / "other")]


WORK: dict[str, tuple[LongWork, str]] = {
    "import": (_import, "import: "),
    "index rebuild": (_rebuild, "indexing: "),
    "feeds poll": (_poll, "polling: "),
    "backup": (_backup, "backup: "),
    "restore": (_restore, "restore: "),
}


@pytest.mark.parametrize("name", list(WORK))
def test_long_work_shows_progress_in_a_terminal(
    name: str, tmp_path: Path, server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBRIEF_ALLOW_PRIVATE_FEEDS", "1")
    prepare, label = WORK[name]
    argv = prepare(tmp_path, server)
    with terminal_stderr(monkeypatch) as shown:
        code = main(argv)
    assert code == 0
    assert label in shown() and "\r" in shown()  # a bar redrawn in place


@pytest.mark.parametrize("name", list(WORK))
def test_long_work_is_silent_when_piped(
    name: str,
    tmp_path: Path,
    server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("NEWSBRIEF_ALLOW_PRIVATE_FEEDS", "1")
    prepare, _ = WORK[name]
    argv = prepare(tmp_path, server)
    capsys.readouterr()
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    assert out.strip()  # the result line is still printed


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
