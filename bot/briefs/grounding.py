"""Is a generated sentence supported by the articles it cites? Numbers, dates, names, words.

A sentence stands only when
- every number in it is a number of a cited article, or the year it was
  published in;
- every date ("September 22", "22 сентября") is one a cited article names, or one of the days
  just before it was published (reports say "on Thursday"; a brief names the day);
- every name (a capitalised word; the first word too unless it is a stop word or an opener such
  as "However", and the sentence is in a cited article's language) is a word of a cited article,
  compared by the language-independent keys of `bot.text.names` (Путина = Putin, Сингапуре =
  Singapore), or two adjacent words of it written as one (South East, Southeast);
- and, when it is in the language of a cited article, at least `min_share` of its content words
  (Snowball stems, stop words left out) are words of the cited articles. Across languages content
  words cannot be compared without a dictionary, so numbers, dates and names carry the check.

`benchmarks/llm_grounding.py` measures it and chooses `min_share`.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from bot.briefs.model import Brief, fit
from bot.briefs.prompt import parse
from bot.models import Article
from bot.text.analysis import analyzer, fold, language_of, words
from bot.text.lang import detect_language
from bot.text.names import NAME, NUMBER, name_key, name_keys, number_keys

MIN_SHARE = 0.3
EXACT = "="  # a word as written, beside the NAME and NUMBER keys of bot.text.names
REPORTED_DAYS = 3  # a report names days shortly before it was published ("on Monday")
# Scale words after a number, by their first letters (тысяч, тыс., млн, миллиона...).
_SCALES = (
    ("thousand", 3),
    ("тыс", 3),
    ("million", 6),
    ("mln", 6),
    ("млн", 6),
    ("миллион", 6),
    ("billion", 9),
    ("bn", 9),
    ("млрд", 9),
    ("миллиард", 9),
    ("trillion", 12),
    ("трлн", 12),
)
_SCALED = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(" + "|".join(p for p, _ in _SCALES) + r")\w*", re.IGNORECASE
)
_WORD = re.compile(r"[^\W\d_][\w'’]*")
_POSSESSIVE = re.compile(r"['’]s?$")
# Words that open a sentence and name nothing ("However, ...", "Несмотря на ..."): capitalised
# only by their place, so not checked as names (they still count as content words).
_OPENER_WORDS = """however additionally consequently notably despite amid amidst similarly
    instead meanwhile furthermore moreover overall following although though while since after
    before during also further thus therefore nevertheless nonetheless earlier later today
    yesterday separately subsequently ultimately finally first second third previously currently
    recently initially однако кроме также затем после ранее позже несмотря впрочем тем между
    помимо поэтому сегодня вчера"""
_OPENERS = frozenset(_OPENER_WORDS.split())


@dataclass(frozen=True, slots=True)
class Evidence:
    """What some articles support: number and date keys, name keys, terms per language."""

    numbers: frozenset[str]
    names: frozenset[str]
    terms: dict[str, frozenset[str]]  # language → content terms of its articles


def evidence(articles: Iterable[Article]) -> Evidence:
    """Return the evidence of the articles (titles, bodies and publication dates)."""
    numbers: set[str] = set()
    names: set[str] = set()
    terms: dict[str, set[str]] = {}
    for article in articles:
        text = f"{article.title}\n{article.body}"
        week = [article.published - timedelta(days=d) for d in range(REPORTED_DAYS + 1)]
        numbers.update(number_keys(text, shortest=1))
        numbers.update(_scaled(text).values())
        numbers.add(f"{NUMBER}{article.published.year}")
        numbers.update(f"{NUMBER}{d.month}/{d.day}" for d in week)
        names |= _name_keys(text, article.lang)
        terms.setdefault(article.lang, set()).update(analyzer(article.lang).terms(text))
    return Evidence(
        frozenset(numbers), frozenset(names), {k: frozenset(v) for k, v in terms.items()}
    )


def _name_keys(text: str, lang: str) -> set[str]:
    """Return the keys of the names of text, and its words as they are (folded, lower-cased).

    Skeletons are loose by design (they join stories); only the text's own names get one, so a
    made-up name rarely meets a common word's skeleton. Plain words support a capitalised word
    exactly ("Ministry", "Joe", whose skeleton is too short to have one) and joined pairs of
    words a one-word spelling (South East, Southeast).
    """
    low = [fold(w.lower()) for w in words(text)]
    plain = {EXACT + w for w in itertools.chain(low, (a + b for a, b in itertools.pairwise(low)))}
    return set(name_keys(text, lang)) | plain


def unsupported(sentence: str, lang: str, found: Evidence, min_share: float = MIN_SHARE) -> str:
    """Return why the sentence is not supported by the evidence ('' when it is)."""
    why = _unsupported_number(sentence, found) or _unsupported_name(sentence, lang, found)
    if why or lang not in found.terms:
        return why
    share = content_share(sentence, lang, found.terms[lang])
    return f"words {share:.2f}" if share < min_share else ""


def _unsupported_number(sentence: str, found: Evidence) -> str:
    """Return the first number or date of the sentence its evidence lacks ('' if none)."""
    keys = number_keys(sentence, shortest=1)
    scaled = _scaled(sentence)
    days = {key.rsplit("/", 1)[1] for key in keys if "/" in key}
    for key in keys:
        # The day of a date ("September 22") is checked as the date, not as a number.
        if key in found.numbers or key.removeprefix(NUMBER) in days:
            continue
        if scaled.get(key, key) not in found.numbers:
            return "date" if "/" in key else f"number {key.removeprefix(NUMBER)}"
    return ""


def _unsupported_name(sentence: str, lang: str, found: Evidence) -> str:
    """Return the first name of the sentence its evidence lacks ('' if none)."""
    # Across languages a capitalised first word is as often a common noun ("Суд", "Police") as
    # a name, and no article of the sentence's language can tell: only later names are checked.
    code = language_of(lang)
    for name in names_of(sentence, first=lang in found.terms):
        low = name.lower()
        keys = {NAME + key for key in name_key(low, code)} | {EXACT + fold(low)}
        if not keys & found.names:
            return f"name {name}"
    return ""


def _scaled(text: str) -> dict[str, str]:
    """Return the key of each number written with a scale word → the key of its value.

    "300 тысяч" is 300,000 and "1.2 million" 1,200,000: a brief may say it either way.
    """
    out: dict[str, str] = {}
    for match in _SCALED.finditer(text):
        number, word = match.groups()
        scale = next(e for prefix, e in _SCALES if word.lower().startswith(prefix))
        (key,) = number_keys(number, shortest=1) or ("",)
        with contextlib.suppress(InvalidOperation):
            value = Decimal(key.removeprefix(NUMBER)).scaleb(scale)
            out[key] = f"{NUMBER}{value.normalize():f}".removesuffix(".0")
    return out


def content_share(sentence: str, lang: str, known: frozenset[str]) -> float:
    """Return the share of the sentence's content terms that are among known (1.0 if none)."""
    terms = analyzer(lang).terms(sentence)
    if not terms:
        return 1.0
    return sum(term in known for term in terms) / len(terms)


def names_of(sentence: str, first: bool = True) -> list[str]:
    """Return the capitalised words of a sentence (not stop words or months), possessives cut."""
    stop = analyzer("").stop_words
    out = []
    for word in _WORD.findall(sentence)[0 if first else 1 :]:
        word = _POSSESSIVE.sub("", word)
        low = word.lower()
        if len(word) < 2 or not word[0].isupper() or fold(low) in stop or low in _OPENERS:
            continue
        if not _is_month(word):
            out.append(word)
    return out


def _is_month(word: str) -> bool:
    """Tell whether a word names a month (the date rule of bot.text.names reads "WORD 1")."""
    return any("/" in key for key in number_keys(f"{word} 1"))


def ground(answer: str, sources: Sequence[Article], lang: str) -> tuple[Brief | None, list[str]]:
    """Return the brief of the answer's supported sentences (None if none) and why others fell.

    CPU work: the writer runs it on a worker thread.
    """
    sentences = parse(answer, len(sources))
    if sentences is None:
        return None, ["answer rejected: a link, markup, no citation or a citation out of range"]
    kept, dropped = [], []
    for sentence in sentences:
        cited = [sources[n - 1] for n in sentence.cites]
        # Across languages no content word is compared, so a sentence left in its articles'
        # language would pass among the others. Only that language drops it: one short
        # sentence is often misread ("Biden met Zelensky in Kyiv." reads as Dutch).
        said = detect_language(sentence.text)
        left = said != lang and said in {a.lang for a in cited}
        why = f"written in {said}, not {lang}" if left else ""
        why = why or unsupported(sentence.text, lang, evidence(cited))
        if why:
            dropped.append(f"sentence dropped: {why}")
        else:
            kept.append(sentence)
    kept = fit(kept)
    if not kept:
        return None, dropped
    said = detect_language(" ".join(s.text for s in kept))
    if said != lang:
        return None, [*dropped, f"answer rejected: written in {said}, not {lang}"]
    return Brief(tuple(kept), tuple(sources), lang), dropped
