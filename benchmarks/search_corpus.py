"""Corpus records as Articles in a dict-backed store, shared by the search benchmarks."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.models import Article
from bot.text.lang import detect_language

# AG News and BBC records carry no date; give them one fixed, plausible date.
UNDATED = datetime(2005, 1, 1, tzinfo=UTC)


class DictStore:
    """The read side of ArticleStore over a dict: what SearchService needs."""

    def __init__(self, articles: list[Article]) -> None:
        """Index the articles by id."""
        self._by_id = {a.id: a for a in articles}
        self.listeners: list[Callable[[list[Article]], None]] = []

    def __iter__(self) -> Iterator[Article]:
        """Yield every article."""
        return iter(self._by_id.values())

    def __len__(self) -> int:
        """Return the number of articles."""
        return len(self._by_id)

    def get(self, article_id: str) -> Article | None:
        """Return the article with this id, if any."""
        return self._by_id.get(article_id)

    def get_many(self, article_ids: Sequence[str]) -> list[Article | None]:
        """Return the articles of ids (None where unknown)."""
        return [self._by_id.get(article_id) for article_id in article_ids]

    def add_listener(self, fn: Callable[[list[Article]], None]) -> None:
        """Remember a listener (nothing is added during a benchmark)."""
        self.listeners.append(fn)


def to_article(rec: dict[str, Any]) -> Article:
    """Convert one corpus record to an Article."""
    published = UNDATED
    if rec.get("published"):
        published = datetime.fromisoformat(rec["published"])
        published = published if published.tzinfo else published.replace(tzinfo=UTC)
    title, body = rec.get("title") or "", rec.get("body") or ""
    return Article(
        id=str(rec["id"]),
        title=title,
        body=body,
        published=published,
        added=published,
        url=rec.get("url"),
        source=rec.get("source"),
        category=rec.get("category"),
        lang=detect_language(title + " " + body),
    )


STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "he",
        "her",
        "his",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "they",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "said",
        "says",
        "say",
        "after",
        "over",
        "into",
        "up",
        "new",
        "us",
    ]
)
CYRILLIC = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
LATIN = "abcdefghijklmnopqrstuvwxyz"


def title_words(title: str) -> list[str]:
    """Return the distinct lowercase alphabetic words (3+ letters, not stop words) of a title."""
    out: list[str] = []
    # Split at every non-letter, as a person reads "ESPN.com" or "Point/Conrail".
    spaced = "".join(ch if ch.isalpha() else " " for ch in title.lower())
    for word in spaced.split():
        if len(word) >= 3 and word not in STOP and word not in out:
            out.append(word)
    return out


def misspell(word: str, rng: random.Random) -> str:
    """Return word with one letter dropped, doubled, swapped with the next, or replaced."""
    alphabet = CYRILLIC if any(ch in CYRILLIC for ch in word) else LATIN
    for _ in range(20):
        i = rng.randrange(len(word))
        kind = rng.choice(("drop", "double", "swap", "replace"))
        if kind == "drop":
            out = word[:i] + word[i + 1 :]
        elif kind == "double":
            out = word[: i + 1] + word[i:]
        elif kind == "swap" and i + 1 < len(word):
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            out = word[:i] + rng.choice(alphabet) + word[i + 1 :]
        if out != word:
            return out
    return word + word[-1]
