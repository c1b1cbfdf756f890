"""Score the lead sentences of a story's reports by what the other reports confirm.

Every signal is one a single article cannot give: how closely other reports say the same
(centrality across articles, TF-IDF cosine to the nearest sentence of each other report),
whether the sentence opens the earliest report, and how many of its names and numbers another
report also gives (in any language: names in Latin script and numbers cross scripts).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.models import Article
from bot.summarize.sentences import split_sentences
from bot.text.analysis import analyzer, fold

LEAD_CHARS = 4000  # the lead sentences sit in the first few paragraphs
FACT_CHARS = 6000  # where a report's names and numbers are looked up
# A name: a capitalised word (any cased script); a number: digits with inner separators.
_FACT = re.compile(r"\b(?:[^\W\d_a-zа-яё][\w'’-]*\w|\d(?:[\d.,]*\d)?)\b")
# Term-set overlap (relative to the smaller sentence) above which two sentences say the same.
DUPLICATE_OVERLAP = 0.6
FULL_SENTENCE = 300  # characters at which a sentence's length signal is full
QUOTED = 0.5  # factor for a sentence that opens with a quotation mark
_QUOTES = ('"', "'", "“", "‘", "«", "„")


@dataclass(frozen=True, slots=True)
class SummaryWeights:
    """How much each signal counts in a lead sentence's score (see `benchmarks/story_summaries`)."""

    agreement: float = 0.0  # chosen 0 by 4 of 5 folds: confirmed facts carry the agreement
    lead: float = 1.0
    earliest: float = 1.0
    confirmed: float = 0.5
    length: float = 0.0  # a sentence that fills the budget says more within it
    lead_decay: float = 2.0  # sentences until the position prior falls to 1/e
    lead_sentences: int = 4  # sentences of each report that are candidates
    redundancy: float = 3.0  # penalty on the second sentence per unit of cosine to the first


DEFAULT = SummaryWeights()
Vector = dict[str, float]


@dataclass(slots=True)
class Candidate:
    """A lead sentence of one report, its score and its terms."""

    text: str
    order: int  # reading order: the earliest report's first sentence is 0
    article: int
    index: int
    terms: frozenset[str]
    vector: Vector = field(default_factory=dict)
    agreement: float = 0.0
    confirmed: float = 0.0
    score: float = 0.0

    def overlap(self, other: Candidate) -> float:
        """Return the cosine of the two sentences' TF-IDF vectors."""
        return _cosine(self.vector, other.vector)

    def repeats(self, other: Candidate) -> bool:
        """Return whether other says what this one says (term-set overlap)."""
        small = min(len(self.terms), len(other.terms))
        return small > 0 and len(self.terms & other.terms) >= DUPLICATE_OVERLAP * small


def candidates(
    pool: Sequence[Article], story: Sequence[Article], lang: str, weights: SummaryWeights
) -> list[Candidate]:
    """Return the pool's lead sentences, each scored; pool earliest first, story all reports."""
    terms = analyzer(lang).terms
    found: list[Candidate] = []
    seen_bodies: set[str] = set()
    for k, article in enumerate(pool):
        body = article.body[:LEAD_CHARS]
        if body in seen_bodies:
            continue  # a reprint adds no agreement, only echo
        seen_bodies.add(body)
        for i, text in enumerate(split_sentences(body, lang)[: weights.lead_sentences]):
            bag = terms(text)
            if bag:
                found.append(Candidate(text, k * 1000 + i, k, i, frozenset(bag)))
    _vectorise(found)
    support = _fact_support(story)
    stops = analyzer(lang).stop_words
    for c in found:
        c.agreement = _agreement(c, found)
        facts = _facts(c.text, stops)
        c.confirmed = min(3, sum(1 for f in facts if support[f] > 1)) / 3
    rescore(found, weights)
    return found


def rescore(found: list[Candidate], weights: SummaryWeights) -> None:
    """Set each candidate's weighted score (every signal lies in [0, 1])."""
    for c in found:
        position = math.exp(-c.index / weights.lead_decay)
        earliest = position if c.article == 0 else 0.0
        c.score = (
            weights.agreement * c.agreement
            + weights.lead * position
            + weights.earliest * earliest
            + weights.confirmed * c.confirmed
            + weights.length * min(1.0, len(c.text) / FULL_SENTENCE)
        )
        if c.text.startswith(_QUOTES):
            # A sentence opening with a quotation is someone's words, not what happened.
            c.score *= QUOTED


def _agreement(c: Candidate, found: list[Candidate]) -> float:
    """Return the mean, over the other reports, of the best cosine to one of their sentences."""
    best: dict[int, float] = {}
    for other in found:
        if other.article != c.article:
            best[other.article] = max(best.get(other.article, 0.0), c.overlap(other))
    return sum(best.values()) / len(best) if best else 0.0


def _vectorise(found: list[Candidate]) -> None:
    """Give each candidate a unit TF-IDF vector, idf over all the candidates."""
    df: Counter[str] = Counter()
    for c in found:
        df.update(c.terms)
    n = len(found)
    for c in found:
        vec = {t: math.log(1.0 + n / df[t]) for t in c.terms}
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        c.vector = {t: w / norm for t, w in vec.items()}


def _cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


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
