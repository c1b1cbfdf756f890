"""`import`: seed files, JSON Lines (plain and gzipped) and feeds; bad records are named, good ones kept."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.archive.store import ArticleStore
from bot.ingest.importer import import_paths
from bot.text.clean import unwrap_inline_tags
from tests.conftest import SEED_FILE

FEEDS = Path(__file__).resolve().parent / "fixtures"


def write_jsonl(path: Path, lines: list[object]) -> Path:
    path.write_bytes(
        b"\n".join(x if isinstance(x, bytes) else json.dumps(x).encode() for x in lines) + b"\n"
    )
    return path


def test_seed_file_imports_with_its_fields(store: ArticleStore) -> None:
    report = import_paths(store, [SEED_FILE])
    assert (report.added, report.duplicates, report.rejected) == (1, 0, [])
    article = store.latest(1)[0]
    assert article.title == "Russia, China Kick Off Joint Military Drills"
    assert article.source == "themoscowtimes.com"


def test_bad_jsonl_records_are_reported_by_line_and_the_rest_kept(
    store: ArticleStore, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            {"id": "r1", "title": "Good one", "body": "Text.", "published": "2021-05-01T10:00:00Z"},
            b"{not json",
            ["a", "list"],
            {"title": "", "body": "  "},
            {"title": "Bad date", "body": "x", "published": "yesterday-ish"},
            {"title": 5, "body": "x"},
            {"title": "Good two", "body": "More text.", "url": "https://e.org/2", "source": "E"},
        ],
    )
    report = import_paths(store, [path])
    assert report.added == 2
    reasons = {r.split(": ", 1)[0].rsplit(":", 1)[1]: r.split(": ", 1)[1] for r in report.rejected}
    assert set(reasons) == {"2", "3", "4", "5", "6"}
    assert "invalid JSON" in reasons["2"] and "not a JSON object" in reasons["3"]
    assert "no title and no body" in reasons["4"] and "bad date" in reasons["5"]
    assert "'title' must be a string" in reasons["6"]
    assert store.get("r1") is not None, "a record's own id is kept"


def test_gzipped_jsonl_and_reimport_adds_nothing(store: ArticleStore, tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl.gz"
    records = [{"title": f"T{i}", "body": f"B{i}"} for i in range(30)]
    path.write_bytes(gzip.compress(b"\n".join(orjson.dumps(r) for r in records)))
    first = import_paths(store, [path])
    second = import_paths(store, [path])
    assert (first.added, second.added, second.duplicates) == (30, 0, 30)


def test_feed_files_import_their_items(store: ArticleStore, tmp_path: Path) -> None:
    feed = tmp_path / "f.xml"
    feed.write_text(
        """<?xml version="1.0"?><rss version="2.0"><channel><title>Daily &amp; Co</title>
        <item><title>First &lt;b&gt;story&lt;/b&gt;</title><link>https://d.example/1</link>
        <guid>d-1</guid><description>&lt;p&gt;Hello &amp;amp; welcome&lt;/p&gt;</description>
        <pubDate>Tue, 10 Aug 2021 10:00:00 +0300</pubDate></item>
        <item><title>No link</title><description>Body</description></item>
        </channel></rss>""",
        encoding="utf-8",
    )
    report = import_paths(store, [feed])
    assert report.added == 2 and report.rejected == []
    first = store.find_by_url("https://d.example/1")
    assert first is not None and first.title == "First story" and first.body == "Hello & welcome"
    assert first.source == "Daily & Co" and first.published.hour == 7


def test_unknown_missing_and_broken_files_are_rejected(store: ArticleStore, tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / "page.xml").write_text("<html><body>not a feed</body></html>")
    (tmp_path / "bad.md").write_text("no title here")
    (tmp_path / "latin.txt").write_bytes("# Caf\xe9\n".encode("latin-1"))
    paths = [tmp_path / n for n in ("notes.pdf", "page.xml", "bad.md", "latin.txt", "absent.jsonl")]
    report = import_paths(store, paths)
    assert report.added == 0 and len(report.rejected) == 5
    assert any("unknown file type" in r for r in report.rejected)
    assert any("not an RSS, Atom or JSON feed" in r for r in report.rejected)
    assert any("bad.md:1" in r for r in report.rejected)
    assert any("not UTF-8" in r for r in report.rejected)
    assert any("no such file" in r for r in report.rejected)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.dictionaries(st.sampled_from(["id", "title", "body", "url", "published"]), json_values)
    )
)
def test_any_jsonl_record_is_added_or_rejected_never_crashes(
    store: ArticleStore, tmp_path: Path, records: list[dict[str, object]]
) -> None:
    path = write_jsonl(tmp_path / "h.jsonl", [*records, {"title": "anchor", "body": "ok"}])
    before = len(store)
    report = import_paths(store, [path])
    assert report.added + report.duplicates + len(report.rejected) == len(records) + 1
    assert len(store) == before + report.added


def test_leaked_inline_tags_go_and_tickers_stay(store: ArticleStore, tmp_path: Path) -> None:
    """AG News's "<b>...</b>" is markup in a plain-text title; Reuters' "<TMG>" is a ticker."""
    path = write_jsonl(
        tmp_path / "tags.jsonl",
        [
            {
                "id": "ag",
                "title": "Labour could clinch deal with Sharon 'in <b>...</b>",
                "body": "x",
            },
            {"id": "rt", "title": "MUSICLAND GROUP INC <TMG> 3RD QTR NET", "body": "Shr 28 cts"},
            {"id": "ti", "title": "AT&T <T> and <B>Barnes</B>", "body": "a <i>b</I> <x>c</x>"},
            {"id": "empty", "title": "<b> </b>", "body": "<i></i>"},
        ],
    )
    report = import_paths(store, [path])
    assert report.added == 3
    assert report.rejected == [f"{path}:4: no title and no body"]
    titles = {a.id: (a.title, a.body) for a in store.latest(3)}
    assert titles["ag"] == ("Labour could clinch deal with Sharon 'in ...", "x")
    assert titles["rt"] == ("MUSICLAND GROUP INC <TMG> 3RD QTR NET", "Shr 28 cts")
    assert titles["ti"] == ("AT&T <T> and Barnes", "a b <x>c</x>")


@given(st.text(alphabet="<>/biux ", max_size=60))
def test_unwrapping_only_takes_characters_out(text: str) -> None:
    """Free text keeps its order; without a closing tag nothing changes."""
    unwrapped = unwrap_inline_tags(text)
    rest = iter(text)
    assert all(c in rest for c in unwrapped)  # a subsequence of the input
    if "</" not in text:
        assert unwrapped == text
