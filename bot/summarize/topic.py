"""Topic summaries: the best sentences across several ranked articles, without repeats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.models import Article
from bot.summarize.article import _plain
from bot.summarize.scoring import rank_sentences
from bot.summarize.sentences import split_sentences
from bot.summarize.words import terms

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
    """Return up to `sentences` sentences over the articles, taken round-robin by rank."""
    if sentences <= 0:
        return []
    pools = [_candidates(a) for a in articles[:MAX_ARTICLES]]
    picked: list[TopicSentence] = []
    seen: list[frozenset[str]] = []
    for depth in range(PER_ARTICLE):
        for article, pool in zip(articles, pools, strict=False):
            if depth >= len(pool):
                continue
            text, bag = pool[depth]
            if not bag or any(_same(bag, other) for other in seen):
                continue
            seen.append(bag)
            picked.append(TopicSentence(text, article.id, _plain(article.title), article.url))
            if len(picked) >= sentences:
                return picked
    return picked


def _candidates(article: Article) -> list[tuple[str, frozenset[str]]]:
    """Return the article's best sentences, best first, each with its set of terms."""
    body = split_sentences(article.body, article.lang)
    ranked = rank_sentences(body, _plain(article.title), PER_ARTICLE)
    return [(r.text, frozenset(terms(r.text))) for r in ranked]


def _same(a: frozenset[str], b: frozenset[str]) -> bool:
    """Return whether two term sets overlap enough to be the same statement."""
    return len(a & b) >= DUPLICATE_OVERLAP * min(len(a), len(b))
