"""`newsbrief import` of the files an operator really has: odd dates, damaged archives, BOMs."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from tests.test_cli import run


def jsonl(path: Path, *records: dict[str, object]) -> Path:
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n")
    return path


def test_a_date_no_news_has_is_rejected_and_the_data_dir_stays_usable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "data")
    src = jsonl(
        tmp_path / "dates.jsonl",
        {"title": "Year one", "body": "x", "published": "0001-01-01"},
        {"title": "Far future", "body": "x", "published": "2999-01-01T00:00:00Z"},
        {"title": "Fine", "body": "x", "published": "2021-08-11T10:00:00Z"},
    )
    code, out, err = run(capsys, "--data-dir", data, "import", str(src))
    assert (code, out) == (1, "added 1, duplicates 0, rejected 2\n")
    assert f"{src}:1: date before 1900: 0001-01-01\n" in err and f"{src}:2: " in err
    # Year 1 once made every later command crash while clustering; a year-2999 article
    # headed every list until then.
    code, out, err = run(capsys, "--data-dir", data, "latest", "--json")
    assert code == 0 and err == ""
    assert orjson.loads(out)[0]["title"] == "Fine"


def test_a_feed_item_dated_year_one_counts_as_fetched_now(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "data")
    feed = tmp_path / "placeholder.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
        "<title>Placeholder date</title><description>b</description>"
        "<pubDate>Mon, 01 Jan 0001 00:00:00 GMT</pubDate></item></channel></rss>"
    )
    assert run(capsys, "--data-dir", data, "import", str(feed))[:2] == (
        0,
        "added 1, duplicates 0, rejected 0\n",
    )
    code, out, err = run(capsys, "--data-dir", data, "latest", "--json")
    assert code == 0 and err == ""
    newest = orjson.loads(out)[0]
    assert newest["title"] == "Placeholder date" and not newest["published"].startswith("0001")


def test_a_line_dated_at_the_unix_epoch_is_undated_as_a_polled_feeds_item_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An exporter's "no date" is time 0: kept as 1970, the articles sank below every list
    # and out of every story window, while the same item polled from a feed counts as now.
    data = str(tmp_path / "data")
    src = jsonl(
        tmp_path / "epoch.jsonl",
        {"title": "Zero", "body": "x", "published": "1970-01-01T00:00:00Z"},
        {"title": "Day only", "body": "y", "published": "1970-01-01"},
        {"title": "Zero in New York", "body": "z", "published": "1969-12-31T19:00:00-05:00"},
        {"title": "Fine", "body": "w", "published": "2021-08-11T10:00:00Z"},
    )
    code, out, err = run(capsys, "--data-dir", data, "import", str(src))
    assert (code, out, err) == (
        0,
        "added 4, duplicates 0, rejected 0 (3 dated 1970-01-01, a 'no date': read as undated)\n",
        "",
    )
    code, out, _ = run(capsys, "--data-dir", data, "latest", "--json")
    dates = {a["title"]: a["published"] for a in orjson.loads(out)}
    assert not [t for t, d in dates.items() if d.startswith(("1969", "1970"))], dates
    assert dates["Fine"].startswith("2021-08-11")


@pytest.mark.parametrize("damage", ["truncated", "not gzip"])
def test_a_damaged_gzip_is_one_rejection_and_what_came_before_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    data = str(tmp_path / "data")
    lines = b"\n".join(orjson.dumps({"title": f"T{i}", "body": "b" * 200}) for i in range(400))
    packed = gzip.compress(lines)
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(packed[: len(packed) * 2 // 3] if damage == "truncated" else lines)
    good = jsonl(tmp_path / "good.jsonl", {"title": "After", "body": "the damaged file"})
    code, out, err = run(capsys, "--data-dir", data, "import", str(bad), str(good))
    assert code == 1 and "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith(f"rejected {bad}:") and "gzip" in err
    added = int(out.split()[1].rstrip(","))
    assert (added > 1) == (damage == "truncated") and out.endswith("rejected 1\n")
    titles = [
        a["title"]
        for a in orjson.loads(run(capsys, "--data-dir", data, "latest", "-n", "500", "--json")[1])
    ]
    assert "After" in titles and len(titles) == added + 1  # + the seed article


BOM = b"\xef\xbb\xbf"


def test_a_utf8_file_saved_with_a_bom_reads_like_one_without(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Notepad and PowerShell write UTF-8 with a byte order mark; its first line is as good.
    data = str(tmp_path / "data")
    articles = tmp_path / "bom.jsonl"
    articles.write_bytes(BOM + orjson.dumps({"title": "Oil rises", "body": "Oil rose.\r\n"}))
    assert run(capsys, "--data-dir", data, "import", str(articles)) == (
        0,
        "added 1, duplicates 0, rejected 0\n",
        "",
    )
    queries = tmp_path / "queries.txt"
    queries.write_bytes(BOM + b"oil\r\n")
    code, out, _ = run(capsys, "--data-dir", data, "search", "--batch", str(queries))
    assert code == 0 and orjson.loads(out)["query"] == "oil"
    batch = tmp_path / "summarize.jsonl"
    batch.write_bytes(BOM + orjson.dumps({"id": "a", "article": "One sentence here."}))
    code, out, err = run(capsys, "summarize", "--batch", str(batch))
    assert (code, err) == (0, "") and orjson.loads(out)["id"] == "a"


def test_a_directory_is_named_as_one_not_as_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "data"), "import", str(folder))
    assert (code, out) == (1, "added 0, duplicates 0, rejected 1\n")
    assert err == f"rejected {folder}: a directory; name its files (e.g. {folder}/*.jsonl)\n"


def test_one_id_on_two_different_articles_is_a_rejection_not_a_duplicate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An export whose ids restart per file, or a hand-edited line: the second article was
    # counted among "duplicates" and never stored, as if it were a re-import.
    data = str(tmp_path / "data")
    first = jsonl(tmp_path / "a.jsonl", {"id": "n1", "title": "Rates rise", "body": "Banks."})
    second = jsonl(
        tmp_path / "b.jsonl",
        {"id": "n1", "title": "Rates rise", "body": "Banks."},
        {"id": "n1", "title": "Floods in the north", "body": "Rivers."},
    )
    assert run(capsys, "--data-dir", data, "import", str(first))[0] == 0
    code, out, err = run(capsys, "--data-dir", data, "import", str(second))
    assert (code, out) == (1, "added 0, duplicates 1, rejected 1\n")
    assert err == f"rejected {second}:2: id 'n1' is another article's ('Rates rise')\n"


def test_a_title_or_source_is_one_line_however_the_file_wrapped_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `latest` prints an article as three lines; a newline in a title or source broke every
    # script that reads them, and showed as a ragged list item in Telegram.
    data = str(tmp_path / "data")
    src = jsonl(
        tmp_path / "wrapped.jsonl",
        {
            "title": "Line one\r\nline\ttwo\x07",
            "body": "Para one.\n\nPara two.",
            "source": "So\nurce",
        },
    )
    assert run(capsys, "--data-dir", data, "import", str(src))[0] == 0
    code, out, _ = run(capsys, "--data-dir", data, "latest", "-n", "1", "--json")
    (article,) = orjson.loads(out)
    assert code == 0 and (article["title"], article["source"]) == ("Line one line two", "So urce")
    code, out, _ = run(capsys, "--data-dir", data, "summary", article["id"], "--json")
    assert code == 0 and orjson.loads(out)["sentences"] == ["Para one.", "Para two."]


def test_a_path_that_exists_but_is_no_file_is_not_called_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `newsbrief import /dev/stdin` (a pipe) was "no such file", though it is right there.
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "data"), "import", "/dev/null")
    assert code == 1 and err == "rejected /dev/null: not a regular file\n"


def test_a_gzip_named_in_capitals_is_read_as_gzip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The type was told case-free (.JSONL.GZ is JSON Lines), the compression case-sensitively:
    # every line of a Windows-named archive was "invalid JSON".
    src = tmp_path / "NEWS.JSONL.GZ"
    src.write_bytes(gzip.compress(orjson.dumps({"title": "Upper", "body": "case"}) + b"\n"))
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "data"), "import", str(src))
    assert (code, out, err) == (0, "added 1, duplicates 0, rejected 0\n", "")


def _numbered_feed(path: Path, site: str, title: str) -> Path:
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        f"<link>https://{site}/</link><item><title>{title}</title>"
        f"<description>{title} in full.</description>"
        '<guid isPermaLink="false">1</guid></item></channel></rss>'
    )
    return path


def test_two_saved_feeds_numbering_their_items_alike_are_both_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # d8cc058/94cfeb8 gave a polled feed's plain guid ("1") the feed's address, since the store
    # compares guids across all feeds; an imported feed file kept "1", and another site's
    # item 1 was dropped as a duplicate of it.
    data = str(tmp_path / "data")
    one = _numbered_feed(tmp_path / "one.xml", "one.example", "Harbour reopens after storm")
    two = _numbered_feed(tmp_path / "two.xml", "two.example", "Council approves new budget")
    code, out, _ = run(capsys, "--data-dir", data, "import", str(one), str(two))
    assert (code, out) == (0, "added 2, duplicates 0, rejected 0\n")
    assert run(capsys, "--data-dir", data, "import", str(two))[1] == (
        "added 0, duplicates 1, rejected 0\n"  # a file imported again is still its duplicate
    )


def test_a_feed_items_title_and_its_feeds_name_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # dff89d7 made a JSON line's title and source one line; a feed's were kept as wrapped
    # (a title over two lines in the XML, an untitled item named by its text's paragraphs),
    # and `latest` printed such an article over more than its three lines.
    data = str(tmp_path / "data")
    feed = tmp_path / "wrapped.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>City\n  Desk</title>'
        "<item><title>Harbour reopens\n      after storm</title>"
        "<description>The harbour reopened on Monday.</description></item>"
        "<item><description><![CDATA[<p>Council meets.</p><p>Budget passes at last after a"
        " long night of talks over schools and roads in the city.</p>]]></description></item>"
        "</channel></rss>"
    )
    assert run(capsys, "--data-dir", data, "import", str(feed))[:2] == (
        0,
        "added 2, duplicates 0, rejected 0\n",
    )
    code, out, _ = run(capsys, "--data-dir", data, "latest", "--json")
    found = sorted((a["title"], a["source"]) for a in orjson.loads(out))
    assert code == 0 and found[1] == ("Harbour reopens after storm", "City Desk")
    assert "\n" not in found[0][0] and found[0][0].startswith("Council meets. Budget passes")
