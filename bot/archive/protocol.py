"""The article store's seam: what services call, whichever backend holds the articles.

`bot.archive.store.ArticleStore` (segment files, the embedded default) and
`bot.pg.articles.PgArticleStore` (PostgreSQL, NEWSBRIEF_DATABASE_URL) both satisfy
`ArticleStoreLike`; `tests/test_contract_store.py` runs one suite over both. The threading
contract is the embedded store's: one writer at a time (add_many, add, prune, catch_up),
readers on any thread, listeners on the writer's thread after a batch is visible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.archive.entries import AddResult
from bot.models import Article, ArticleDraft, ProgressFactory

ArticleListener = Callable[[list[Article]], None]
RemovalListener = Callable[[list[str]], None]


class ArticleStoreLike(Protocol):
    """Articles deduplicated, kept for retention_days after arrival, listed and found."""

    readonly: bool
    retention_days: int

    def initialize(self, progress: ProgressFactory | None = None) -> None: ...
    def shutdown(self) -> None: ...
    def add_listener(self, listener: ArticleListener) -> None: ...
    def add_removal_listener(self, listener: RemovalListener) -> None: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Article]: ...
    def get(self, article_id: str) -> Article | None: ...
    def get_many(self, article_ids: Sequence[str]) -> list[Article | None]:
        """Return the full articles of ids (None where not stored), read in one go."""
        ...

    def shared_ids(self, article_ids: Iterable[str]) -> list[str | None]: ...
    def light(
        self, ids: Iterable[str], one: str, two: str, *more: str
    ) -> list[tuple[Any, ...]]: ...
    def find_by_url(self, url: str) -> Article | None: ...
    def latest(self, limit: int, offset: int = 0) -> list[Article]: ...
    def added_since(self, since: datetime) -> list[Article]: ...
    def add_many(self, drafts: Iterable[ArticleDraft]) -> AddResult: ...
    def add(self, draft: ArticleDraft) -> Article | None: ...
    def prune(self) -> int: ...
    def catch_up(self) -> int:
        """Take in what other processes wrote (added, pruned); return how many changes.

        A store alone on its storage (the embedded one: the data-dir lock) finds nothing.
        """
        return 0
