"""Language-independent keys of names and numbers, so a Russian sentence can cite an English one.

A name's key is its ASCII transliteration, lower-cased (anyascii: Путин → putin, Zürich →
zurich); a number's key is its value, with thousands separators, decimal commas and scale words
read ("1,200,000", "1.2 million" and "1,2 млн" are one key). The `crosslang` work is adding such
keys to bot/text for the story engine; when it lands this module gives way to it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

import Stemmer
from anyascii import anyascii
from babel.dates import get_month_names

# A number: digits with optional thousands groups (1,200 or 1 200) and one decimal part.
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[, \u00a0\u202f]\d{3})+|\d+)(?:[.,](\d+))?(?!\d)")
_SCALE_AFTER = re.compile(r"\s*(\w+)")
_SCALES = {
    "thousand": 3,
    "тыс": 3,
    "тысяч": 3,
    "тысячи": 3,
    "k": 3,
    "million": 6,
    "millions": 6,
    "mln": 6,
    "mn": 6,
    "m": 6,
    "млн": 6,
    "миллион": 6,
    "миллиона": 6,
    "миллионов": 6,
    "billion": 9,
    "billions": 9,
    "bn": 9,
    "b": 9,
    "млрд": 9,
    "миллиард": 9,
    "миллиарда": 9,
    "миллиардов": 9,
    "trillion": 12,
    "трлн": 12,
}


def name_key(word: str) -> str:
    """Return the ASCII key of a name or word in any script ('' when it has no letters)."""
    return "".join(ch for ch in anyascii(word).lower() if ch.isalnum())


def number_keys(text: str) -> set[str]:
    """Return every reading of every number in text."""
    return {key for readings in numbers(text) for key in readings}


def numbers(text: str) -> list[frozenset[str]]:
    """Return each number of text as its readings: its value, and with its scale word read."""
    text = unicodedata.normalize("NFKC", text)
    found: list[frozenset[str]] = []
    for match in _NUMBER.finditer(text):
        whole = re.sub(r"[, \u00a0\u202f]", "", match.group(1))
        value = _value(whole, match.group(2))
        if value is None:
            continue
        readings = {_plain(value)}
        scale = _SCALE_AFTER.match(text, match.end())
        if scale and scale.group(1).lower() in _SCALES:
            readings.add(_plain(value.scaleb(_SCALES[scale.group(1).lower()])))
        found.append(frozenset(readings))
    return found


def _value(whole: str, fraction: str | None) -> Decimal | None:
    """Return the number's value ("12" and "12.0" alike), or None for what is not one."""
    try:
        return Decimal(f"{whole}.{fraction}" if fraction else whole)
    except InvalidOperation:
        return None


def _plain(value: Decimal) -> str:
    """Return a value without exponent or trailing zeros: 1.50 → 1.5, 2E+3 → 2000."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# A day and a month, either order ("September 22", "22 сентября", "9月22日").
_DATE = re.compile(
    r"(?<!\d)(?P<d1>\d{1,2})\.?\s+(?P<m1>[^\W\d_]+\.?)"
    r"|(?P<m2>[^\W\d_]+)\.?\s+(?P<d2>\d{1,2})(?!\d)"
    r"|(?P<m3>\d{1,2})\s*月\s*(?P<d3>\d{1,2})\s*日"
)
_WORDS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class Dates:
    """The dates a text names: (month, day) pairs, months named alone, and the rest of it."""

    days: frozenset[tuple[int, int]]
    months: frozenset[int]
    rest: str  # the text without its dates, for the number check


def dates(text: str) -> Dates:
    """Return the dates of a text (month names of English and Russian, Chinese 月/日)."""
    days: set[tuple[int, int]] = set()

    def take(match: re.Match[str]) -> str:
        day = match.group("d1") or match.group("d2") or match.group("d3")
        word = match.group("m1") or match.group("m2")
        month = month_of(word) if word else int(match.group("m3"))
        if month is None or not 1 <= month <= 12 or not 1 <= int(day) <= 31:
            return match.group(0)
        days.add((month, int(day)))
        return " "

    rest = _DATE.sub(take, unicodedata.normalize("NFKC", text))
    months = {m for w in _WORDS.findall(rest) if (m := month_of(w)) is not None}
    return Dates(frozenset(days), frozenset(months), rest)


def month_of(word: str) -> int | None:
    """Return the month a word names (January, Jan., сентября, в сентябре), or None."""
    word = word.lower().rstrip(".")
    table = _months()
    return table.get(word) or table.get(_RUSSIAN.stemWord(word)) if len(word) > 2 else None


_RUSSIAN = Stemmer.Stemmer("russian")


@cache
def _months() -> dict[str, int]:
    """Return month names of English and Russian, full, short and stemmed, by number (Babel)."""
    table: dict[str, int] = {}
    for locale in ("en", "ru"):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    form = name.lower().rstrip(".")
                    table[form] = number
                    table[_RUSSIAN.stemWord(form)] = number
    table["sept"] = 9
    return table
