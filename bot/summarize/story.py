"""A story's summary: 1–2 sentences from its articles that agree with its headline, no repeats.

A story's articles are ordered by how many content terms their title shares with the
headline, and only those sharing at least two are used after the headline's own article:
when a story drifted (a busy topic that kept one centroid), its summary still speaks of the
event its headline names, not of whatever joined last.
"""

from __future__ import annotations

from bot.models import Article, Story
from bot.summarize.topic import topic_summary
from bot.text.analysis import analyzer

SENTENCES = 2
MAX_ARTICLES = 4  # two sentences rarely need more sources; each costs a ranking
MIN_SHARED = 2
MAX_CHARS = 320


def story_summary(story: Story, sentences: int = SENTENCES) -> str:
    """Return up to `sentences` sentences about the story's event, best article first."""
    picked = topic_summary(agreeing_articles(story), sentences=sentences)
    text = " ".join(s.text for s in picked)
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1].rstrip() + "…"


def agreeing_articles(story: Story, limit: int = MAX_ARTICLES) -> list[Article]:
    """Return the headline's article, then the others whose titles share its terms, best first."""
    # One analysis for every title, the headline's language's: their terms are compared.
    terms = analyzer(story.best.lang).terms
    headline = set(terms(story.headline))
    scored = []
    for article in story.articles:
        if article.id == story.best.id:
            continue
        shared = len(headline & set(terms(article.title)))
        if shared >= MIN_SHARED:
            scored.append((-shared, article.published, article))
    scored.sort(key=lambda t: (t[0], -t[1].timestamp()))
    return [story.best, *(a for _, _, a in scored[: limit - 1])]
