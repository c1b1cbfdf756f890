"""The articles table's rows: light entries in memory, full articles on demand, batches in.

Dates travel as integer microseconds since the epoch for the light entries (a million
`datetime` objects would double the load) and as `timestamptz` for full articles.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from psycopg import Connection
from psycopg.rows import TupleRow

from bot.archive.records import to_micros
from bot.models import Article

# pg_advisory_xact_lock's key for article writes ("newsbrief", 3): writers take turns, so
# rows commit in the order of their seq and a reader that saw seq N has seen every seq below.
WRITE_LOCK = 0x6E65_7773_6272_0003
# Light rows give dates as integer microseconds since the epoch (numeric, so exact).
LIGHT_SINCE = (
    "SELECT seq, id, title, (extract(epoch FROM published) * 1000000)::bigint,"
    " (extract(epoch FROM added) * 1000000)::bigint, source, lang"
    " FROM articles WHERE seq > %s ORDER BY seq"
)
FULL_SINCE = (
    "SELECT seq, id, title, body, published, added, url, source, category, guid, lang"
    " FROM articles WHERE seq > %s ORDER BY seq"
)
FULL_BY_IDS = (
    "SELECT id, title, body, published, added, url, source, category, guid, lang"
    " FROM articles WHERE id = ANY(%s)"
)
FULL_BY_URL_KEY = (
    "SELECT id, title, body, published, added, url, source, category, guid, lang"
    " FROM articles WHERE url_key = %s"
)
INSERT = (
    "INSERT INTO articles (id, title, body, url, url_key, guid, content_key, published,"
    " added, source, category, lang)"
    " SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[],"
    " %s::text[], %s::text[], %s::timestamptz[], %s::timestamptz[], %s::text[], %s::text[],"
    " %s::text[])"
    " ON CONFLICT DO NOTHING RETURNING seq, id"
)
Conn = Connection[TupleRow]


@dataclass(slots=True, eq=False)
class PgEntry:
    """One article as held in memory; dates are integer microseconds since the epoch (UTC)."""

    id: str
    title: str
    published: int
    added: int
    source: str | None
    lang: str


def entry_of(row: Sequence[Any]) -> tuple[int, PgEntry]:
    """Return the seq and the entry of a LIGHT_SINCE row."""
    seq, article_id, title, published, added, source, lang = row
    source = sys.intern(source) if source else None  # a few hundred sources, a million rows
    return seq, PgEntry(article_id, title, published, added, source, sys.intern(lang))


def entry_of_article(article: Article) -> PgEntry:
    """Return the in-memory entry of an article."""
    source = sys.intern(article.source) if article.source else None
    published, added = to_micros(article.published), to_micros(article.added)
    return PgEntry(article.id, article.title, published, added, source, sys.intern(article.lang))


def article_of(row: Sequence[Any]) -> Article:
    """Return the Article of a FULL_BY_IDS row."""
    article_id, title, body, published, added, url, source, category, guid, lang = row
    return Article(article_id, title, body, published, added, url, source, category, guid, lang)


def light_since(conn: Conn, seq: int) -> list[tuple[int, PgEntry]]:
    """Return the (seq, entry) of every article after seq, in seq order."""
    rows = conn.execute(LIGHT_SINCE, (seq,))
    return [entry_of(row) for row in rows]


def full_since(conn: Conn, seq: int) -> list[tuple[int, Article]]:
    """Return the (seq, article) of every article after seq, in seq order."""
    rows = conn.execute(FULL_SINCE, (seq,))
    return [(row[0], article_of(row[1:])) for row in rows]


def removals_since(conn: Conn, seq: int) -> tuple[int, list[str]]:
    """Return the last removal seq and the ids removed after seq."""
    rows = conn.execute(
        "SELECT seq, id FROM article_removals WHERE seq > %s ORDER BY seq", (seq,)
    ).fetchall()
    return (rows[-1][0] if rows else seq), [row[1] for row in rows]


def by_url_key(conn: Conn, url_key: str) -> Article | None:
    """Return the article stored under a canonical URL."""
    row = conn.execute(FULL_BY_URL_KEY, (url_key,)).fetchone()
    return article_of(row) if row is not None else None


def stored_ids(conn: Conn) -> set[str]:
    """Return every article id in the table."""
    return {row[0] for row in conn.execute("SELECT id FROM articles")}


def last_removal(conn: Conn) -> int:
    """Return the highest seq of the removals log (0 when empty)."""
    found = conn.execute("SELECT coalesce(max(seq), 0) FROM article_removals").fetchone()
    return int(found[0]) if found else 0


def full_articles(conn: Conn, ids: list[str]) -> dict[str, Article]:
    """Return the stored articles of ids, by id."""
    rows = conn.execute(FULL_BY_IDS, (ids,))
    return {row[0]: article_of(row) for row in rows}


def insert(conn: Conn, rows: list[tuple[Article, str | None, str]]) -> dict[str, int]:
    """Insert (article, url_key, content_key) rows, skipping any a unique key holds; seq by id."""
    columns: list[list[Any]] = [[] for _ in range(12)]
    for article, url_key, content_key in rows:
        values = (
            article.id, article.title, article.body, article.url, url_key, article.guid,
            content_key, article.published, article.added, article.source, article.category,
            article.lang,
        )  # fmt: skip
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    return {article_id: seq for seq, article_id in conn.execute(INSERT, columns)}


def prune_before(conn: Conn, cutoff: Any) -> list[str]:
    """Delete the articles added before cutoff, log their removal; return their ids."""
    rows = conn.execute(
        "WITH gone AS (DELETE FROM articles WHERE added < %s RETURNING id, added)"
        " INSERT INTO article_removals (id) SELECT id FROM gone ORDER BY added RETURNING id",
        (cutoff,),
    )
    removed = [row[0] for row in rows]
    # Other processes read the log within seconds; a week covers any pause but a long stop,
    # and a process that starts loads the table afresh anyway.
    conn.execute("DELETE FROM article_removals WHERE removed_at < now() - interval '7 days'")
    return removed
