"""Turn an article into weighted story features: stems, CJK pairs, name and number keys.

Built on the one text analysis of `bot.text`: its tokens, stop words and Snowball stems, its
dateline cutting, and the language-independent keys of `bot.text.names`, which let reports of
one event in different languages and scripts meet. Chinese words also count in English
through their CC-CEDICT glosses (`bot.text.chinese`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from functools import cache, lru_cache
from itertools import chain
from typing import NamedTuple

from babel import Locale, UnknownLocaleError

from bot.stories.values import StoryItem
from bot.text import chinese
from bot.text.analysis import analyzer, cjk_terms, fold, is_cjk, language_of, words
from bot.text.datelines import strip_dateline, strip_title_credit
from bot.text.lang import detect_language
from bot.text.names import NAME, NUMBER, keys

# Feature prefixes keep the kinds apart in one sparse vector (words have none).
ENTITY = NAME
__all__ = [
    "ENTITY",
    "NUMBER",
    "Analysis",
    "Analyzer",
    "country_terms",
    "length",
    "strip_attribution",
]
_GLOSSED = frozenset({"zh", "ja"})
# Words average well under 16 characters; cutting first spares analysing a long body.
_CHARS_PER_TOKEN = 16
# Distinct words remembered per language (about 15 MB for English): news vocabularies are
# Zipfian, so most tokens of a new article are among them.
WORDS_CACHED = 1 << 16


def length(terms: Collection[str], lang: str | None) -> float:
    """Return how long a text is in words, counted from its features (`terms`).

    A feature is about a word, except in a glossed (CJK) text: n characters make about n
    overlapping pairs for n / 2 words, and their glosses count the same words again in English.
    There the larger of the two counts stands: the glosses, or half the pairs (a text with few
    glosses). Counting every feature made a Chinese lead of 120 words 200-600 long, so its
    threshold in its own language (`EngineSettings.length_ref`) was out of reach.
    """
    if lang not in _GLOSSED:
        return len(terms)
    pairs = sum(map(is_cjk, terms))
    return max(len(terms) - pairs, pairs / 2)


def strip_attribution(title: str, body: str) -> tuple[str, str]:
    """Return title and body without a trailing wire credit and a leading dateline."""
    return strip_title_credit(title), strip_dateline(body, keep_region=True)


class Analysis(NamedTuple):
    """An article's features before weighting: its language and its title's and lead's terms."""

    lang: str | None
    headline: Counter[str]
    body: Counter[str]


class Analyzer:
    """Extract story features of a title or a body's first `body_tokens` words."""

    def __init__(self, body_tokens: int = 120) -> None:
        self.body_tokens = body_tokens

    def analyse(self, item: StoryItem) -> Analysis:
        """Return an item's language and term counts: pure, so any process may compute them."""
        lang = self.language(item.title, item.body, item.lang)
        title, body = strip_attribution(item.title, item.body)
        return Analysis(lang, self.terms(title, lang), self.terms(body, lang, self.body_tokens))

    def language(self, title: str, body: str, lang: str | None) -> str | None:
        """Return the caller's language code if given, else detect it from title and lead."""
        if lang:
            return lang.lower().split("-")[0]
        sample = f"{title}\n{body[:200]}"
        return detect_language(sample) if any(c.isalpha() for c in sample) else None

    def terms(self, text: str, lang: str | None, limit: int | None = None) -> Counter[str]:
        """Count the word, CJK-pair, name and number features of text."""
        if limit is not None:
            text = text[: limit * _CHARS_PER_TOKEN]
        counts: Counter[str] = Counter()
        raw = words(text)
        self._count_words(raw[:limit] if limit is not None else raw, lang, counts)
        counts.update(keys(text, lang, raw))
        if lang in _GLOSSED:
            self._count_words(words(chinese.gloss(text)), "en", counts)
        return counts

    @staticmethod
    def _count_words(raw: list[str], lang: str | None, counts: Counter[str]) -> None:
        """Count the stems of the content words (numbers are counted as keys)."""
        # In the token order: the vector's term order decides ties downstream.
        counts.update(chain.from_iterable(map(word_features(language_of(lang)), raw)))


@cache
def word_features(lang: str) -> Callable[[str], tuple[str, ...]]:
    """Return the (cached) function giving the features one word adds (lang: an analysed one)."""
    analysis = analyzer(lang)
    stop, stem = analysis.stop_words, analysis.stem

    # News repeats its words: a word is looked up once, not lower-cased, stemmed and folded
    # again (a third of an import's story work before).
    @lru_cache(maxsize=WORDS_CACHED)
    def features(word: str) -> tuple[str, ...]:
        low = word.lower()
        if low[0].isdigit() or len(low) < 2:
            return ()
        if low.isascii():  # most words: no folding to do, no CJK to look for
            if low in stop:
                return ()
            stemmed = stem(low)
            return (stemmed if stemmed.isascii() else fold(stemmed),)
        if is_cjk(low):
            return tuple(cjk_terms(low))
        return () if fold(low) in stop else (fold(stem(low)),)

    return features


_PARTS = re.compile(r"\s*[()]\s*|\s+-\s+")
# CLDR (Babel's data) names a country as its government asks, "Türkiye", "Eswatini", "North
# Macedonia"; the English press mostly still writes the old name, which then counted as an
# event's headline word: a new earthquake in Turkey joined the story of arrests over the last
# one's collapsed buildings.
_FORMER: Mapping[str, tuple[str, ...]] = {"en": ("Turkey", "Swaziland", "Macedonia")}


@cache
def country_terms(lang: str | None) -> frozenset[str]:
    """Return the word features of the one-word country and region names of lang (Babel's)."""
    if lang in _GLOSSED:  # a Chinese headline also counts in English, through its glosses
        return _country_terms(lang) | _country_terms("en")
    return _country_terms(lang)


def _country_terms(lang: str | None) -> frozenset[str]:
    try:
        names = Locale.parse(lang).territories.values() if lang else ()
    except (ValueError, UnknownLocaleError):
        return frozenset()  # a language Babel does not know names no country
    features = word_features(language_of(lang))
    # "Myanmar (Burma)", "Congo - Kinshasa", "Виргинские о-ва (США)": each part is a name.
    parts = [p for n in names for p in _PARTS.split(n)]
    parts += _FORMER.get(lang or "", ())
    # "United States" and "South Korea" are left out: "state" and "south" tell other news too.
    return frozenset(chain.from_iterable(features(w[0]) for n in parts if len(w := words(n)) == 1))
