"""Words of a text per language: tokens, folding, stop words and Snowball stems.

The one place that says how a language is analysed. The search index builds its tantivy
analyzers from `LANGUAGES` and `SEARCH_STOP_LANGUAGES` (tantivy's stemmer filter runs the same
Snowball algorithms as PyStemmer here), and the summariser calls `terms()`; a test checks that
both stem the same words the same way for every language.

Order, as in the index: split into runs of letters and digits, lower-case, stem, then fold
Latin accents (Lucene's ASCII folding: "café" is "cafe"). Stemming first lets the Snowball
algorithms see the accents they are written for (Portuguese "eleições" and "eleição" are both
"eleica" only when stemmed before folding). Russian articles run the English stemmer
after the Russian one, because Russian news quotes Latin names and words (each stemmer leaves the
other's script alone). A language without a Snowball stemmer is still tokenised and folded.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import suppress
from functools import cache

import Stemmer
import tantivy
from stop_words import StopWordError, get_stop_words

# Article languages (ISO 639-1, as the language detector names them) with a Snowball stemmer
# in tantivy, and the algorithms to run in order.
LANGUAGES: dict[str, tuple[str, ...]] = {
    "ar": ("arabic",),
    "da": ("danish",),
    "de": ("german",),
    "el": ("greek",),
    "en": ("english",),
    "es": ("spanish",),
    "fi": ("finnish",),
    "fr": ("french",),
    "hu": ("hungarian",),
    "it": ("italian",),
    "nl": ("dutch",),
    "no": ("norwegian",),
    "pt": ("portuguese",),
    "ro": ("romanian",),
    "ru": ("russian", "english"),
    "sv": ("swedish",),
    "ta": ("tamil",),
    "tr": ("turkish",),
}
# The search drops only these languages' stop words, in every language: a query's language is
# unknown, so a query word must be a stop word in all analyzers or in none ("die" is German's
# article and an English verb; "war" a German verb and an English noun).
SEARCH_STOP_LANGUAGES = ("english", "russian")
# The summary's stop words of English and Russian: function words and reporting words ("said",
# "told"), which carry no content in news whatever the story. Other languages take the lists of
# the `stop-words` package (function words only).
_OWN_STOP = {
    "en": """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each even ever
    few for from further get got had has have having he her here hers herself him himself his how
    i if in into is it its itself just last like made make many may me more most much must my
    myself new no nor not now of off on once one only or other our ours ourselves out over own per
    said same say says she should since so some still such than that the their theirs them
    themselves then there these they this those through to too two under until up upon us very
    was we were what when where which while who whom whose why will with within without would
    year years yet you your yours yourself mr mrs ms told according""",
    "ru": """а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да
    даже для до его ее её если есть еще ещё же за здесь и из или им их к как ко когда кто ли либо
    между меня мне может мы на над надо наш не него нее неё нет ни них но ну о об однако он она они
    оно от очень по под после при про раз с со так также такой там те тем то того тоже той только
    том ты у уже хотя чего чей чем что чтобы чье чья эта эти это этого этой этом этот я года год
    году сказал заявил""",
}
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
MAX_TOKEN_CHARS = 40


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


_TOKEN = re.compile(f"(?:[^\\W_]|[{re.escape(_marks())}])+")


def language_of(code: str | None) -> str:
    """Return the analysed language for an article language code: itself when known, else ''."""
    return code if code in LANGUAGES else ""


def tokens(text: str) -> list[str]:
    """Return the words of text, lower-cased (ё as е), as tantivy's analyzers see them."""
    # tantivy drops tokens of MAX_TOKEN_CHARS bytes or more (UTF-8), before lower-casing.
    text = text.replace("ё", "е").replace("Ё", "Е")
    return [t.lower() for t in _TOKEN.findall(text) if len(t.encode()) < MAX_TOKEN_CHARS]


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
    folded = _folder().analyze(word)
    return folded[0] if folded else word


class Analyzer:
    """Stem and filter the words of one language (PyStemmer: Snowball, like tantivy's filter)."""

    def __init__(self, lang: str) -> None:
        """Load the stemmers and stop words of lang ('' for none)."""
        self.lang = language_of(lang)
        self._stemmers = [Stemmer.Stemmer(a) for a in LANGUAGES.get(self.lang, ())]
        self.stop_words = _stop_words(self.lang)

    def stem(self, word: str) -> str:
        """Return the stem of a lower-cased word (not yet folded: see the module docstring)."""
        for stemmer in self._stemmers:
            word = stemmer.stemWord(word)
        return word

    def terms(self, sentence: str) -> list[str]:
        """Return the content terms of a sentence: stems without stop words or short numbers."""
        out: list[str] = []
        for token in tokens(sentence):
            if fold(token) in self.stop_words or (token.isdigit() and len(token) < 3):
                continue
            if _CJK.search(token):
                out.extend(_cjk_bigrams(token))
            elif len(token) > 1:
                out.append(fold(self.stem(token)))
        return out


@cache
def analyzer(lang: str | None) -> Analyzer:
    """Return the (immutable, shared) analyzer of a language code."""
    return Analyzer(language_of(lang))


@cache
def _stop_words(lang: str) -> frozenset[str]:
    """Return the folded stop words a summary skips in lang: its own, English's and Russian's."""
    words = set(_OWN_STOP["en"].split()) | set(_OWN_STOP["ru"].split())
    if lang and lang not in _OWN_STOP:
        # Tamil has no list: its words all count.
        with suppress(StopWordError):
            words.update(get_stop_words(LANGUAGES[lang][0]))
    return frozenset(fold(w.lower()) for w in words)


def _cjk_bigrams(token: str) -> list[str]:
    """Return overlapping character pairs, the usual term unit for unsegmented CJK text."""
    if len(token) < 2:
        return [token]
    return [token[i : i + 2] for i in range(len(token) - 1)]
