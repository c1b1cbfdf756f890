"""Text analysis shared by indexing, querying and snippets: folding, tokenising, stemming, edits.

Each article is analysed in its own language (`Article.lang`, detected by the store with
`bot.text.lang.detect_language`): `bot.text.analysis.LANGUAGES` names the Snowball stemmers of
each language, the same ones the summariser runs through PyStemmer, and every language has its
own pair of stemmed fields in the index. Russian chains the English stemmer after its own,
because Russian news quotes Latin names and words. Languages without a stemmer share unstemmed
fields (`PLAIN`). Every analyzer drops the same stop words (English and Russian, see
`analysis.SEARCH_STOP_LANGUAGES`) so that a query word, whose language is unknown, is one token
in each of them: the planner stems it every way and looks it up in each language's fields.
"""

from __future__ import annotations

from collections.abc import Callable

import tantivy

from bot.text.analysis import LANGUAGES, MAX_TOKEN_CHARS, SEARCH_STOP_LANGUAGES, fold_yo

PLAIN = "xx"  # the analysis group of articles in languages without a stemmer
GROUPS = (*LANGUAGES, PLAIN)
FOLDED = "newsbrief_fold"


def group_of(lang: str) -> str:
    """Return the analysis group of an article language: itself when stemmed, else PLAIN."""
    return lang if lang in LANGUAGES else PLAIN


def tokenizer_name(group: str) -> str:
    """Return the name the analyzer of a group is registered under."""
    return f"newsbrief_{group}"


def stemming_analyzer(group: str) -> tantivy.TextAnalyzer:
    """Build a ranked-field analyzer: lowercase, stop words, the group's stemmers, accent fold."""
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_CHARS))
        .filter(tantivy.Filter.lowercase())
    )
    for stop in SEARCH_STOP_LANGUAGES:
        builder = builder.filter(tantivy.Filter.stopword(stop))
    for algorithm in LANGUAGES.get(group, ()):
        builder = builder.filter(tantivy.Filter.stemmer(algorithm))
    # Folded after stemming, as the summariser does (see bot.text.analysis).
    return builder.filter(tantivy.Filter.ascii_fold()).build()


def folded_analyzer() -> tantivy.TextAnalyzer:
    """Build the analyzer for surface-form fields (prefix and typo matching, source names)."""
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_CHARS))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )
    return builder.build()


MAX_TYPO_CHARS = 20


def allowed_edits(word: str) -> int:
    """Return how many edits a typo of this word may have: 0 below 4 letters, 1 below 8, else 2.

    Only words of letters of one script qualify, up to MAX_TYPO_CHARS: a longer or mixed run is
    not a typo but junk, and its Levenshtein automaton would be costly to build.
    """
    if not 4 <= len(word) <= MAX_TYPO_CHARS or not word.isalpha():
        return 0
    if not word.isascii() and any(ch.isascii() for ch in word):
        return 0
    return 1 if len(word) < 8 else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Return the optimal-string-alignment distance of a and b, capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            best = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, prev2[j - 2] + 1)
            cur[j] = best
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1] if prev[-1] <= limit else limit + 1


def stop_word(text: str, folded: tantivy.TextAnalyzer, stemming: tantivy.TextAnalyzer) -> bool:
    """Return whether text is a stop word: a word the folded analyzer keeps, a stemming one drops."""
    text = fold_yo(text)
    return bool(folded.analyze(text)) and not stemming.analyze(text)


def only_common(
    words: list[str], folded: tantivy.TextAnalyzer, stemming: tantivy.TextAnalyzer
) -> bool:
    """Return whether each word is a stop word or has no letter or digit (so none: `"`, `OR`)."""
    return all(stop_word(w, folded, stemming) or not any(ch.isalnum() for ch in w) for w in words)


def stem_cache(analyzer: tantivy.TextAnalyzer) -> Callable[[str], str]:
    """Return a memoised word -> stem function (for one search)."""
    cache: dict[str, str] = {}

    def stem_of(word: str) -> str:
        if word not in cache:
            stems = analyzer.analyze(word)
            cache[word] = stems[0] if len(stems) == 1 else ""
        return cache[word]

    return stem_of
