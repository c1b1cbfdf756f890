"""`newsbrief search` and `stories` as an operator types them: what cannot be searched says so."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

import orjson
import pytest

from tests.conftest import REPO
from tests.feedserver import FeedServer
from tests.test_cli import run


def test_a_query_of_only_common_words_is_an_error_not_nothing_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # README: stop words are not searched, and a query of nothing else says so.
    data = str(tmp_path / "data")
    code, out, err = run(capsys, "--data-dir", data, "search", "the", "of", "and ")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "common words" in err
    queries = tmp_path / "q.txt"
    queries.write_text("the of and \nmilitary\n")
    code, out, _ = run(capsys, "--data-dir", data, "search", "--batch", str(queries))
    first, second = (orjson.loads(line) for line in out.splitlines())
    assert code == 0 and first["total"] == 0 and second["total"] == 1


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["search", "--batch", "{batch}", "oil"], "--batch"),
        (["stories", "--summaries"], "--summaries"),
        (["stories", "--batch", "{batch}", "--top", "2", "--summaries"], "--top"),
        (["stories", "--batch", "{batch}", "--since", "7d"], "--since"),
    ],
)
def test_options_that_would_be_ignored_are_a_bad_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], named: str
) -> None:
    # An option silently dropped gives an answer to another question than the one asked.
    batch = tmp_path / "b.jsonl"
    batch.write_text("")
    args = [a.replace("{batch}", str(batch)) for a in argv]
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "data"), *args)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and named in err


def test_summarize_batch_names_a_line_that_is_no_object_in_plain_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "s.jsonl"
    batch.write_text('[1, 2]\n"text"\n{"id": "ok", "article": "Fine here."}\n')
    code, out, err = run(capsys, "summarize", "--batch", str(batch))
    assert code == 1 and [orjson.loads(line)["id"] for line in out.splitlines()] == ["ok"]
    assert err == f"{batch}:1: not a JSON object\n{batch}:2: not a JSON object\n"


@pytest.mark.parametrize("command", ["stories --json", "feeds list --json"])
def test_json_output_has_the_shape_readme_documents(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    monkeypatch.setenv("NEWSBRIEF_FEEDS", "https://example.com/rss")  # registered, not fetched
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(rf"^- `{command}`: an array of `\{{(.*?)\}}`", readme, re.M | re.S)
    assert found is not None, f"README's JSON shapes do not list `{command}`"
    documented = re.findall(r'"(\w+)"', found[1])
    code, out, _ = run(capsys, "--data-dir", str(tmp_path / "data"), *command.split())
    # The seed article's story, as of its day; the configured feed, never fetched here.
    first = orjson.loads(out)[0]
    assert code == 0 and list(first) == documented


@pytest.mark.parametrize("where", ["before", "after"])
def test_an_empty_data_dir_is_a_bad_option_not_the_current_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    # `--data-dir "$DATA"` with DATA unset: Path("") is ".", and the store, index, users and
    # lock were written into whatever directory the script ran in.
    monkeypatch.chdir(tmp_path)
    argv = ["--data-dir", "", "latest"] if where == "before" else ["latest", "--data-dir", ""]
    with pytest.raises(SystemExit) as exit_:
        run(capsys, *argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and "--data-dir" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("every", ["0", "3", "-5", "99999999999"])
def test_a_feed_interval_out_of_range_is_a_bad_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], every: str
) -> None:
    # 0 was taken as "the default, 15"; 99999999999 overflowed the next poll's date after the
    # first fetch was stored: a traceback, and the feed never saved.
    data = str(tmp_path / "data")
    with pytest.raises(SystemExit) as exit_:
        run(capsys, "--data-dir", data, "feeds", "add", "https://example.com/rss", "--every", every)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and "--every" in err


def test_a_search_batch_that_is_not_utf8_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = tmp_path / "latin1.txt"
    queries.write_bytes("militär\n".encode("latin-1"))
    code, out, err = run(
        capsys, "--data-dir", str(tmp_path / "data"), "search", "--batch", str(queries)
    )
    assert (code, out) == (1, "")
    assert err.startswith(f"newsbrief search: {queries}: not UTF-8 text") and err.count("\n") == 1


def test_every_file_of_a_data_dir_is_in_readmes_where_the_data_lives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    tree = readme.split("## Where the data lives", 1)[1].split("```", 2)[1]
    patterns = [line.split()[0] for line in tree.splitlines()[2:] if line.startswith("  ")]
    data = tmp_path / "data"
    assert run(capsys, "--data-dir", str(data), "search", "drills")[0] == 0
    files = [p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_file()]
    unlisted = [
        f
        for f in files
        if not any(fnmatch(f, p) or (p.endswith("/") and f.startswith(p)) for p in patterns)
    ]
    assert unlisted == [], f"README's data tree does not list {unlisted}"


def test_a_reader_that_stops_early_gets_no_error_line(tmp_path: Path) -> None:
    # `newsbrief search oil --json | head -c 100` printed "newsbrief: Broken pipe": the
    # reader closing the pipe is how a pipeline ends, not an error of ours.
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "--data-dir", str(tmp_path / "data"), "latest"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        child.stdout.close()  # before the command has written anything
        err = child.stderr.read()
    assert child.returncode == 141 and err == b""  # 128 + SIGPIPE, as `cat` would end


def test_summary_finds_an_article_by_its_url_in_capitals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Scheme and host are case-free; "HTTPS://WWW..." was looked up as an id.
    url = "HTTPS://WWW.THEMOSCOWTIMES.COM/2021/08/10/russia-china-kick-off-joint-military-drills-a74740"
    code, out, _ = run(capsys, "--data-dir", str(tmp_path / "data"), "summary", url, "--json")
    assert code == 0 and orjson.loads(out)["id"] == "1bd600cf0a7f"


def test_ctrl_c_ends_a_command_with_one_line_not_a_traceback(
    tmp_path: Path, server: FeedServer
) -> None:
    # Ctrl-C during `import` or `feeds add` printed forty lines of traceback.
    env = {**os.environ, "NEWSBRIEF_ALLOW_PRIVATE_FEEDS": "1"}
    argv = ["--data-dir", str(tmp_path / "data"), "feeds", "add", server.url("/never")]
    with subprocess.Popen(
        [sys.executable, "-m", "bot", *argv],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # A shell's background job ignores SIGINT; a terminal's foreground one does not.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    ) as child:
        assert server.wait_for_request("/never")  # the command is at work
        child.send_signal(signal.SIGINT)
        out, err = child.communicate()
    assert child.returncode == 130 and out == b""
    assert err == b"newsbrief: interrupted\n"


def test_summary_finds_an_article_by_its_link_as_people_paste_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The bot's /summary LINK tries the usual spellings (bot/app/article_links.py); the CLI
    # looked up only the exact one, and a link without its scheme was taken for an id.
    path = "www.themoscowtimes.com/2021/08/10/russia-china-kick-off-joint-military-drills-a74740"
    for link in (path, f"http://{path}", f"https://{path}/", f"<https://{path}>"):
        code, out, err = run(
            capsys, "--data-dir", str(tmp_path / "data"), "summary", link, "--json"
        )
        assert (code, err) == (0, "") and orjson.loads(out)["id"] == "1bd600cf0a7f", link
