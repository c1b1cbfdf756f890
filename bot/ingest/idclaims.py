"""An id given in an import names one article: a second, different article under it is refused."""

from __future__ import annotations

from bot.archive.protocol import ArticleStoreLike
from bot.models import ArticleDraft
from bot.text.clean import unwrap_inline_tags


class IdClaims:
    """The titles under the ids an import has seen, so a clash is told from a re-import.

    The store counts any draft whose id it holds as a duplicate: right for a file imported
    twice, wrong for an export whose ids restart per file, whose second article was then
    lost under "duplicates". Titles tell them apart without reading a body.
    """

    def __init__(self, store: ArticleStoreLike) -> None:
        self._store = store
        self._titles: dict[str, str] = {}

    def conflict(self, draft: ArticleDraft) -> str | None:
        """Return why the draft's id belongs to another article, or None."""
        if not draft.id:
            return None
        title = self._titles.get(draft.id)
        if title is None:
            stored = self._store.get(draft.id)
            title = stored.title if stored is not None else draft.title
            self._titles[draft.id] = title
        if _same(title) != _same(draft.title):
            return f"id {draft.id!r} is another article's ({title[:60]!r})"
        return None


def _same(title: str) -> str:
    # Articles imported before tag unwrapping keep their "<b>...</b>"; a re-import of the same
    # file is still the same article, and so is one whose spacing or case was tidied.
    return " ".join(unwrap_inline_tags(title).casefold().split())
