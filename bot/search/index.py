"""The tantivy index on disk: schema, version marker, opening, wiping and document building."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import tantivy

from bot.models import Article
from bot.search.analysis import (
    FOLDED,
    GROUPS,
    folded_analyzer,
    group_of,
    stemming_analyzer,
    tokenizer_name,
)
from bot.text.analysis import fold_yo as fold

log = logging.getLogger(__name__)

# Bump when the schema or the analyzers change: an index with another version is rebuilt.
INDEX_VERSION = 3
MARKER = "newsbrief-search.json"

TITLE_RAW, BODY_RAW = "title_raw", "body_raw"
SOURCE, ID, TS = "source", "id", "ts"
LANG, GROUP = "lang", "group"  # the article's language code, and its analysis group


def stemmed_fields(group: str) -> tuple[str, str]:
    """Return the title and body fields of an analysis group ("title_de", "body_de")."""
    return f"title_{group}", f"body_{group}"


def build_schema() -> tantivy.Schema:
    """Return the index schema: stemmed fields per language group for BM25, folded ones (all
    languages) for prefixes and typos, and the language for `lang:` filters."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field(ID, stored=True, tokenizer_name="raw")
    for group in GROUPS:
        for name in stemmed_fields(group):
            sb.add_text_field(name, tokenizer_name=tokenizer_name(group))
    sb.add_text_field(LANG, tokenizer_name="raw")
    sb.add_text_field(GROUP, tokenizer_name="raw")
    # Surface forms need no positions: they serve term, prefix and fuzzy lookups only.
    sb.add_text_field(TITLE_RAW, tokenizer_name=FOLDED, index_option="freq")
    sb.add_text_field(BODY_RAW, tokenizer_name=FOLDED, index_option="freq")
    sb.add_text_field(SOURCE, tokenizer_name=FOLDED)
    sb.add_integer_field(TS, indexed=True, fast=True)
    return sb.build()


def register_analyzers(index: tantivy.Index) -> None:
    """Register the analyzers the schema names; needed on every open."""
    for group in GROUPS:
        index.register_tokenizer(tokenizer_name(group), stemming_analyzer(group))
    index.register_tokenizer(FOLDED, folded_analyzer())


def read_marker(index_dir: Path) -> int | None:
    """Return the version stored in the marker file, or None when missing or unreadable."""
    try:
        data = json.loads((index_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = data.get("version") if isinstance(data, dict) else None
    return version if isinstance(version, int) else None


def write_marker(index_dir: Path) -> None:
    """Write the version marker atomically, after the index it describes is committed."""
    tmp = index_dir / (MARKER + ".tmp")
    tmp.write_text(json.dumps({"version": INDEX_VERSION}), encoding="utf-8")
    tmp.replace(index_dir / MARKER)


def open_existing(index_dir: Path, schema: tantivy.Schema) -> tantivy.Index | None:
    """Open the on-disk index when it is current and readable, else return None."""
    if read_marker(index_dir) != INDEX_VERSION or not (index_dir / "meta.json").exists():
        return None
    try:
        if not tantivy.Index.exists(str(index_dir)):
            return None
        index = tantivy.Index(schema, path=str(index_dir), reuse=True)
        register_analyzers(index)
        index.reload()
        searcher = index.searcher()
        # Touch a stored document so a damaged store file shows up now, not mid-search.
        hits = searcher.search(tantivy.Query.all_query(), 1).hits
        if hits:
            searcher.doc(hits[0][1])
        return index
    except (OSError, ValueError, RuntimeError) as exc:
        log.warning("search index at %s is unreadable (%s); rebuilding", index_dir, exc)
        return None


@contextmanager
def disk_errors(index_dir: Path) -> Iterator[None]:
    """Raise tantivy's failure to write the index (a ValueError: disk full) as one-line OSError."""
    try:
        yield
    except ValueError as exc:
        raise OSError(f"cannot write the search index in {index_dir}: {exc}") from exc


def create_fresh(index_dir: Path | None, schema: tantivy.Schema) -> tantivy.Index:
    """Create an empty index on disk (wiping index files in index_dir) or in memory."""
    if index_dir is None:
        index = tantivy.Index(schema)
    else:
        index_dir.mkdir(parents=True, exist_ok=True)
        for child in index_dir.iterdir():
            # The directory holds only index files; subdirectories are someone else's.
            if child.is_file():
                child.unlink()
        index = tantivy.Index(schema, path=str(index_dir), reuse=False)
    register_analyzers(index)
    return index


def to_document(article: Article) -> tantivy.Document:
    """Turn an article into an index document."""
    title, body = fold(article.title), fold(article.body)
    doc = tantivy.Document()
    doc.add_text(ID, article.id)
    group = group_of(article.lang)
    title_field, body_field = stemmed_fields(group)
    doc.add_text(title_field, title)
    doc.add_text(body_field, body)
    doc.add_text(LANG, article.lang)
    doc.add_text(GROUP, group)
    doc.add_text(TITLE_RAW, title)
    doc.add_text(BODY_RAW, body)
    doc.add_text(SOURCE, fold(article.source or ""))
    doc.add_integer(TS, int(article.published.timestamp()))
    return doc
