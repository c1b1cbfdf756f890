"""A story's summary: 1–2 sentences in the reader's language that the story's reports agree on.

A story offers more than any one article does: several reports of one event repeat what
happened and differ in the rest. The summary reads the first sentences of the story's articles
in the reader's language (English when it has none in theirs, else the headline's language),
wire datelines cut, and scores each by (`bot.summarize.agreement`):
- lead: its place in its article (news put the event first), the earliest report's lead most;
- confirmed facts: the share of its names and numbers that another report (in any language)
  also gives, so a detail one outlet got wrong or alone does not lead;
then picks the sentence, or the pair, worth most together: their scores plus the story-wide
weight of every distinct word they show within the budget (centrality across articles: words
all the reports use weigh most), so the second sentence is the one that adds most of what the
story says, and a repeat adds nothing. A second sentence is cut to the budget as a lead would
be, but one cut to a stub of a few words is left out.
Articles whose titles share too little with the headline are left out first: when a story
drifted (a busy topic that kept one centroid), its summary still speaks of the headline's event.
The weights were chosen by cross-validation over the MMDS events (`benchmarks/story_summaries.py`);
the words the reports share replaced sentence-to-sentence agreement, which the folds gave no
weight. A sentence opening with a quotation counts half (someone's words, not what happened).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.models import Article, Story
from bot.summarize.agreement import DEFAULT, Candidate, Found, SummaryWeights, candidates
from bot.summarize.article import shorten
from bot.text.analysis import analyzer

MAX_CHARS = 320
FALLBACK_LANG = "en"
MIN_SHARED = 1  # title terms an article shares with the headline to count as the same event
MIN_TAIL = 40  # characters a cut second sentence must keep to be shown at all
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


def compose(found: Found, weights: SummaryWeights, limit: int) -> str:
    """Return the one or two sentences, in reading order, that say the most the story agrees on.

    Each pair (and each sentence alone) is worth its sentences' scores plus the story-wide
    weight of every distinct term it shows, so a second sentence earns its place only by what
    it adds: a repeat adds nothing. The second is cut to the budget when it is too long, as a
    lead would be: a full budget says more than a short sentence that fits.
    """
    ranked = sorted(found.candidates, key=lambda c: c.order)
    best: tuple[float, list[Candidate]] | None = None
    for i, first in enumerate(ranked):
        for second in (None, *ranked[i + 1 :]):
            picked = [first] if second is None else [first, second]
            value = _value(picked, found.weight, weights, limit)
            if value is not None and (best is None or value > best[0]):
                best = (value, picked)
    if best is None:
        return ""
    return shorten(" ".join(c.text for c in _shown(best[1], limit)), limit)


def _value(
    picked: list[Candidate], weight: Mapping[str, float], weights: SummaryWeights, limit: int
) -> float | None:
    """Return what the sentences are worth together in `limit` characters (None: not a pair).

    A first sentence that (nearly) fills the budget alone keeps the second's score though the
    second is not shown: it says as much as two would.
    """
    if len(picked) == 2 and picked[0].repeats(picked[1]):
        return None
    visible = _shown(picked, limit)
    kept = _kept(" ".join(c.text for c in visible), limit)
    terms: frozenset[str] = frozenset()
    for c in visible:
        terms |= c.shown(kept)
        kept -= len(c.text) + 1
    coverage = sum(weight.get(t, 0.0) for t in terms)
    return sum(c.score for c in picked) + weights.coverage * coverage


def _shown(picked: list[Candidate], limit: int) -> list[Candidate]:
    """Return the sentences shown: a second cut to a stub ("The United…") says nothing."""
    room = limit - len(picked[0].text) - 1
    if len(picked) == 2 and room < min(MIN_TAIL, len(picked[1].text)):
        return picked[:1]
    return picked


def _kept(text: str, limit: int) -> int:
    """Return how many characters of text `shorten(text, limit)` keeps, its ellipsis aside."""
    if len(text) <= limit:
        return len(text)
    cut = text[: limit - 1].rfind(" ")
    return cut if cut >= limit // 2 else limit - 1
