"""An article's language, from its title and body (py3langid: a naive Bayes model in its wheel).

Why py3langid: its model ships inside the package (nothing is downloaded), it knows 97
languages, and it costs a fraction of a millisecond for an article's first 2,000 characters
(`benchmarks/langid.py` measures accuracy and cost). Plainly English text (ASCII letters,
English function words all over it) skips the model: most news is, and imports stay fast. lingua-language-detector is more accurate
on a few words but its models are tens of megabytes and it is slower; a title and a lead
paragraph are enough text for py3langid.

The guess is limited to the languages news in this bot is likely in: the Snowball languages of
`bot.text.analysis.LANGUAGES` and a few common ones without a stemmer; narrowing the choice
avoids the near-misses that matter least and cost most (Galician for Portuguese, Luxembourgish
for German). Text with too few letters to tell falls back to its script: Russian when mostly
Cyrillic, else English (the rule before detection).
"""

from __future__ import annotations

from functools import cache

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]
from py3langid.modelio import load_model  # type: ignore[import-untyped]

from bot.text.analysis import LANGUAGES

# Languages without a stemmer that are still told apart, so that they are not forced into one
# with a stemmer (a Ukrainian article is not Russian).
UNSTEMMED = ("uk", "pl", "cs", "sk", "zh", "ja", "ko", "he", "fa", "hi", "vi", "id")
DEFAULT = "en"
MIN_LETTERS = 12
# English function words that are no word of the other Latin-script languages told apart here.
_ENGLISH = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "in",
        "is",
        "was",
        "for",
        "that",
        "with",
        "on",
        "as",
        "by",
        "from",
        "at",
        "it",
        "are",
        "has",
        "have",
        "be",
        "this",
        "said",
        "which",
        "will",
        "were",
        "been",
        "their",
        "its",
        "after",
        "who",
        "not",
        "but",
        "they",
        "he",
        "she",
    ]
)
ENGLISH_SHARE = 0.15  # of the words of the sample, for the fast path
ENGLISH_SAMPLE = 400  # characters the fast path reads


@cache
def _identifier() -> LanguageIdentifier:
    """Load the model once (about 0.4 s), with the weights of the languages told apart here only.

    `set_languages` would keep the full model's weights (28 MB: 100,000 features × 142 classes)
    beside the subset; built from the subset, the identifier holds 57 MB instead of 82.
    """
    weights, priors, classes, nextmove, rows, output = load_model(MODEL_DIR / MODEL_FILE)
    wanted = {*LANGUAGES, *UNSTEMMED}
    if not wanted <= set(classes):  # set_languages refused these too
        raise ValueError(f"not in the language model: {sorted(wanted - set(classes))}")
    keep = [i for i, label in enumerate(classes) if label in wanted]
    return LanguageIdentifier(
        np.ascontiguousarray(weights[:, keep]),
        np.asarray(priors[keep]),
        [classes[i] for i in keep],
        nextmove,
        output,
        tk_row=rows,
    )


def detect_language(text: str, sample: int = 2000) -> str:
    """Return the ISO 639-1 code of the text's language (DEFAULT when there is too little)."""
    head = text[:sample]
    # Listing every letter in Python cost as much as the rest of the detection: a short
    # prefix with enough letters settles it at C speed.
    if sum(map(str.isalpha, head[: 4 * MIN_LETTERS])) < MIN_LETTERS:
        letters = [ch for ch in head if ch.isalpha()]
        if len(letters) < MIN_LETTERS:
            cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in letters)
            return "ru" if cyrillic * 2 > len(letters) else DEFAULT
    if _plainly_english(head[:ENGLISH_SAMPLE]):
        return "en"
    code, _ = _identifier().classify(head)
    return str(code)


def _plainly_english(text: str) -> bool:
    """Return whether ASCII text is full of English function words (most news: the fast path).

    py3langid costs up to a millisecond an article in pure Python on a busy machine, as much
    as the rest of an import; "the", "of", "and"... in every sixth word settle English at a
    glance (the benchmark's German, Dutch and Swedish sentences never pass it).
    """
    if not text.isascii() and any(ch.isalpha() and not ch.isascii() for ch in text):
        return False  # "£" or curly quotes are fine, "ü" or "ж" are not
    words = text.lower().split()
    hits = sum(w.strip(".,;:!?\"'()") in _ENGLISH for w in words)
    return hits >= 4 and hits >= ENGLISH_SHARE * len(words)
