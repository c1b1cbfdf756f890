"""The CLI's commands: each parses nothing, calls the services, prints, and returns an exit code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import orjson

from bot.app.article_links import as_link, find_by_link
from bot.cli.jsonshapes import article_json, search_json, summary_json
from bot.cli.progress import bar
from bot.ingest.importer import BOM, import_paths
from bot.models import Article
from bot.services import Services
from bot.summarize import one_line, summarize

MAX_QUERY = 256


def _dump(obj: Any, out: TextIO) -> None:
    out.write(orjson.dumps(obj).decode() + "\n")


def cmd_import(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    """Import files; print the counts and every rejected record; exit 1 when any was rejected."""
    paths = [Path(p) for p in args.paths]
    with bar("import", unit=" articles") as shown:
        report = import_paths(services.store, paths, progress=shown.update)
    for reason in report.rejected:
        print(f"rejected {reason}", file=sys.stderr)
    out.write(report.summary() + "\n")
    return 1 if report.rejected else 0  # like cp: the rest is imported, the exit code tells


def cmd_latest(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    """Print the newest articles."""
    articles = services.store.latest(args.n)
    if args.json:
        _dump([article_json(a, one_line(a.body, a.title, lang=a.lang)) for a in articles], out)
        return 0
    for number, article in enumerate(articles, start=1):
        out.write(f"{number}. {article.title}\n   {_byline(article)}\n")
        out.write(f"   {one_line(article.body, article.title, lang=article.lang)}\n")
    if not articles:
        out.write("No articles yet: `newsbrief import FILE...` adds some.\n")
    return 0


def _byline(article: Article) -> str:
    parts = [article.source or "unknown source", f"{article.published:%Y-%m-%d}", article.id]
    if article.url:
        parts.append(article.url)
    return " · ".join(parts)


def _queries(args: argparse.Namespace) -> Iterator[str]:
    if args.batch:
        with open(args.batch, encoding="utf-8-sig") as fh:  # -sig: a leading BOM is no query
            yield from (line.rstrip("\n") for line in fh)
    else:
        yield " ".join(args.query)


def cmd_search(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    """Search; with --batch, one JSON line out per query line in, in order."""
    try:
        return _search(services, args, out)
    except UnicodeDecodeError as exc:
        # The lines before it are answered; the file is named, which the decoder does not do.
        print(
            f"newsbrief search: {args.batch}: not UTF-8 text ({exc.reason})",
            file=sys.stderr,
        )
        return 1


def _search(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    if not args.batch and not " ".join(args.query).strip():
        print("newsbrief search: give some words to look for", file=sys.stderr)
        return 2
    for query in _queries(args):
        result = services.search.search(query[:MAX_QUERY], limit=args.limit, sort=args.sort)
        if result.bad_filters and not args.batch:
            # A query line of a batch answers in its own JSON line; a single query is an error.
            bad = ", ".join(b.render() for b in result.bad_filters)
            print(
                f"newsbrief search: not understood: {bad} (see README, the query language)",
                file=sys.stderr,
            )
            return 2
        if result.only_common_words and not args.batch:
            print(
                "newsbrief search: only common words (like “the”, “of”) and punctuation, "
                "which every article has; add a word that names the topic",
                file=sys.stderr,
            )
            return 2
        if args.json or args.batch:
            _dump(search_json(result), out)
            continue
        if result.relaxed:
            out.write("No article has all the words; these have some of them.\n")
        if result.did_you_mean:
            out.write(f"Did you mean: {result.did_you_mean}\n")
        if not result.hits:
            out.write("Nothing found.\n")
        for number, hit in enumerate(result.hits, start=1):
            out.write(f"{number}. {hit.article.title}\n   {_byline(hit.article)}\n")
    return 0


def find_article(services: Services, ref: str) -> Article | None:
    """Return the article an id or URL names (a URL in any spelling `/summary LINK` takes)."""
    ref = ref.strip()
    if ref.lower().startswith(("http://", "https://")):  # HTTPS:// is a URL too
        return find_by_link(services.store, ref)
    # An id first, as the bot reads it: an imported one may hold "a.b/c".
    found = services.store.get(ref)
    link = as_link(ref) if found is None else None
    return find_by_link(services.store, link) if link is not None else found


def cmd_summary(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    """Summarise one stored article."""
    article = find_article(services, args.ref)
    if article is None:
        print(f"newsbrief summary: no article with id or URL {args.ref!r}", file=sys.stderr)
        return 1
    sentences = summarize(article.body, article.title, sentences=args.sentences, lang=article.lang)
    if args.json:
        _dump(summary_json(article, sentences), out)
    else:
        out.write(f"{article.title}\n{_byline(article)}\n\n" + "\n".join(sentences) + "\n")
    return 0


def cmd_summarize(args: argparse.Namespace, out: TextIO) -> int:
    """Summarise a JSON Lines batch without storing anything."""
    failures = 0
    with open(args.batch, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line.removeprefix(BOM) if number == 1 else line)
                if not isinstance(obj, dict):
                    raise TypeError("not a JSON object")
                text = obj.get("article") or obj.get("body") or ""
                title = obj.get("title") or ""
                if not isinstance(text, str) or not isinstance(title, str):
                    raise TypeError("article/body and title must be strings")
            except (orjson.JSONDecodeError, TypeError) as exc:
                print(f"{args.batch}:{number}: {exc}", file=sys.stderr)
                failures += 1
                continue
            sentences = summarize(text, title, sentences=args.sentences)
            _dump({"id": obj.get("id"), "summary": "\n".join(sentences)}, out)
    return 1 if failures else 0
