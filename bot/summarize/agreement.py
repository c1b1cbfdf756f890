"""Score the lead sentences of a story's reports by what the other reports confirm.

Every signal is one a single article cannot give: whether the sentence opens the earliest
report, how many of its names and numbers another report also gives (in any language: names
in Latin script and numbers cross scripts), and the words it shares with all the reports
(centrality across articles: a term's weight grows with how often the reports use it, so the
summary says what the story as a whole is about, not one outlet's aside).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.models import Article
from bot.summarize.sentences import mark_cut, split_sentences
from bot.text.analysis import analyzer, fold
from bot.text.datelines import strip_dateline

LEAD_CHARS = 4000  # the lead sentences sit in the first few paragraphs
FACT_CHARS = 6000  # where a report's names, numbers and words are counted
# A name: a capitalised word (any cased script); a number: digits with inner separators.
_FACT = re.compile(r"\b(?:[^\W\d_a-zа-яё][\w'’-]*\w|\d(?:[\d.,]*\d)?)\b")
_WORD = re.compile(r"\S+")
# Term-set overlap (relative to the smaller sentence) above which two sentences say the same.
DUPLICATE_OVERLAP = 0.6
QUOTED = 0.5  # factor for a sentence that opens with a quotation mark
_QUOTES = ('"', "'", "“", "‘", "«", "„")


@dataclass(frozen=True, slots=True)
class SummaryWeights:
    """How much each signal counts (chosen by cross-validation: `benchmarks/story_summaries`)."""

    lead: float = 1.0
    earliest: float = 0.75
    confirmed: float = 0.25
    coverage: float = 0.2  # per unit of story-wide weight of each distinct term the summary holds
    lead_decay: float = 3.0  # sentences until the position prior falls to 1/e
    lead_sentences: int = 4  # sentences of each report that are candidates


DEFAULT = SummaryWeights()


@dataclass(slots=True)
class Candidate:
    """A lead sentence of one report, its score and its terms."""

    text: str
    order: int  # reading order: the earliest report's first sentence is 0
    article: int
    index: int
    bag: tuple[tuple[int, str], ...]  # each term with the end of its word in text
    terms: frozenset[str]
    confirmed: float = 0.0
    score: float = 0.0

    def repeats(self, other: Candidate) -> bool:
        """Return whether other says what this one says (term-set overlap)."""
        small = min(len(self.terms), len(other.terms))
        return small > 0 and len(self.terms & other.terms) >= DUPLICATE_OVERLAP * small

    def shown(self, chars: int) -> frozenset[str]:
        """Return the terms of the words that lie within its first `chars` characters."""
        if chars >= len(self.text):
            return self.terms
        return frozenset(term for end, term in self.bag if end <= chars)


@dataclass(frozen=True, slots=True)
class Found:
    """A story's scored candidates and the story-wide weight of each of their terms."""

    candidates: list[Candidate]
    weight: Mapping[str, float]


def candidates(
    pool: Sequence[Article], story: Sequence[Article], lang: str, weights: SummaryWeights
) -> Found:
    """Return the pool's lead sentences, each scored; pool earliest first, story all reports."""
    terms = analyzer(lang).terms
    found: list[Candidate] = []
    texts: dict[str, Article] = {}
    for k, article in enumerate(pool):
        body = article.body[:LEAD_CHARS]
        if body in texts:
            continue  # a reprint adds no agreement, only echo
        texts[body] = article
        # The wire dateline ("SINGAPORE:", "WASHINGTON (AP) —") is the same for every story.
        sentences = split_sentences(strip_dateline(body), lang)
        # Text that stops mid-sentence (a feed's cut description, our LEAD_CHARS) reads as
        # cut: otherwise "… could halt, or at least The leadership of …" runs on.
        lead = mark_cut(
            sentences[: weights.lead_sentences], weights.lead_sentences >= len(sentences)
        )
        for i, text in enumerate(lead):
            bag = tuple((w.end(), t) for w in _WORD.finditer(text) for t in terms(w.group()))
            if bag:
                found.append(Candidate(text, k * 1000 + i, k, i, bag, frozenset(t for _, t in bag)))
    support = _fact_support(story)
    stops = analyzer(lang).stop_words
    for c in found:
        facts = _facts(c.text, stops)
        c.confirmed = min(3, sum(1 for f in facts if support[f] > 1)) / 3
    rescore(found, weights)
    return Found(found, _term_weights(texts.values(), lang))


def rescore(found: list[Candidate], weights: SummaryWeights) -> None:
    """Set each candidate's weighted score (every signal lies in [0, 1])."""
    for c in found:
        position = math.exp(-c.index / weights.lead_decay)
        earliest = position if c.article == 0 else 0.0
        c.score = (
            weights.lead * position + weights.earliest * earliest + weights.confirmed * c.confirmed
        )
        if c.text.startswith(_QUOTES):
            # A sentence opening with a quotation is someone's words, not what happened.
            c.score *= QUOTED


def _term_weights(reports: Iterable[Article], lang: str) -> dict[str, float]:
    """Return, per term, log(1 + its count over the reports' titles and first pages)."""
    terms = analyzer(lang).terms
    counts: Counter[str] = Counter()
    for article in reports:
        counts.update(terms(f"{article.title}\n{article.body[:FACT_CHARS]}"))
    return {t: math.log1p(n) for t, n in counts.items()}


def _facts(text: str, stops: frozenset[str]) -> set[str]:
    """Return the names and numbers of a text, folded; capitalised stop words are no names."""
    out = set()
    for match in _FACT.findall(text):
        word = fold(match.lower())
        if word not in stops:
            out.add(word)
    return out


def _fact_support(story: Sequence[Article]) -> Counter[str]:
    """Return, per name or number, how many distinct texts of the story give it."""
    support: Counter[str] = Counter()
    stops = analyzer("").stop_words
    for text in {a.body[:FACT_CHARS]: a for a in story}.values():
        support.update(_facts(f"{text.title}\n{text.body[:FACT_CHARS]}", stops))
    return support
