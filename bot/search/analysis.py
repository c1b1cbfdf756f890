"""Text analysis shared by indexing, querying and snippets: folding, tokenising, stemming, edits.

`Article.lang` (set by the store with `bot.text.lang.detect_language`) picks the analyzer of an
article: English articles get the English (Porter2) stemmer; Russian ones get the Russian
(Snowball) stemmer chained with the English one, because Russian news quotes Latin names and
words (the Russian stemmer leaves Latin words alone, the English one Cyrillic words). Both drop
English and Russian stop words. A query word is stemmed both ways and looked up in both sets
of fields, so a query need not know its language.
"""

from __future__ import annotations

import tantivy

ENGLISH = "newsbrief_en"
MIXED = "newsbrief_ru"
FOLDED = "newsbrief_fold"
MAX_TOKEN_CHARS = 40


def fold(text: str) -> str:
    """Fold ё to е; case and Latin accents are folded inside the tantivy analyzers."""
    # Two replaces run at C speed; str.translate is several times slower on long text.
    return text.replace("ё", "е").replace("Ё", "Е")


def _stemming(languages: tuple[str, ...]) -> tantivy.TextAnalyzer:
    """Build a ranked-field analyzer: lowercase, accent fold, stop words, the given stemmers."""
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_CHARS))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stopword("english"))
        .filter(tantivy.Filter.stopword("russian"))
    )
    for language in languages:
        builder = builder.filter(tantivy.Filter.stemmer(language))
    return builder.build()


def english_analyzer() -> tantivy.TextAnalyzer:
    """Build the analyzer of English articles (most of them: it skips the Russian stemmer)."""
    return _stemming(("english",))


def mixed_analyzer() -> tantivy.TextAnalyzer:
    """Build the analyzer of Russian articles, which stems Russian and English words alike."""
    return _stemming(("russian", "english"))


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
