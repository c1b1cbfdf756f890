"""An article's language, from its title and body (py3langid: a naive Bayes model in its wheel).

Why py3langid: its model ships inside the package (nothing is downloaded), it knows 97
languages, and it costs about 0.2 ms for an article's first 2,000 characters
(`benchmarks/langid.py` measures accuracy and cost). lingua-language-detector is more accurate
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

from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

from bot.text.analysis import LANGUAGES

# Languages without a stemmer that are still told apart, so that they are not forced into one
# with a stemmer (a Ukrainian article is not Russian).
UNSTEMMED = ("uk", "pl", "cs", "sk", "zh", "ja", "ko", "he", "fa", "hi", "vi", "id")
DEFAULT = "en"
MIN_LETTERS = 12


@cache
def _identifier() -> LanguageIdentifier:
    """Load the model once (about 0.4 s); it is read-only and shared."""
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages([*LANGUAGES, *UNSTEMMED])
    return identifier


def detect_language(text: str, sample: int = 2000) -> str:
    """Return the ISO 639-1 code of the text's language (DEFAULT when there is too little)."""
    head = text[:sample]
    letters = [ch for ch in head if ch.isalpha()]
    if len(letters) < MIN_LETTERS:
        cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in letters)
        return "ru" if cyrillic * 2 > len(letters) else DEFAULT
    code, _ = _identifier().classify(head)
    return str(code)
