"""Turn an article into weighted story features: stemmed words, CJK bigrams, names and numbers."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any

import Stemmer

from bot.stories.lexicon import NOT_ENTITIES, SNOWBALL_BY_LANG, STOP_WORDS
from bot.text.lang import detect_language as detect_article_language

_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_LETTER = re.compile(r"[^\W\d_]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_ASCII_UPPER = re.compile(r"[A-Z]")

# Wire attributions: "... (AP)", "(Reuters)", "(SPACE.com)" after a title, "AFP - " or
# "LONDON (Reuters) - " before a body. Shared by unrelated articles, they chained them into
# one story on AG News, so they are cut before analysis.
_TITLE_TAG = re.compile(r"\s*\((?:[^()\d]{1,24})\)\s*$")
_BODY_TAG = re.compile(
    r"^\s*(?:[A-Z][\w.&']*(?:[ ,/]+[\w.&']+){0,3})?(?:\s*\([^()]{1,24}\))?\s+-{1,2}\s+"
)

# Feature prefixes keep the three kinds apart in one sparse vector.
ENTITY = "@"
NUMBER = "#"
_STEM_CACHE_LIMIT = 200_000


def detect_language(text: str) -> str | None:
    """Return an ISO 639-1 code for text, or None when it has no letters."""
    sample = text[:400]
    letters = len(_LETTER.findall(sample))
    if not letters:
        return None
    cjk = sum(len(run) for run in _CJK.findall(sample))
    if _KANA.search(sample) and cjk * 3 >= letters:
        return "ja"
    if len(_HANGUL.findall(sample)) * 3 >= letters:
        return "ko"
    if cjk * 3 >= letters:
        return "zh"
    return detect_article_language(sample)  # the store's detector: one answer per article


def strip_attribution(title: str, body: str) -> tuple[str, str]:
    """Return title and body without a trailing wire tag and a leading dateline."""
    return _TITLE_TAG.sub("", title), _BODY_TAG.sub("", body, count=1)


def _mostly_upper(text: str) -> bool:
    """Tell whether text is written in capitals (wire headlines), where case marks no names."""
    sample = text[:300]
    if sample.isascii():  # most text: count with C-speed regexes
        letters, upper = len(_ASCII_LETTER.findall(sample)), len(_ASCII_UPPER.findall(sample))
        return letters >= 8 and upper > 0.7 * letters
    chars = [c for c in sample if c.isalpha() and not _CJK.match(c)]
    return len(chars) >= 8 and sum(c.isupper() for c in chars) > 0.7 * len(chars)


class Analyzer:
    """Extract story features; holds a per-language stemmer and a bounded stem cache."""

    def __init__(self, body_tokens: int = 120) -> None:
        self.body_tokens = body_tokens
        self._stemmers: dict[str, Any] = {}
        self._stems: dict[tuple[str, str], str] = {}

    def language(self, title: str, body: str, lang: str | None) -> str | None:
        """Return the caller's language code if given, else detect it from title and lead."""
        if lang:
            return lang.lower().split("-")[0]
        return detect_language(f"{title}\n{body[:200]}")

    def _stem(self, lang: str | None, word: str) -> str:
        key = (lang or "", word)
        cached = self._stems.get(key)
        if cached is not None:
            return cached
        if lang not in self._stemmers:
            algorithm = SNOWBALL_BY_LANG.get(lang or "")
            # PyStemmer runs the Snowball algorithms in C, as the search and summaries do.
            self._stemmers[lang or ""] = Stemmer.Stemmer(algorithm) if algorithm else None
        stemmer = self._stemmers.get(lang or "")
        stem = str(stemmer.stemWord(word)) if stemmer else word
        if len(self._stems) >= _STEM_CACHE_LIMIT:
            # A long-running service sees an open vocabulary; start over rather than grow forever.
            self._stems.clear()
        self._stems[key] = stem
        return stem

    def terms(self, text: str, lang: str | None, limit: int | None = None) -> Counter[str]:
        """Count the word, CJK-bigram, entity and number features of text."""
        counts: Counter[str] = Counter()
        if limit is not None:
            # Words average well under 16 characters; cutting first spares folding a long body.
            text = text[: limit * 16]
        stop = STOP_WORDS.get(lang or "", frozenset())
        names = not _mostly_upper(text)
        plain = text.isascii()  # most news: no NFKC forms, no CJK to look for
        words = _WORD.findall(text if plain else unicodedata.normalize("NFKC", text))
        stem = self._stem
        for raw in words[:limit] if limit is not None else words:
            if not plain and _CJK.search(raw):
                self._cjk_terms(raw, counts)
                continue
            word = raw.lower() if plain else raw.casefold()
            if word[0].isdigit() and _NUMBER.fullmatch(word):
                if len(word) > 1:
                    counts[NUMBER + word.replace(",", "")] += 1
                continue
            if word in stop or len(word) < 2:
                continue
            if names and raw[0].isupper() and word not in NOT_ENTITIES:
                counts[ENTITY + word] += 1
            counts[stem(lang, word)] += 1
        return counts

    @staticmethod
    def _cjk_terms(token: str, counts: Counter[str]) -> None:
        """Add character bigrams of CJK runs and plain words for the Latin parts of a token."""
        pos = 0
        for run in _CJK.finditer(token):
            rest = token[pos : run.start()].casefold()
            if len(rest) > 1:
                counts[rest] += 1
            chars = run.group()
            if len(chars) == 1:
                counts[chars] += 1
            for i in range(len(chars) - 1):
                counts[chars[i : i + 2]] += 1
            pos = run.end()
        rest = token[pos:].casefold()
        if len(rest) > 1:
            counts[rest] += 1
