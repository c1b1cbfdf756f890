"""An import's id claims on both backends: clashes caught across flushes, one batch held."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from bot.archive.protocol import ArticleStoreLike
from bot.archive.store import ArticleStore
from bot.ingest import importer
from bot.ingest.idclaims import IdClaims
from bot.ingest.importer import import_paths
from bot.pg.articles import PgArticleStore
from bot.pg.database import Database
from tests.conftest import FakeClock, draft


@pytest.fixture(params=["tinydb", "postgresql"])
def any_store(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock
) -> Iterator[ArticleStoreLike]:
    store: ArticleStoreLike
    database = None
    if request.param == "tinydb":
        store = ArticleStore(tmp_path, clock=clock)
    else:
        database = Database(request.getfixturevalue("pg_url"), max_size=2)
        database.open()
        store = PgArticleStore(database, clock=clock)
    store.initialize()
    yield store
    store.shutdown()
    if database is not None:
        database.close()


def test_a_clash_is_caught_whichever_batch_its_first_line_was_in(
    any_store: ArticleStoreLike, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)  # every clash below crosses a flush
    lines = [
        {"id": "n1", "title": "Rates rise", "body": "Banks.", "url": "https://e.org/1"},
        {"id": "n2", "title": "Floods", "body": "Rivers.", "url": "https://e.org/2"},
        # a duplicate by URL: nothing is stored under n3, yet n3 means "Floods again" here
        {"id": "n3", "title": "Floods again", "body": "More.", "url": "https://e.org/2"},
        {"id": "n4", "title": "Storms", "body": "Wind.", "url": "https://e.org/4"},
        {"id": "n1", "title": "RATES  rise", "body": "Banks.", "url": "https://e.org/1"},
        {"id": "n1", "title": "Elections", "body": "Votes.", "url": "https://e.org/5"},
        {"id": "n3", "title": "Heat wave", "body": "Sun.", "url": "https://e.org/6"},
    ]
    path = tmp_path / "clash.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    report = import_paths(any_store, [path])
    assert (report.added, report.duplicates) == (3, 2)
    assert report.rejected == [
        f"{path}:6: id 'n1' is another article's ('Rates rise')",
        f"{path}:7: id 'n3' is another article's ('Floods again')",
    ]


def test_the_claims_hold_only_the_ids_no_flush_has_stored(any_store: ArticleStoreLike) -> None:
    # A million-line import kept every id and title it saw (31 MB of dict at 1M, 46 MB while
    # it grew), though the store holds the same titles in memory once a batch is flushed.
    claims = IdClaims(any_store)
    drafts = [draft(1, id="a1"), draft(2, id="a2"), draft(3, id="a3", url=draft(1).url)]
    assert [claims.conflict(d) for d in drafts] == [None, None, None]
    result = any_store.add_many(drafts)
    claims.settle(article.id for article in result.added)
    assert len(claims) == 1  # a3: a duplicate by URL, so nothing answers for it but the claims
    assert claims.conflict(draft(9, id="a1")) == "id 'a1' is another article's ('Story number 1')"
    assert claims.conflict(draft(9, id="a3")) == "id 'a3' is another article's ('Story number 3')"
    assert claims.conflict(draft(1, id="a1")) is None and len(claims) == 1
