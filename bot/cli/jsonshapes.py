"""The JSON shapes the CLI prints: a stable interface, documented in the README."""

from __future__ import annotations

from typing import Any

from bot.models import Article
from bot.search import Hit, SearchResult


def _identity(article: Article) -> dict[str, Any]:
    """Return the fields every JSON shape of an article starts with."""
    return {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "published": article.published.isoformat(),
        "source": article.source,
    }


def article_json(article: Article, summary: str) -> dict[str, Any]:
    """Return `latest --json`'s shape of one article."""
    return {**_identity(article), "category": article.category, "summary": summary}


def hit_json(hit: Hit) -> dict[str, Any]:
    """Return `search --json`'s shape of one result."""
    return {**_identity(hit.article), "score": round(hit.score, 4), "snippet": hit.snippet}


def search_json(result: SearchResult) -> dict[str, Any]:
    """Return `search --json`'s shape of a whole answer."""
    return {
        "query": result.query,
        "total": result.total,
        "relaxed": result.relaxed,
        "did_you_mean": result.did_you_mean,
        "results": [hit_json(h) for h in result.hits],
        # Filters whose value did not parse ("since:garbage"): then nothing was searched.
        "bad_filters": [b.render() for b in result.bad_filters],
    }


def summary_json(article: Article, sentences: list[str]) -> dict[str, Any]:
    """Return `summary --json`'s shape."""
    return {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "sentences": sentences,
        "summary": "\n".join(sentences),
    }
