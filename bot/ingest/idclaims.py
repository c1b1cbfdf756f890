"""An id given in an import names one article: a second, different article under it is refused."""

from __future__ import annotations

from collections.abc import Iterable

from bot.archive.protocol import ArticleStoreLike
from bot.models import ArticleDraft
from bot.text.clean import unwrap_inline_tags


class IdClaims:
    """The titles under the ids an import has seen, so a clash is told from a re-import.

    The store counts any draft whose id it holds as a duplicate: right for a file imported
    twice, wrong for an export whose ids restart per file, whose second article was then
    lost under "duplicates". Titles tell them apart without reading a body: the store's
    title for an id it holds (its in-memory entry, on either backend), else the first one
    this import gave it. Those are kept only until a flush stores their articles
    (`settle`), so a million-line import holds one batch of them, not a million.
    """

    def __init__(self, store: ArticleStoreLike) -> None:
        self._store = store
        self._titles: dict[str, str] = {}  # ids the store did not hold when first seen

    def __len__(self) -> int:
        return len(self._titles)

    def conflict(self, draft: ArticleDraft) -> str | None:
        """Return why the draft's id belongs to another article, or None."""
        if not draft.id:
            return None
        title = self._titles.get(draft.id)
        if title is None:
            stored = self._store.get(draft.id)
            if stored is not None:
                title = stored.title
            else:
                title = self._titles[draft.id] = draft.title
        if _same(title) != _same(draft.title):
            return f"id {draft.id!r} is another article's ({title[:60]!r})"
        return None

    def settle(self, stored_ids: Iterable[str]) -> None:
        """Forget the titles of ids a flush stored: the store answers for them now.

        A stored article's title is the first one its id came with (later lines that differ
        were refused here), so the answer does not change. An id whose line was a duplicate
        by URL or content stays: nothing under it was stored.
        """
        for article_id in stored_ids:
            self._titles.pop(article_id, None)


def _same(title: str) -> str:
    # Articles imported before tag unwrapping keep their "<b>...</b>"; a re-import of the same
    # file is still the same article, and so is one whose spacing or case was tidied.
    return " ".join(unwrap_inline_tags(title).casefold().split())
