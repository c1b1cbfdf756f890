"""The `newsbrief` CLI against real data directories: outputs a script could rely on."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from bot.archive.lock import DataDirLock
from bot.cli.main import main
from tests.test_stories_reader_bot import LAUNCH, RATES


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_latest_json_on_a_new_data_dir_lists_the_seed(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--data-dir", str(data), "latest", "--json")
    assert code == 0
    items = orjson.loads(out)
    assert [i["title"] for i in items] == ["Russia, China Kick Off Joint Military Drills"]
    assert set(items[0]) == {"id", "title", "url", "published", "source", "category", "summary"}
    assert items[0]["published"].startswith("2021-08-10") and 0 < len(items[0]["summary"]) <= 200


def test_import_twice_adds_nothing_the_second_time(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.jsonl.gz"
    src.write_bytes(
        gzip.compress(b"\n".join(orjson.dumps({"title": f"T{i}", "body": "b"}) for i in range(7)))
    )
    assert (
        run(capsys, "--data-dir", str(data), "import", str(src))[1]
        == "added 7, duplicates 0, rejected 0\n"
    )
    assert (
        run(capsys, "--data-dir", str(data), "import", str(src))[1]
        == "added 0, duplicates 7, rejected 0\n"
    )


def test_rejected_records_go_to_stderr_with_file_and_line(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"title": "ok", "body": "fine"}\n{oops\n')
    code, out, err = run(capsys, "--data-dir", str(data), "import", str(src))
    assert code == 1 and out == "added 1, duplicates 0, rejected 1\n"
    assert f"{src}:2: invalid JSON" in err


def test_a_second_writer_gets_one_line_naming_the_pid(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = DataDirLock(data)
    lock.acquire()
    try:
        code, out, err = run(capsys, "--data-dir", str(data), "import", "whatever.jsonl")
        assert code == 1 and out == ""
        assert err.count("\n") == 1 and "pid" in err and "Traceback" not in err
    finally:
        lock.release()


def test_readers_work_while_a_writer_holds_the_lock(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "--data-dir", str(data), "latest")  # seeds the new directory
    lock = DataDirLock(data)
    lock.acquire()
    try:
        code, out, _ = run(capsys, "--data-dir", str(data), "latest", "--json")
        assert code == 0 and len(orjson.loads(out)) == 1
        code, out, _ = run(
            capsys, "--data-dir", str(data), "search", "military", "drills", "--json"
        )
        assert code == 0 and orjson.loads(out)["results"][0]["title"].startswith("Russia, China")
    finally:
        lock.release()


def test_search_json_shape_and_batch_order(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--data-dir", str(data), "search", "china", "drills", "--json")
    answer = orjson.loads(out)
    assert code == 0 and answer["total"] >= 1
    assert set(answer["results"][0]) == {
        "id",
        "title",
        "url",
        "published",
        "source",
        "score",
        "snippet",
    }
    queries = tmp_path / "q.txt"
    queries.write_text("drills\nnothing-like-this-anywhere\nchina\n")
    code, out, _ = run(capsys, "--data-dir", str(data), "search", "--batch", str(queries), "--json")
    lines = [orjson.loads(line) for line in out.splitlines()]
    assert [line["query"] for line in lines] == ["drills", "nothing-like-this-anywhere", "china"]
    assert lines[1]["results"] == [] and lines[0]["results"]


def test_summary_by_id_and_url(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = orjson.loads(run(capsys, "--data-dir", str(data), "latest", "--json")[1])[0]
    code, out, _ = run(
        capsys, "--data-dir", str(data), "summary", article["id"], "--json", "--sentences", "2"
    )
    answer = orjson.loads(out)
    assert code == 0 and answer["id"] == article["id"] and len(answer["sentences"]) == 2
    assert answer["summary"] == "\n".join(answer["sentences"])
    code, out, _ = run(capsys, "--data-dir", str(data), "summary", article["url"] + "#x")
    assert code == 0 and out.startswith(article["title"])
    code, _, err = run(capsys, "--data-dir", str(data), "summary", "no-such-id")
    assert code == 1 and "no article" in err


def test_summarize_batch_stores_nothing(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "b.jsonl"
    batch.write_text(
        '{"id": "a", "article": "One sentence here. Another one there. A third at last."}\n'
        '{"id": "b", "title": "T", "body": "Body text."}\n'
        "not json\n"
    )
    code, out, err = run(
        capsys, "--data-dir", str(data), "summarize", "--batch", str(batch), "--sentences", "2"
    )
    lines = [orjson.loads(line) for line in out.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"] and lines[0]["summary"].count("\n") == 1
    assert code == 1 and f"{batch}:3" in err
    assert not data.exists()


def story_batch(path: Path) -> Path:
    """Write a launch reported in English and Russian, a reprint of it, and a rate rise."""
    lines = []
    reports = [*LAUNCH, RATES, ("Echo", f"{LAUNCH[0][1]} (Echo)", LAUNCH[0][2] + " Via wire.")]
    for n, (source, title, body) in enumerate(reports):
        published = f"2026-05-04T09:{n:02d}:00+00:00"
        lines.append(
            orjson.dumps(
                {"id": f"a{n}", "title": title, "body": body, "published": published}
                | {"source": source}
            )
        )
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.mark.parametrize(("lang", "start"), [("ru", "Компания SpaceX"), ("en", "SpaceX launched")])
def test_stories_batch_summaries_gives_each_story_in_the_readers_language_largest_first(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, start: str
) -> None:
    batch = story_batch(tmp_path / "b.jsonl")
    argv = ["--data-dir", str(data), "stories", "--batch", str(batch), "--summaries"]
    code, out, err = run(capsys, *argv, "--lang", lang)
    assert code == 0 and err == ""
    launch, rates = [orjson.loads(line) for line in out.splitlines()]
    assert set(launch) == {"story", "headline", "summary", "lang", "sources", "reports", "articles"}
    assert launch["lang"] == lang and launch["summary"].startswith(start)
    assert (launch["sources"], launch["reports"]) == (4, 3)  # Echo reprints the first report
    assert launch["articles"] == ["a0", "a1", "a2", "a4"]
    assert rates["articles"] == ["a3"] and rates["lang"] == "en"  # no Russian: English
    assert (launch["headline"] == "SpaceX запустила Starship с космодрома Boca Chica") == (
        lang == "ru"
    )
    assert not data.exists()  # nothing stored


def test_stories_batch_summaries_default_to_english_and_top_lines_count_reports(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = story_batch(tmp_path / "b.jsonl")
    code, out, _ = run(capsys, "stories", "--batch", str(batch), "--summaries")
    assert code == 0 and orjson.loads(out.splitlines()[0])["lang"] == "en"
    code, out, _ = run(capsys, "stories", "--batch", str(batch), "--top", "1")
    [top] = [orjson.loads(line) for line in out.splitlines()]
    assert code == 0 and (top["sources"], top["reports"]) == (4, 3)


def test_stored_stories_are_listed_with_headlines_in_one_language(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = story_batch(tmp_path / "b.jsonl")
    assert run(capsys, "--data-dir", str(data), "import", str(batch))[0] == 0
    code, out, _ = run(capsys, "--data-dir", str(data), "stories", "--top", "1")
    assert code == 0 and out.startswith(f"1. {LAUNCH[0][1]}\n")  # English by default
    code, out, _ = run(capsys, "--data-dir", str(data), "stories", "--top", "1", "--lang", "ru")
    assert code == 0 and out.startswith("1. SpaceX запустила Starship с космодрома Boca Chica\n")


def test_a_batch_query_with_a_filter_not_understood_says_so_in_its_line(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = tmp_path / "q.txt"
    queries.write_text("news\nnews since:garbage\n")
    code, out, err = run(capsys, "--data-dir", str(data), "search", "--batch", str(queries))
    first, second = [orjson.loads(line) for line in out.splitlines()]
    assert code == 0 and err == ""
    assert first["bad_filters"] == [] and second["bad_filters"] == ["since:garbage"]
    assert second["total"] == 0 and second["results"] == []
