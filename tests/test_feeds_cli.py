"""`newsbrief feeds ...` through run_feeds_command, as a person at a terminal sees it."""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from bot.archive.store import ArticleStore
from bot.archive.usertables import EmbeddedUserTables
from bot.cli.feeds import add_feeds_parser, run_feeds_command
from bot.feeds import FeedService, FetchSettings
from bot.feeds.opml import parse_opml
from tests.conftest import FakeClock
from tests.feeddocs import generate_feed
from tests.feedserver import FeedServer


@dataclass
class FakeServices:
    feeds: FeedService
    writable: bool = True


@pytest.fixture
def services(store: ArticleStore, tmp_path: Path, clock: FakeClock) -> Iterator[FakeServices]:
    users = EmbeddedUserTables(tmp_path)
    users.initialize()
    feeds = FeedService(
        store, users, allow_private=True, clock=clock, fetch_settings=FetchSettings(timeout=1)
    )
    yield FakeServices(feeds)
    users.shutdown()


def run(services: FakeServices, *argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="newsbrief")
    add_feeds_parser(parser.add_subparsers(dest="command"))
    out = io.StringIO()
    code = run_feeds_command(services, parser.parse_args(["feeds", *argv]), out)  # type: ignore[arg-type]
    return code, out.getvalue()


def test_add_then_poll_twice_adds_nothing_the_second_time(
    services: FakeServices, server: FeedServer, store: ArticleStore
) -> None:
    server.put("/news.xml", generate_feed(1, 3))
    code, text = run(services, "add", server.url("/news.xml"))
    assert code == 0
    assert text.startswith("added ") and "Generated feed 1 — 3 items, 3 new articles" in text
    server.put("/news.xml", generate_feed(1, 3, version=1))
    code, text = run(services, "poll")
    assert code == 0
    assert "Generated feed 1: 1 new, 2 already known" in text
    assert "  + Feed 1 story 3: news" in text
    assert text.rstrip().endswith("1 new articles from 1 feeds (0 not modified, 0 with errors)")
    code, text = run(services, "poll")
    assert "not modified (304)" in text
    assert text.rstrip().endswith("0 new articles from 1 feeds (1 not modified, 0 with errors)")
    assert len(store) == 4


def test_add_failure_is_one_line_on_stderr(
    services: FakeServices, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = run(services, "add", server.url("/html"))
    assert (code, text) == (1, "")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not an RSS, Atom or JSON feed" in err


def test_list_text_and_json(services: FakeServices, server: FeedServer) -> None:
    assert run(services, "list") == (0, "No feeds yet: `newsbrief feeds add URL` adds one.\n")
    run(services, "add", server.url("/gen/4.xml?items=2"), "--every", "20")
    code, text = run(services, "list")
    assert code == 0 and "Generated feed 4  [active, every 20 min]" in text
    assert "last fetch 2026-03-01 12:00 UTC: 2 new of 2 items" in text
    assert "next poll 2026-03-01 12:20 UTC" in text
    [entry] = orjson.loads(run(services, "list", "--json")[1])
    assert entry["title"] == "Generated feed 4" and entry["items"] == 2
    assert entry["last_error"] is None and entry["next_poll"] == "2026-03-01T12:20:00+00:00"


def test_remove_by_url_and_unknown(
    services: FakeServices, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.url("/gen/5.xml?items=1")
    run(services, "add", url)
    code, text = run(services, "remove", url)
    assert code == 0 and "removed" in text and "articles stay" in text
    assert run(services, "remove", url)[0] == 1
    assert "no feed" in capsys.readouterr().err


def test_import_and_export_opml(services: FakeServices, server: FeedServer, tmp_path: Path) -> None:
    opml = tmp_path / "subs.opml"
    outlines = "".join(
        f'<outline type="rss" text="f{n}" xmlUrl="{server.url(p)}"/>'
        for n, p in enumerate(["/gen/6.xml?items=1", "/gen/7.xml?items=1", "/html"])
    )
    opml.write_text(f'<opml version="2.0"><body>{outlines}</body></opml>')
    code, text = run(services, "import", str(opml))
    # README: exit 1 when some records were rejected, the rest added (like `import`).
    assert code == 1
    assert (
        text.count("added ") == 2 and "skipped " in text and "not an RSS, Atom or JSON feed" in text
    )
    # A second run finds them all there: duplicates, not failures; the page is still no feed.
    code, text = run(services, "import", str(opml))
    assert code == 1 and text.count("already added") == 2
    opml.write_text(f'<opml version="2.0"><body>{outlines.rsplit("<outline", 1)[0]}</body></opml>')
    assert run(services, "import", str(opml))[0] == 0
    code, exported = run(services, "export")
    assert code == 0
    # Feeds are fetched in parallel and listed in the order their first fetch finished.
    assert sorted(f.title for f in parse_opml(exported.encode())) == [
        "Generated feed 6",
        "Generated feed 7",
    ]


def test_bad_opml_file_exits_2(
    services: FakeServices, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_bytes(b"<html/>")
    assert run(services, "import", str(bad))[0] == 2
    assert run(services, "import", str(tmp_path / "missing.opml"))[0] == 2
    assert "not an OPML document" in capsys.readouterr().err


def test_write_actions_need_the_writer(
    services: FakeServices, capsys: pytest.CaptureFixture[str]
) -> None:
    services.writable = False
    assert run(services, "poll")[0] == 1
    assert "another newsbrief process" in capsys.readouterr().err
    assert run(services, "list")[0] == 0


def test_opml_naming_one_feed_twice_adds_it_once_with_its_articles(
    services: FakeServices, server: FeedServer, tmp_path: Path
) -> None:
    # The same feed under two spellings: added in parallel, both passed "already added?",
    # both said "added", and the second fetch's record (0 new articles) replaced the first.
    server.put("/news.xml", generate_feed(1, 3))
    opml = tmp_path / "twice.opml"
    outlines = "".join(
        f'<outline type="rss" text="f" xmlUrl="{server.url(p)}"/>'
        for p in ("/news.xml", "/news.xml#latest", "/news.xml?utm_source=x")
    )
    opml.write_text(f'<opml version="2.0"><body>{outlines}</body></opml>')
    code, text = run(services, "import", str(opml))
    assert code == 0 and text.count("added ") == 1
    assert text.endswith("1 feeds in the OPML file\n")
    (status,) = services.feeds.list_feeds()
    assert (status.url, status.articles) == (server.url("/news.xml"), 3)


def test_poll_exits_1_when_a_feed_failed(services: FakeServices, server: FeedServer) -> None:
    # README: exit 1 when the work failed; `feeds poll || alert` stayed quiet when every feed
    # failed. The lines still say which feed and why.
    server.put("/up.xml", generate_feed(1, 2))
    server.put("/gone.xml", generate_feed(2, 2))
    assert run(services, "add", server.url("/up.xml"))[0] == 0
    assert run(services, "add", server.url("/gone.xml"))[0] == 0
    assert run(services, "poll")[0] == 0
    with server.lock:
        del server.documents["/gone.xml"]
    code, text = run(services, "poll")
    assert code == 1 and "error: HTTP 404" in text and text.rstrip().endswith("1 with errors)")
