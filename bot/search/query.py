"""The search query language, parsed into a plain value: no regular expressions, never raises.

Syntax: words (all must match), `"exact phrase"`, `-word` / `-"phrase"` (exclude), `a OR b`
(either; binds tighter than the implicit AND), `source:name` or `source:"two words"` (and
`-source:name`, `-lang:xx` to leave one out; `-since:` is `before:`, `-before:` is `since:`),
`lang:xx` (an ISO 639-1 code: "lang:ru" is Russian news; "lang:rus" is read as "ru"),
`since:YYYY-MM-DD` (inclusive), `before:YYYY-MM-DD` (exclusive). A filter whose value does not
parse is kept in `bad_filters`, neither searched as words nor applied: the reader is told, not
given results for "since" and "garbage". HTML tags (`<b>`, `</i>`, `<a href=…>`) are dropped
(see `_strip_tags`). The last word is a prefix (search as you type) unless the query ends with
a space. Queries are cut to 256 characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from babel.core import get_global

MAX_QUERY_CHARS = 256
_FILTER_KEYS = ("source", "since", "before", "lang")
# Tags of pasted HTML, as Telegram and web pages use them. Only these: Reuters writes tickers
# the same way ("GE <GE>", "<ANDR.O>"), and a ticker is a word someone may search for.
_HTML_TAGS = frozenset(
    {"a", "b", "br", "code", "div", "em", "i", "p", "pre", "s", "span", "strong", "u"}
)


# Typographic quotes (phones' smart punctuation, pasted headlines) quote as '"' does.
_QUOTES = str.maketrans(dict.fromkeys("“”„‟«»", '"'))
# Invisible marks pasted with a word (soft hyphens, zero-width spaces and joiners, bidi marks
# from web pages and RTL text) are no gap between letters: dropped, not made a space. The
# zero-width non-joiner stays a break: Persian writes it inside words, where the index breaks.
INVISIBLE = dict.fromkeys(
    map(ord, "\u00ad\u061c\u200b\u200d\u200e\u200f\u2060\ufeff"), None
) | dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)], None)


@dataclass(frozen=True)
class Term:
    """A bare word or a quoted phrase, as typed."""

    text: str
    phrase: bool = False

    def render(self) -> str:
        """Return the term in query syntax."""
        return f'"{self.text}"' if self.phrase else self.text


@dataclass(frozen=True)
class BadFilter:
    """A filter whose value does not parse, e.g. `since:garbage`."""

    key: str
    value: str

    def render(self) -> str:
        """Return the filter as typed (quoted when its value has spaces)."""
        return f'{self.key}:"{self.value}"' if " " in self.value else f"{self.key}:{self.value}"


@dataclass(frozen=True)
class ParsedQuery:
    """A parsed query: an AND of groups, each group an OR of terms, plus exclusions and filters."""

    text: str
    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    sources: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    excluded_sources: tuple[str, ...] = ()  # `-source:x`
    excluded_langs: tuple[str, ...] = ()  # `-lang:xx`
    since: date | None = None
    before: date | None = None
    prefix: bool = False
    bad_filters: tuple[BadFilter, ...] = ()

    def render(self, replace: dict[str, str] | None = None) -> str:
        """Return the query in its own syntax, with words swapped as in `replace`."""
        swap = replace or {}
        parts = [
            " OR ".join(Term(swap.get(t.text, t.text), t.phrase).render() for t in group)
            for group in self.groups
        ]
        parts += ["-" + t.render() for t in self.excluded]
        parts += [f'source:"{s}"' if " " in s else f"source:{s}" for s in self.sources]
        parts += [f"lang:{code}" for code in self.langs]
        parts += [f'-source:"{s}"' if " " in s else f"-source:{s}" for s in self.excluded_sources]
        parts += [f"-lang:{code}" for code in self.excluded_langs]
        if self.since:
            parts.append(f"since:{self.since.isoformat()}")
        if self.before:
            parts.append(f"before:{self.before.isoformat()}")
        return " ".join(parts)


@dataclass(frozen=True)
class _Token:
    text: str
    quoted: bool
    negated: bool = False
    key: str | None = None


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """Read from after an opening quote to the closing one (or the end)."""
    end = text.find('"', start)
    if end < 0:
        return text[start:], len(text)
    return text[start:end], end + 1


def _read_token(text: str, i: int) -> tuple[_Token, int]:
    """Read one token starting at a non-space position i."""
    negated = text[i] == "-" and i + 1 < len(text) and not text[i + 1].isspace()
    if negated:
        i += 1
    if text[i] == '"':
        value, i = _read_quoted(text, i + 1)
        return _Token(value, True, negated), i
    start = i
    while i < len(text) and not text[i].isspace() and text[i] != '"':
        i += 1
    word = text[start:i]
    key, sep, rest = word.partition(":")
    if sep and key.lower() in _FILTER_KEYS:
        if not rest and i < len(text) and text[i] == '"':
            value, i = _read_quoted(text, i + 1)
            return _Token(value, True, negated, key.lower()), i
        return _Token(rest, False, negated, key.lower()), i
    return _Token(word, False, negated), i


def _strip_tags(text: str) -> str:
    """Replace each HTML tag (`<b>`, `</i>`, `<a href="…">`, `<br/>`) with a space.

    Pasted from a web page or a message, `<b>oil</b>` means the word "oil": searched as
    typed, the tag's name became a word ("b oil b") that no article holds.
    """
    out: list[str] = []
    i = 0
    while (start := text.find("<", i)) >= 0:
        close = text.find(">", start)
        inner = text[start + 1 : close] if close > 0 else ""
        name, *attributes = inner.removeprefix("/").removesuffix("/").split(maxsplit=1) or [""]
        # Attributes are name=value: "a<b 3>2" compares numbers, it holds no tag.
        tag = name in _HTML_TAGS and all("=" in a for a in attributes)
        if tag and "<" not in inner:
            # Right after a minus ("-<b>opec</b>") the tag goes without a space: the minus
            # still excludes the word, it does not stand alone.
            out += [text[i:start], "" if text[i:start].endswith("-") else " "]
            i = close + 1
        else:
            out.append(text[i : start + 1])
            i = start + 1
    out.append(text[i:])
    return "".join(out)


def _tokens(text: str) -> list[_Token]:
    """Split query text into tokens, honouring quotes and leading minus signs."""
    out: list[_Token] = []
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        token, i = _read_token(text, i)
        out.append(token)
    return out


def _two_letters(code: str) -> str:
    """Return the ISO 639-1 code of a three-letter one ("rus" → "ru"), else the code as given.

    Articles carry two-letter codes; "lang:rus", as many apps write it, matched none of them.
    A language with no two-letter code keeps its three ("fil").
    """
    alias = get_global("language_aliases").get(code) if len(code) == 3 else None
    return alias if isinstance(alias, str) and alias.isalpha() else code


def _parse_date(value: str) -> date | None:
    """Return the date of a YYYY-MM-DD string, or None."""
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


@dataclass
class _Filters:
    """The filters of a query as they are read."""

    sources: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    not_sources: list[str] = field(default_factory=list)
    not_langs: list[str] = field(default_factory=list)
    dates: dict[str, date] = field(default_factory=dict)
    bad: list[BadFilter] = field(default_factory=list)

    def add(self, key: str, raw: str, negated: bool = False) -> None:
        """Record a `key:value` filter (`-key:value` leaves out), or a bad one that won't parse."""
        value = raw.strip()
        if key == "source" and value:
            (self.not_sources if negated else self.sources).append(value)
        elif key == "lang" and 2 <= len(value) <= 3 and value.isascii() and value.isalpha():
            (self.not_langs if negated else self.langs).append(_two_letters(value.lower()))
        elif key in ("since", "before") and (day := _parse_date(value)) is not None:
            # Not on or after a day is before it, and not before it is on or after it.
            self.dates[{"since": "before", "before": "since"}[key] if negated else key] = day
        else:
            self.bad.append(BadFilter(key, value))


def _unpossessed(word: str) -> str:
    """Return a word without its possessive "'s": "navy's" was the phrase "navy s"."""
    if len(word) > 2 and word[-2] in "'’" and word[-1] in "sS" and word[-3].isalpha():
        return word[:-2]
    return word


def parse_query(text: str) -> ParsedQuery:
    """Parse query text into a ParsedQuery; pure, total, never raises."""
    text = (text if isinstance(text, str) else "")[:MAX_QUERY_CHARS]
    # Every search passes here: digest topics, /brief's words and the CLI are not cleaned.
    words = _strip_tags(text.translate(INVISIBLE)).translate(_QUOTES)
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    filters = _Filters()
    join_next = last_word = False
    for word in _tokens(words):
        last_word = False
        if word.key is not None:
            filters.add(word.key, word.text, word.negated)
            continue
        if not word.text.strip():
            continue
        if not word.quoted and word.text == "OR" and not word.negated:
            join_next = bool(groups)
            continue
        term = Term(word.text.strip() if word.quoted else _unpossessed(word.text), word.quoted)
        if word.negated:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
        last_word = not word.quoted and not word.negated
    return ParsedQuery(
        text=text,
        groups=tuple(tuple(g) for g in groups),
        excluded=tuple(excluded),
        sources=tuple(filters.sources),
        langs=tuple(dict.fromkeys(filters.langs)),
        excluded_sources=tuple(filters.not_sources),
        excluded_langs=tuple(dict.fromkeys(filters.not_langs)),
        since=filters.dates.get("since"),
        before=filters.dates.get("before"),
        prefix=last_word and not words[-1:].isspace(),
        bad_filters=tuple(filters.bad),
    )
