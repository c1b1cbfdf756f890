"""The command line as people type it: options anywhere, progress in a terminal only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from bot.cli.main import main
from tests.clikit import articles_file, run, terminal_stderr
from tests.feedserver import FeedServer, generate_feed

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
