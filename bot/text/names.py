"""Language-independent keys of the names and numbers of a text: Путин, Putin and 普京 share one.

Reports of one event in different languages share few words but the same people, places and
figures. `keys(text, lang)` turns them into terms that do not depend on the language:

- A name is a capitalised word that is no stop word and no month or weekday, in a text not
  set in capitals; in a text of several sentences, a word that only ever opens a sentence is
  none. It is
  stemmed in its language (Путина → путин; not in Malay, whose stemmer cuts prefixes), written in Latin letters by `anyascii` (путин →
  putin) and cut to a skeleton (of the whole word too: Russian stems names unevenly): its first letter, then its consonants, with the spellings that
  English and the transliteration of Cyrillic write differently made one (w/v, c/k, zh/dzh/j,
  kh/h). So "Zelensky" and "Зеленского" are both "zlnsk", "Moscow" and "Москве" "mskv",
  "Singapore" and Malay "Singapura" "sngpr". Chinese names come through their English glosses
  (`bot.text.chinese`).
- A number is its value: thousands separators dropped, a decimal comma read as a point
  ("5,000", "5 000" and "5000" are one; "1,5" is "1.5"), times the word of thousands or
  millions after it, as Babel's compact number formats spell them ("1,5 млрд" = "1.5 billion"
  = "15亿"). A day and month, written in English,
  Russian, Malay or Chinese ("5 May", "May 5", "5 мая", "5 Mei", "5月5日"), is one key; month
  names come from Babel's locale data.

Keys carry a prefix (`NAME`, `NUMBER`) so they never meet a word of the text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cache, lru_cache
from itertools import chain

from anyascii import anyascii
from babel import Locale
from babel.dates import get_day_names, get_month_names

from bot.text import chinese
from bot.text.analysis import analyzer, fold, fold_yo, language_of, words

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
_SENTENCE_START = re.compile(r"(?:^|[.!?…]\s+|\n\s*)[\"'«“(\[]*([^\W\d_]+)")
# "5 000" (Russian groups digits with spaces) or "7.1" and "5,000"; a year after a day
# ("19 2022") is no group of three.
# The leading (?=\d) changes no match: it lets the regex engine skip to digits before
# trying the look-behind at every character (2.6 times as fast over news text).
_NUMBER = re.compile(
    r"(?=\d)(?<![\d.,])(?:\d{1,3}(?:[\u00a0\u202f ]\d{3})+(?![\d.,])|\d+(?:[.,]\d+)*)"
)
_GROUP_SEPARATORS = re.compile(r"[,\u00a0\u202f ](?=\d{3}(?:\D|$))")
_CHINESE_DATE = re.compile(r"(\d{1,2})月(\d{1,2})日")
_DAY = re.compile(r"(?=\d)(?<![\d.,])\d{1,2}(?![\d]|[.,]\d)")
_WORD_AFTER = re.compile(r"\s+([^\W\d_]{3,10})\b")
_WORD_BEFORE = re.compile(r"\b([^\W\d_]{3,10})\.?\s+$")
_MONTH_LOCALES = ("en", "ru", "ms", "id")
_CJK_LANGS = frozenset({"zh", "ja"})
# The Malay and Indonesian stemmer cuts prefixes ("Perdana" → "dana"): their names stay whole.
_PREFIXING = frozenset({"id", "ms"})
NAMES_CACHED = 1 << 15  # capitalised words remembered per language


def keys(text: str, lang: str | None, found: list[str] | None = None) -> list[str]:
    """Return the name and number keys of text, once per mention, in order of kind.

    `found` may pass `words(text)` when the caller has them already.
    """
    return name_keys(text, lang, found) + number_keys(text)


def name_keys(text: str, lang: str | None, found: list[str] | None = None) -> list[str]:
    """Return the keys of the names in text (see the module docstring)."""
    code = (lang or "").lower().split("-")[0]
    if code in _CJK_LANGS:
        # CC-CEDICT capitalises proper names only: every capitalised gloss word is one.
        names, code = _capitalised(words(chinese.gloss(text)), set()), "en"
    elif _mostly_upper(text):
        return []  # a wire headline in capitals marks no names
    else:
        names = _capitalised(words(text) if found is None else found, _sentence_starts(text))
    return list(chain.from_iterable(map(_name_terms(language_of(code)), names)))


@cache
def _name_terms(lang: str) -> Callable[[str], tuple[str, ...]]:
    """Return the (cached) function giving the keys of one capitalised word of lang."""
    stop = analyzer(lang).stop_words

    # A name comes back in article after article: its keys are made once.
    @lru_cache(maxsize=NAMES_CACHED)
    def terms(word: str) -> tuple[str, ...]:
        low = word.lower()
        # "US" and "UK" are names even though the stop-word lists hold "us" and "uk".
        if (fold(low) in stop and not word.isupper()) or low in _calendar():
            return ()
        return tuple(NAME + key for key in name_key(low, lang))

    return terms


def _capitalised(found: list[str], starts: set[str]) -> list[str]:
    """Return the capitalised words; one that only ever opens a sentence is no name.

    Every sentence of a body opens with a capital: "Officials said" makes no name of
    "Officials", while a name comes back ("Putin said ... talks with Putin").
    """
    caps = [w for w in found if w[0].isupper()]
    if not starts:
        return caps
    seen = Counter(caps)
    return [w for w in caps if w not in starts or seen[w] > 1]


def _sentence_starts(text: str) -> set[str]:
    """Return the words that open the sentences of text; none if it is one sentence (a title)."""
    starts = _SENTENCE_START.findall(fold_yo(text))
    return set(starts) if len(starts) > 1 else set()


def distinct(found: Iterable[str]) -> int:
    """Count keys, a name's two skeletons (one is the other's prefix: "elkt", "elktn") once."""
    count, last = 0, ""
    for key in sorted(found):
        if not (last and key.startswith(last)):
            count, last = count + 1, key
    return count


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
    scale_words, scale = _scale_table()
    out: list[str] = []
    for match in _NUMBER.finditer(text):
        number = match.group()
        value = number if number.isdigit() else _value(number)
        word = scale.match(text, match.end())
        if word is not None:  # "1,5 млрд", "1.5 billion" and "15亿" are one number
            value = _scaled(value, scale_words[word.group(1).lower()])
        if len(value) >= shortest:
            out.append(NUMBER + value)
    return out + [NUMBER + key for key in _dates(text)]


def _scaled(value: str, factor: int) -> str:
    """Return value times factor, written as a plain decimal."""
    return _plain(format(Decimal(value) * factor, "f"))


def _value(number: str) -> str:
    """Return a written number as a plain decimal: "5,000" is "5000", "1,5" is "1.5"."""
    plain = _GROUP_SEPARATORS.sub("", number).replace(" ", "").replace("\u00a0", "")
    plain = plain.replace("\u202f", "").replace(",", ".")
    if plain.count(".") > 1:
        plain = plain.replace(".", "")  # "1.000.000": dots as thousands separators
    return _plain(plain)


def _plain(number: str) -> str:
    """Return a decimal without trailing zeros after its point ("1.50" is "1.5")."""
    return number.rstrip("0").rstrip(".") if "." in number else number


def _dates(text: str) -> list[str]:
    """Return "month/day" keys of the day-and-month dates written in text."""
    months = _month_table()
    out: list[str] = []
    # From each one- or two-digit number, look at the word after it and the word before it:
    # numbers are few, so this costs far less than matching month names everywhere.
    for day in _DAY.finditer(text):
        after = _WORD_AFTER.match(text, day.end())
        before = _WORD_BEFORE.search(text, max(0, day.start() - 16), day.start())
        for word in (after, before):
            month = months.get(word.group(1).lower()) if word else None
            if month and 1 <= int(day.group()) <= 31:
                out.append(f"{month}/{int(day.group())}")
                break
    if "月" in text:
        out += [f"{int(m)}/{int(d)}" for m, d in _CHINESE_DATE.findall(text)]
    return out


@cache
def _month_table() -> dict[str, int]:
    """Return month names (wide and abbreviated, every case) -> their number."""
    months: dict[str, int] = {}
    for locale in _MONTH_LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    months[str(name).lower().rstrip(".")] = number
    return months


@cache
def _calendar() -> frozenset[str]:
    """Return the months' names, full and short, and the weekdays' full names: no one's.

    "Pay Dec 15 / Record Nov 13" in one company's notice and another's share no name. Short
    weekdays stay names: "Sun" is more often a paper than a day.
    """
    days = (
        str(name).lower()
        for locale in _MONTH_LOCALES
        for name in get_day_names("wide", "format", locale).values()
    )
    return frozenset(_month_table()).union(days)


@cache
def _scale_table() -> tuple[dict[str, int], re.Pattern[str]]:
    """Return the words of thousands, millions... (Babel's compact formats) and their pattern.

    "0 миллиона" under 1000000 says "миллиона" is a million; "00万" under 100000 that 万 is
    ten thousand. One-letter forms ("5K", "5M") are left out: a letter after a number is too
    often something else.
    """
    words: dict[str, int] = {}
    for locale in (*_MONTH_LOCALES, "zh"):
        formats = Locale.parse(locale).compact_decimal_formats
        for width in formats.values():
            for plural in width.values():
                for magnitude, pattern in plural.items():
                    zeros = pattern.pattern.count("0")
                    word = pattern.pattern.replace("0", "").replace("'", "").strip(" \u00a0.")
                    if zeros and (len(word) > 1 or chinese.is_han(word)):
                        words.setdefault(word.lower(), int(magnitude) // 10 ** (zeros - 1))
    # Babel's English forms are one letter ("5M"), left out; the wires and the press write
    # "90 MLN", "1.5 BLN" (Reuters) and "£1.5bn": the figures a translation writes "млн".
    words.update({"mln": 10**6, "bln": 10**9, "bn": 10**9, "trln": 10**12})
    names = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    # A word ends where letters do; a Han character needs no space after it ("15亿元").
    end = r"(?:(?<=[\u4e00-\u9fff])|(?![^\W\d_]))"
    return words, re.compile(rf"[\s\u00a0]?({names}){end}", re.IGNORECASE)


def _mostly_upper(text: str) -> bool:
    """Tell whether text is written in capitals (wire headlines), where case marks no names."""
    sample = text[:300]
    letters = sum(map(str.isalpha, sample))  # map over str methods runs at C speed
    return letters >= 8 and sum(map(str.isupper, sample)) > 0.7 * letters
