"""Cheap, deterministic language detection by script: enough to pick a stemmer."""

from __future__ import annotations

SUPPORTED = ("en", "ru")


def detect_language(text: str, sample: int = 2000) -> str:
    """Return "ru" when most letters of the text are Cyrillic, else "en"."""
    cyrillic = latin = 0
    for ch in text[:sample]:
        if "\u0400" <= ch <= "\u04ff":
            cyrillic += 1
        elif ch.isascii() and ch.isalpha():
            latin += 1
    return "ru" if cyrillic > latin else "en"
