"""A story's summary: 1–2 sentences in the reader's language that the story's reports agree on.

A story offers more than any one article does: several reports of one event repeat what
happened and differ in the rest. The summary reads the leads of the story's articles in the
reader's language (English when it has none in theirs, else the headline's language) and
scores each lead sentence by (`bot.summarize.agreement`):
- agreement: how closely the other reports say the same (centrality across articles);
- lead: its place in its article (news put the event first), the earliest report's lead most;
- confirmed facts: the share of its names and numbers that another report (in any language)
  also gives, so a detail one outlet got wrong or alone does not lead;
then takes the best sentence and the best one that says something new and fits the budget.
Articles whose titles share too little with the headline are left out first: when a story
drifted (a busy topic that kept one centroid), its summary still speaks of the headline's event.
The weights were chosen by cross-validation over the MMDS events (`benchmarks/story_summaries.py`):
four of five folds gave sentence-to-sentence agreement no weight, the confirmed names and numbers
(which also count reports in other languages) carrying what the reports agree on; a sentence
opening with a quotation counts half (someone's words, not what happened).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.models import Article, Story
from bot.summarize.agreement import DEFAULT, Candidate, SummaryWeights, candidates
from bot.summarize.article import shorten
from bot.text.analysis import analyzer

MAX_CHARS = 320
FALLBACK_LANG = "en"
MIN_SHARED = 1  # title terms an article shares with the headline to count as the same event
MAX_ARTICLES = 12  # of the reader's language; more rarely changes the two sentences chosen


@dataclass(frozen=True, slots=True)
class Summary:
    """A story's summary and the language it is in."""

    text: str
    lang: str


def story_summary(story: Story, lang: str, weights: SummaryWeights = DEFAULT) -> Summary:
    """Return the story's 1–2 sentence summary for a reader of lang."""
    return summarize_story(articles_once(story), lang, story.headline, weights)


def articles_once(story: Story) -> list[Article]:
    """Return the story's articles, the headline's first, each once."""
    return list({a.id: a for a in (story.best, *story.articles)}.values())


def summarize_story(
    articles: Sequence[Article],
    lang: str,
    headline: str = "",
    weights: SummaryWeights = DEFAULT,
    limit: int = MAX_CHARS,
) -> Summary:
    """Return 1–2 sentences about what the articles (one story) report, for a reader of lang.

    `articles` come headline's article first when there is one; `headline` is the story's
    headline in the summary's language if it has one.
    """
    if not articles:
        return Summary("", lang)
    chosen = summary_language(articles, lang)
    pool = agreeing([a for a in articles if a.lang == chosen], headline)
    pool.sort(key=lambda a: (a.published, a.id))  # the earliest report first
    found = candidates(pool[:MAX_ARTICLES], articles, chosen, weights)
    return Summary(compose(found, weights, limit), chosen)


def summary_language(articles: Sequence[Article], lang: str) -> str:
    """Return the language to summarise in: the reader's, else English, else the first article's."""
    langs = {a.lang for a in articles}
    for wanted in (lang, FALLBACK_LANG):
        if wanted in langs:
            return wanted
    return articles[0].lang


def agreeing(articles: list[Article], headline: str) -> list[Article]:
    """Return the articles whose titles share MIN_SHARED terms with the headline (all if none do)."""
    if len(articles) < 2 or not headline:
        return articles
    terms = analyzer(articles[0].lang).terms
    wanted = set(terms(headline))
    kept = [a for a in articles if len(wanted & set(terms(a.title))) >= MIN_SHARED]
    return kept or articles


def compose(found: list[Candidate], weights: SummaryWeights, limit: int) -> str:
    """Return the best sentence and the best that says something new, in reading order.

    The second is cut to the budget when it is too long, as a lead would be: a full budget
    says more than a short sentence that fits.
    """
    if not found:
        return ""
    first = max(found, key=lambda c: (c.score, -c.order))
    picked = [first]
    rest = [c for c in found if c is not first and not first.repeats(c)]
    if len(first.text) + 1 >= limit:
        rest = []
    if rest:
        second = max(
            rest, key=lambda c: (c.score - weights.redundancy * first.overlap(c), -c.order)
        )
        picked.append(second)
    picked.sort(key=lambda c: c.order)
    return shorten(" ".join(c.text for c in picked), limit)
