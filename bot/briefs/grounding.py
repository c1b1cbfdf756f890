"""Is a generated sentence supported by the articles it cites? Numbers, dates, names, words.

A sentence stands only when
- every number in it is a number of a cited article, or the year it was published in;
- every date ("September 22") is one a cited article names, or one of the week before it was
  published (reports say "on Thursday"; a brief names the day);
- every name (a capitalised word; the first word too unless it is a stop word or an opener such
  as "However", and the sentence is in a cited article's language) is a word of a cited article, compared by transliterated key after stemming, so Путина is supported by Putin and
  Сингапуре by Singapore: a key matches another that shares all but its last KEY_SLACK letters;
- and, when it is in the language of a cited article, at least `min_share` of its content words
  (Snowball stems, stop words left out) are words of the cited articles. Across languages content
  words cannot be compared without a dictionary, so numbers, dates and names carry the check.

`benchmarks/llm_grounding.py` measures it and chooses `min_share`.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.briefs.keys import dates, month_of, name_key, number_keys, numbers
from bot.briefs.model import Brief, fit
from bot.briefs.prompt import parse
from bot.models import Article
from bot.text.analysis import analyzer, fold, tokens
from bot.text.lang import detect_language

MIN_SHARE = 0.3
KEY_SLACK = 2
MIN_STEM = 5
REPORTED_DAYS = 7  # a report names days of the week before it was published
_WORD = re.compile(r"[^\W\d_][\w'’]*")
_POSSESSIVE = re.compile(r"['’]s?$")
# Words that open a sentence and name nothing ("However, ...", "Несмотря на ..."): capitalised
# only by their place, so not checked as names (they still count as content words).
_OPENER_WORDS = """however additionally consequently notably despite amid amidst similarly instead meanwhile
    furthermore moreover overall following although though while since after before during also
    further thus therefore nevertheless nonetheless earlier later today yesterday separately
    subsequently ultimately finally first second third previously currently recently initially
    однако кроме также затем после ранее позже несмотря впрочем тем между помимо поэтому сегодня
    вчера"""
_OPENERS = frozenset(_OPENER_WORDS.split())


@dataclass(frozen=True, slots=True)
class Evidence:
    """What some articles support: numbers, dates, months, name keys, terms per language."""

    numbers: frozenset[str]
    days: frozenset[tuple[int, int]]
    months: frozenset[int]
    names: tuple[str, ...]  # sorted, for prefix look-ups
    terms: dict[str, frozenset[str]]  # language → content terms of its articles


def evidence(articles: Iterable[Article]) -> Evidence:
    """Return the evidence of the articles (titles, bodies and publication dates)."""
    numbers: set[str] = set()
    days: set[tuple[int, int]] = set()
    months: set[int] = set()
    names: set[str] = set()
    terms: dict[str, set[str]] = {}
    for article in articles:
        text = f"{article.title}\n{article.body}"
        named = dates(text)
        numbers |= number_keys(named.rest) | {str(article.published.year)}
        week = [article.published - timedelta(days=d) for d in range(REPORTED_DAYS + 1)]
        days |= named.days | {(d.month, d.day) for d in week}
        months |= named.months | {m for m, _ in named.days} | {d.month for d in week}
        names |= _name_keys(tokens(text), article.lang)
        terms.setdefault(article.lang, set()).update(analyzer(article.lang).terms(text))
    names.discard("")
    return Evidence(
        numbers=frozenset(numbers),
        days=frozenset(days),
        months=frozenset(months),
        names=tuple(sorted(names)),
        terms={lang: frozenset(found) for lang, found in terms.items()},
    )


def _name_keys(words: list[str], lang: str) -> set[str]:
    """Return the keys of words, stemmed and not, and of adjacent pairs (South East, Southeast)."""
    stem = analyzer(lang).stem
    keys = {name_key(w) for w in words} | {name_key(stem(w)) for w in words}
    keys |= {name_key(a + b) for a, b in itertools.pairwise(words)}
    return keys


def unsupported(sentence: str, lang: str, found: Evidence, min_share: float = MIN_SHARE) -> str:
    """Return why the sentence is not supported by the evidence ('' when it is)."""
    named = dates(sentence)
    for readings in numbers(named.rest):
        if not readings & found.numbers:
            return f"number {min(readings, key=len)}"
    if named.days - found.days or named.months - found.months:
        return "date"
    stem = analyzer(lang).stem
    # Across languages a capitalised first word is as often a common noun ("Суд", "Police") as
    # a name, and no article of the sentence's language can tell: only later names are checked.
    for name in names_of(named.rest, first=lang in found.terms):
        if not _known(name_key(stem(name.lower())), found.names):
            return f"name {name}"
    if lang in found.terms:
        share = content_share(sentence, lang, found.terms[lang])
        if share < min_share:
            return f"words {share:.2f}"
    return ""


def content_share(sentence: str, lang: str, known: frozenset[str]) -> float:
    """Return the share of the sentence's content terms that are among known (1.0 if none)."""
    terms = analyzer(lang).terms(sentence)
    if not terms:
        return 1.0
    return sum(term in known for term in terms) / len(terms)


def names_of(sentence: str, first: bool = True) -> list[str]:
    """Return the capitalised words of a sentence (not stop words or months), possessives cut."""
    stop = analyzer("").stop_words
    out = []
    for word in _WORD.findall(sentence)[0 if first else 1 :]:
        word = _POSSESSIVE.sub("", word)
        low = word.lower()
        if len(word) < 2 or not word[0].isupper() or fold(low) in stop or low in _OPENERS:
            continue
        if month_of(word) is None:
            out.append(word)
    return out


def _known(key: str, names: tuple[str, ...]) -> bool:
    """Return whether the key, or a key sharing all but its ending, is among the sorted names."""
    if not key:
        return True
    size = max(MIN_STEM, len(key) - KEY_SLACK)
    if len(key) <= size:
        return _has(names, key)
    prefix = key[:size]
    at = bisect.bisect_left(names, prefix)
    while at < len(names) and names[at].startswith(prefix):
        if abs(len(names[at]) - len(key)) <= KEY_SLACK:
            return True
        at += 1
    return False


def _has(names: tuple[str, ...], key: str) -> bool:
    at = bisect.bisect_left(names, key)
    return at < len(names) and names[at] == key


def ground(answer: str, sources: Sequence[Article], lang: str) -> tuple[Brief | None, list[str]]:
    """Return the brief of the answer's supported sentences (None if none) and why others fell.

    CPU work: the writer runs it on a worker thread.
    """
    sentences = parse(answer, len(sources))
    if sentences is None:
        return None, ["answer rejected: a link, markup, no citation or a citation out of range"]
    kept, dropped = [], []
    for sentence in sentences:
        found = evidence(sources[n - 1] for n in sentence.cites)
        why = unsupported(sentence.text, lang, found)
        if why:
            dropped.append(f"sentence dropped: {why}")
        else:
            kept.append(sentence)
    kept = fit(kept)
    if not kept:
        return None, dropped
    said = detect_language(" ".join(s.text for s in kept))
    if said != lang:
        return None, [*dropped, f"answer rejected: written in {said}, not {lang}"]
    return Brief(tuple(kept), tuple(sources), lang), dropped
