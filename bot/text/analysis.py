"""Words of a text per language: tokens, folding, stop words and Snowball stems.

The one place that says how a language is analysed, for search, stories and summaries. The
search index builds its tantivy analyzers from `LANGUAGES` and `SEARCH_STOP_LANGUAGES`
(tantivy's stemmer filter runs the same Snowball algorithms as PyStemmer here), the summariser
calls `terms()`, and the story engine builds its features from `words()`, `analyzer()` and
`cjk_bigrams()`; a test checks that the index and the summariser stem the same words the same
way for every language.

Order, as in the index: split into runs of letters and digits (ё read as е), lower-case, stem,
then fold Latin accents (Lucene's ASCII folding: "café" is "cafe"). Stemming first lets the
Snowball algorithms see the accents they are written for (Portuguese "eleições" and "eleição"
are both "eleica" only when stemmed before folding). Russian articles run the English stemmer
after the Russian one, because Russian news quotes Latin names and words (each stemmer leaves
the other's script alone). A language without a Snowball stemmer is still tokenised and folded.
Han and kana runs have no spaces between words: they are cut into overlapping character pairs.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import suppress
from functools import cache, lru_cache
from itertools import chain

import Stemmer
import tantivy
from stop_words import StopWordError, get_stop_words

# The one Snowball table: article language (ISO 639-1, as the language detector names it) ->
# the algorithms to run, in order. Malay and Indonesian share their affixes and most words.
STEMMERS: dict[str, tuple[str, ...]] = {
    "ar": ("arabic",),
    "ca": ("catalan",),
    "da": ("danish",),
    "de": ("german",),
    "el": ("greek",),
    "en": ("english",),
    "es": ("spanish",),
    "fi": ("finnish",),
    "fr": ("french",),
    "hu": ("hungarian",),
    "id": ("indonesian",),
    "it": ("italian",),
    "ms": ("indonesian",),
    "nl": ("dutch",),
    "no": ("norwegian",),
    "pt": ("portuguese",),
    "ro": ("romanian",),
    "ru": ("russian", "english"),
    "sv": ("swedish",),
    "ta": ("tamil",),
    "tr": ("turkish",),
}
# The algorithms tantivy's stemmer filter has (rust-stemmers): the search index stems only the
# languages whose algorithms are all among them and keeps the others unstemmed.
_TANTIVY_ALGORITHMS = frozenset(
    [
        "arabic",
        "danish",
        "dutch",
        "english",
        "finnish",
        "french",
        "german",
        "greek",
        "hungarian",
        "italian",
        "norwegian",
        "portuguese",
        "romanian",
        "russian",
        "spanish",
        "swedish",
        "tamil",
        "turkish",
    ]
)
LANGUAGES: dict[str, tuple[str, ...]] = {
    lang: algorithms
    for lang, algorithms in STEMMERS.items()
    if _TANTIVY_ALGORITHMS.issuperset(algorithms)
}
# The search drops only these languages' stop words (tantivy's short Snowball lists), in every
# language: a query's language is unknown, so a query word must be a stop word in all analyzers
# or in none. The `stop-words` package's English list (1,333 words, with "world", "home", "uk"
# and "million") is right for weighing an article's words but would empty many queries.
SEARCH_STOP_LANGUAGES = ("english", "russian")
# News reporting words the `stop-words` lists lack: they carry no content whatever the story.
REPORTING_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("told", "reported", "reportedly"),
    "ru": ("заявил", "заявила", "заявили", "сообщил", "сообщила", "сообщили", "отметил"),
}
# Every language's analysis also drops English and Russian function words: Russian news quotes
# English, and both are the languages most of our readers get.
_ALWAYS_STOP = ("en", "ru")
_PACKAGE_CODES = {"no": "nb"}  # the `stop-words` package names Norwegian Bokmål
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(f"{_CJK.pattern}+")
MAX_TOKEN_CHARS = 40
TERM_CACHE = 32_768  # words per language (~8 MB): the common words of news hit


def _marks() -> str:
    """Return the combining marks tantivy counts as letters (vowel signs, not accents or viramas).

    Python's `\\w` leaves out all marks, Rust's `is_alphanumeric` keeps the Unicode
    Other_Alphabetic ones: mostly spacing and non-reordering signs of Indic and other scripts.
    """
    chars = (chr(c) for c in range(0x300, 0x3000))
    return "".join(
        c
        for c in chars
        if unicodedata.category(c) in {"Mn", "Mc"} and unicodedata.combining(c) == 0
    )


# Letters, digits and those marks: one character class (the underscore, a \w character, is
# turned into a space first), a third faster than an alternation per character.
_TOKEN = re.compile(f"[\\w{re.escape(_marks())}]+")


def language_of(code: str | None) -> str:
    """Return the analysed language of an article language code ("pt-BR" is "pt"), or ''."""
    base = (code or "").lower().split("-")[0]
    return base if base in STEMMERS else ""


def fold_yo(text: str) -> str:
    """Read ё as е, as Russian print mostly does ("ещё" and "еще" are one word)."""
    # Two replaces run at C speed; str.translate is several times slower on long text.
    return text.replace("ё", "е").replace("Ё", "Е")


def words(text: str) -> list[str]:
    """Return the runs of letters and digits of text, case kept, ё read as е."""
    # tantivy drops tokens of MAX_TOKEN_CHARS bytes or more (UTF-8), before lower-casing.
    # Nine characters are at most 36 bytes: only longer words need encoding to be checked.
    found: list[str] = _TOKEN.findall(fold_yo(text).replace("_", " "))
    if text.isascii() and max(map(len, found), default=0) < MAX_TOKEN_CHARS:
        return found  # one byte a character and none too long: most news, checked in C
    return [t for t in found if len(t) < 10 or len(t.encode()) < MAX_TOKEN_CHARS]


def tokens(text: str) -> list[str]:
    """Return the words of text, lower-cased (ё as е), as tantivy's analyzers see them."""
    return [t.lower() for t in words(text)]


def is_cjk(token: str) -> bool:
    """Tell whether a token holds Han or kana, scripts written without spaces between words."""
    return _CJK.search(token) is not None


def cjk_terms(token: str) -> list[str]:
    """Return the character pairs of a token's Han and kana runs and its other parts as words.

    A token without such a run gives none. Digits are left out: a number is no content word.
    """
    out: list[str] = []
    pos = 0
    for run in _CJK_RUN.finditer(token):
        out.extend(_plain_parts(token[pos : run.start()]))
        out.extend(cjk_bigrams(run.group()))
        pos = run.end()
    if pos:
        out.extend(_plain_parts(token[pos:]))
    return out


def _plain_parts(part: str) -> list[str]:
    """Return the part of a mixed token between CJK runs as a word, unless short or a number."""
    return [fold(part)] if len(part) > 1 and not part.isdigit() else []


def cjk_bigrams(token: str) -> list[str]:
    """Return overlapping character pairs, the usual term unit for unsegmented CJK text."""
    if len(token) < 2:
        return [token]
    return [token[i : i + 2] for i in range(len(token) - 1)]


def fold(word: str) -> str:
    """Fold to ASCII what has an ASCII form ("é", "ß", "①"); other scripts stay as they are."""
    return word if word.isascii() else _fold_other(word)


@cache
def _folder() -> tantivy.TextAnalyzer:
    """Return tantivy's own ASCII folding (Lucene's table), so both sides fold alike."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def _fold_other(word: str) -> str:
    """Fold a word with non-ASCII characters through tantivy."""
    folded = _folder().analyze(fold_yo(word))
    return folded[0] if folded else word


class Analyzer:
    """Stem and filter the words of one language (PyStemmer: Snowball, like tantivy's filter)."""

    def __init__(self, lang: str) -> None:
        """Load the stemmers and stop words of lang ('' for none)."""
        self.lang = language_of(lang)
        self._stemmers = [Stemmer.Stemmer(a) for a in STEMMERS.get(self.lang, ())]
        self.stop_words = stop_words(self.lang)
        # Folding, the stop list and the stemmers cost ~1 µs a word in Python calls; the story
        # ledgers, the summariser and search read the same words again and again. lru_cache is
        # C code and thread-safe (the writer thread and the workers share analyzers).
        self._token_terms = lru_cache(maxsize=TERM_CACHE)(self._terms_of_token)

    def stem(self, word: str) -> str:
        """Return the stem of a lower-cased word (not yet folded: see the module docstring)."""
        # PyStemmer keeps its own bounded cache of recent words.
        for stemmer in self._stemmers:
            word = stemmer.stemWord(word)
        return word

    def terms(self, sentence: str) -> list[str]:
        """Return the content terms of a sentence: stems without stop words or short numbers."""
        # map and chain run the per-word loop in C: most words are cache hits.
        return list(chain.from_iterable(map(self._token_terms, tokens(sentence))))

    def _terms_of_token(self, token: str) -> tuple[str, ...]:
        """Return the terms one lower-cased token gives (none for a stop word or a short number)."""
        if fold(token) in self.stop_words or (token.isdigit() and len(token) < 3):
            return ()
        if is_cjk(token):
            return tuple(cjk_terms(token))
        return (fold(self.stem(token)),) if len(token) > 1 else ()


@cache
def analyzer(lang: str | None) -> Analyzer:
    """Return the (immutable, shared) analyzer of a language code."""
    return Analyzer(language_of(lang))


@cache
def stop_words(lang: str) -> frozenset[str]:
    """Return the folded stop words of lang: the `stop-words` package's, English's and Russian's.

    Plus the few news reporting words of `REPORTING_WORDS`. A language the package has no list
    for (Tamil) drops only the English and Russian ones.
    """
    found: set[str] = set()
    for code in {*_ALWAYS_STOP, language_of(lang)} - {""}:
        with suppress(StopWordError):
            found.update(get_stop_words(_PACKAGE_CODES.get(code, code)))
        found.update(REPORTING_WORDS.get(code, ()))
    return frozenset(fold(w.lower()) for w in found)
