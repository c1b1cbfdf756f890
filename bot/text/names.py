"""Language-independent keys of the names and numbers of a text: Путин, Putin and 普京 share one.

Reports of one event in different languages share few words but the same people, places and
figures. `keys(text, lang)` turns them into terms that do not depend on the language:

- A name is a capitalised word that is no stop word, in a text not set in capitals. It is
  stemmed in its language (Путина → путин; not in Malay, whose stemmer cuts prefixes), written in Latin letters by `anyascii` (путин →
  putin) and cut to a skeleton (of the whole word too: Russian stems names unevenly): its first letter, then its consonants, with the spellings that
  English and the transliteration of Cyrillic write differently made one (w/v, c/k, zh/dzh/j,
  kh/h). So "Zelensky" and "Зеленского" are both "zlnsk", "Moscow" and "Москве" "mskv",
  "Singapore" and Malay "Singapura" "sngpr". Chinese names come through their English glosses
  (`bot.text.chinese`).
- A number is its value: thousands separators dropped, a decimal comma read as a point
  ("5,000", "5 000" and "5000" are one; "1,5" is "1.5"). A day and month, written in English,
  Russian, Malay or Chinese ("5 May", "May 5", "5 мая", "5 Mei", "5月5日"), is one key; month
  names come from Babel's locale data.

Keys carry a prefix (`NAME`, `NUMBER`) so they never meet a word of the text.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from anyascii import anyascii
from babel.dates import get_month_names

from bot.text import chinese
from bot.text.analysis import analyzer, fold, language_of, words

NAME = "@"
NUMBER = "#"
# Spellings that differ between English and transliterated Cyrillic, in the order applied.
_SPELLINGS = (
    ("shch", "sh"),
    ("dzh", "j"),
    ("zh", "j"),
    ("kh", "h"),
    ("ck", "k"),
    ("ph", "f"),
    ("w", "v"),
    ("q", "k"),
    ("x", "ks"),
)
_SOFT_C = re.compile(r"c(?!h)")
_VOWELS = str.maketrans("", "", "aeiouy'-")
_REPEATS = re.compile(r"(.)\1+")
# "5 000" (Russian groups digits with spaces) or "7.1" and "5,000"; a year after a day
# ("19 2022") is no group of three.
_NUMBER = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:[\u00a0\u202f ]\d{3})+(?![\d.,])|\d+(?:[.,]\d+)*)")
_GROUP_SEPARATORS = re.compile(r"[,\u00a0\u202f ](?=\d{3}(?:\D|$))")
_CHINESE_DATE = re.compile(r"(\d{1,2})月(\d{1,2})日")
_MONTH_LOCALES = ("en", "ru", "ms", "id")
_CJK_LANGS = frozenset({"zh", "ja"})
# The Malay and Indonesian stemmer cuts prefixes ("Perdana" → "dana"): their names stay whole.
_PREFIXING = frozenset({"id", "ms"})


def keys(text: str, lang: str | None) -> list[str]:
    """Return the name and number keys of text, once per mention, in order of kind."""
    return name_keys(text, lang) + number_keys(text)


def name_keys(text: str, lang: str | None) -> list[str]:
    """Return the keys of the names in text (see the module docstring)."""
    code = (lang or "").lower().split("-")[0]
    if code in _CJK_LANGS:
        text, code = chinese.gloss(text), "en"
    if _mostly_upper(text):
        return []  # a wire headline in capitals marks no names
    stop = analyzer(code).stop_words
    out: list[str] = []
    for word in words(text):
        if not word[0].isupper() or word[0].isdigit():
            continue
        low = word.lower()
        # "US" and "UK" are names even though the stop-word lists hold "us" and "uk".
        if fold(low) in stop and not word.isupper():
            continue
        out.extend(NAME + key for key in name_key(low, language_of(code)))
    return out


@lru_cache(maxsize=100_000)
def name_key(word: str, lang: str) -> tuple[str, ...]:
    """Return the skeletons of a lower-cased name in lang: of its stem and, if other, of itself.

    Snowball stems names unevenly (Russian "байдена" is "байд", "байдену" is "байден"); the
    skeleton of the whole word loses the vowel endings of most cases by itself ("bdn").
    """
    stem = word if lang in _PREFIXING else analyzer(lang).stem(word)
    found = dict.fromkeys(k for k in (_skeleton(stem), _skeleton(word)) if k)
    return tuple(found)


def _skeleton(word: str) -> str:
    """Return the Latin consonant skeleton of a word, or '' if it has under two letters."""
    latin = anyascii(fold(word)).lower()
    for written, said in _SPELLINGS:
        latin = latin.replace(written, said)
    latin = _SOFT_C.sub("k", latin)
    if not latin.isalpha():
        return ""
    skeleton = _REPEATS.sub(r"\1", latin[0] + latin[1:].translate(_VOWELS))
    return skeleton if len(skeleton) >= 2 else ""


def number_keys(text: str, shortest: int = 2) -> list[str]:
    """Return the keys of the numbers (`shortest` digits or more) and the dates of text.

    Stories skip one-digit numbers (too common to join reports); the briefs' check reads them.
    """
    values = map(_value, _NUMBER.findall(text))
    out = [NUMBER + value for value in values if len(value) >= shortest]
    return out + [NUMBER + key for key in _dates(text)]


def _value(number: str) -> str:
    """Return a written number as a plain decimal: "5,000" is "5000", "1,5" is "1.5"."""
    plain = _GROUP_SEPARATORS.sub("", number).replace(" ", "").replace("\u00a0", "")
    plain = plain.replace("\u202f", "").replace(",", ".")
    if plain.count(".") > 1:
        plain = plain.replace(".", "")  # "1.000.000": dots as thousands separators
    if "." in plain:
        plain = plain.rstrip("0").rstrip(".")
    return plain


def _dates(text: str) -> list[str]:
    """Return "month/day" keys of the day-and-month dates written in text."""
    months, pattern = _month_table()
    out: list[str] = []
    for match in pattern.finditer(text):
        day = match.group("d1") or match.group("d2")
        name = (match.group("m1") or match.group("m2")).lower().rstrip(".")
        if 1 <= int(day) <= 31:
            out.append(f"{months[name]}/{int(day)}")
    out += [f"{int(m)}/{int(d)}" for m, d in _CHINESE_DATE.findall(text)]
    return out


@cache
def _month_table() -> tuple[dict[str, int], re.Pattern[str]]:
    """Return month names (wide and abbreviated, every case) -> number, and a date pattern."""
    months: dict[str, int] = {}
    for locale in _MONTH_LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    months[str(name).lower().rstrip(".")] = number
    names = "|".join(sorted(map(re.escape, months), key=len, reverse=True))
    pattern = re.compile(
        rf"(?<!\d)(?P<d1>\d{{1,2}})\s+(?P<m1>{names})\b\.?|\b(?P<m2>{names})\.?\s+(?P<d2>\d{{1,2}})(?!\d)",
        re.IGNORECASE,
    )
    return months, pattern


def _mostly_upper(text: str) -> bool:
    """Tell whether text is written in capitals (wire headlines), where case marks no names."""
    letters = [c for c in text[:300] if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) > 0.7 * len(letters)
