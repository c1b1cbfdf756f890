"""Topic summaries: the best sentences across several ranked articles, without repeats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.models import Article
from bot.summarize.article import SUMMARY_CHARS, plain_title
from bot.summarize.scoring import rank_sentences
from bot.summarize.sentences import split_sentences
from bot.text.analysis import analyzer

# Articles past this rank add little but cost time; the caller passes them best first.
MAX_ARTICLES = 20
PER_ARTICLE = 3
# Term-set overlap (relative to the smaller sentence) above which two sentences say the same.
DUPLICATE_OVERLAP = 0.6


@dataclass(frozen=True)
class TopicSentence:
    """One sentence of a topic summary and the article it links to."""

    text: str
    article_id: str
    title: str
    url: str | None


def topic_summary(articles: Sequence[Article], sentences: int = 5) -> list[TopicSentence]:
    """Return up to `sentences` sentences over the articles, taken round-robin by rank.

    Each round gives every article (best ranked first) its best sentence that is not a
    near-duplicate of one already picked, so agreeing sources add news, not repeats.
    """
    if sentences <= 0:
        return []
    ranked = list(articles[:MAX_ARTICLES])
    pools = [_candidates(a) for a in ranked]
    cursors = [0] * len(pools)
    picked: list[TopicSentence] = []
    seen: list[frozenset[str]] = []
    for _ in range(PER_ARTICLE):
        for k, article in enumerate(ranked):
            found = _next_fresh(pools[k], cursors[k], seen)
            if found is None:
                cursors[k] = len(pools[k])
                continue
            cursors[k] = found + 1
            text, bag = pools[k][found]
            seen.append(bag)
            picked.append(TopicSentence(text, article.id, plain_title(article.title), article.url))
            if len(picked) >= sentences:
                return picked
    return picked


def _next_fresh(
    pool: list[tuple[str, frozenset[str]]], start: int, seen: list[frozenset[str]]
) -> int | None:
    """Return the index of the pool's first sentence from start that says something new."""
    for i in range(start, len(pool)):
        bag = pool[i][1]
        if bag and not any(_same(bag, other) for other in seen):
            return i
    return None


def _candidates(article: Article) -> list[tuple[str, frozenset[str]]]:
    """Return the article's best sentences, best first, each with its set of terms."""
    body = split_sentences(article.body[:SUMMARY_CHARS], article.lang)
    ranked = rank_sentences(body, plain_title(article.title), PER_ARTICLE, lang=article.lang)
    terms = analyzer(article.lang).terms
    return [(r.text, frozenset(terms(r.text))) for r in ranked]


def _same(a: frozenset[str], b: frozenset[str]) -> bool:
    """Return whether two term sets overlap enough to be the same statement."""
    return len(a & b) >= DUPLICATE_OVERLAP * min(len(a), len(b))
