"""What SearchService needs (a store) and what it answers (results)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.models import Article
from bot.search.query import BadFilter


class Store(Protocol):
    """What the service needs of the article store."""

    def __iter__(self) -> Iterator[Article]: ...
    def __len__(self) -> int: ...
    def get(self, article_id: str) -> Article | None: ...
    def get_many(self, article_ids: Sequence[str]) -> list[Article | None]: ...
    def add_listener(self, fn: Callable[[list[Article]], None]) -> None: ...


@dataclass(frozen=True)
class Hit:
    """One result: the article, its score and an HTML-safe snippet with matches in <b>."""

    article: Article
    score: float
    snippet: str


@dataclass(frozen=True)
class SearchResult:
    """A page of results; relaxed when no article matched every word and any word was enough.

    Nothing is searched when a filter's value does not parse (`bad_filters`), or when every
    word is a stop word or punctuation and nothing else was asked (`only_common_words`).
    """

    hits: list[Hit]
    total: int
    did_you_mean: str | None
    relaxed: bool
    query: str
    bad_filters: tuple[BadFilter, ...] = ()
    only_common_words: bool = False


@dataclass(frozen=True)
class Typo:
    """A query word missing from the index that was matched by its near neighbours."""

    typed: str
    folded: str
    edits: int
    prefix: bool
    freq: int = 0  # articles holding the word as typed (see suggest.KNOWN_WORD_FACTOR)
    stem: str | None = None  # a correction must be another word, not another inflection
