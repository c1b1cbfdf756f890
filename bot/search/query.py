"""The search query language, parsed into a plain value: no regular expressions, never raises.

Syntax: words (all must match), `"exact phrase"`, `-word` / `-"phrase"` (exclude), `a OR b`
(either; binds tighter than the implicit AND), `source:name` or `source:"two words"`,
`lang:xx` (an ISO 639-1 code: "lang:ru" is Russian news), `since:YYYY-MM-DD` (inclusive), `before:YYYY-MM-DD` (exclusive). An operator with a value that
does not parse is searched as ordinary words. The last word is a prefix (search as you type)
unless the query ends with a space. Queries are cut to 256 characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MAX_QUERY_CHARS = 256
_FILTER_KEYS = ("source", "since", "before", "lang")


@dataclass(frozen=True)
class Term:
    """A bare word or a quoted phrase, as typed."""

    text: str
    phrase: bool = False

    def render(self) -> str:
        """Return the term in query syntax."""
        return f'"{self.text}"' if self.phrase else self.text


@dataclass(frozen=True)
class ParsedQuery:
    """A parsed query: an AND of groups, each group an OR of terms, plus exclusions and filters."""

    text: str
    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    sources: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    since: date | None = None
    before: date | None = None
    prefix: bool = False

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
    if sep and key.lower() in _FILTER_KEYS and not negated:
        if not rest and i < len(text) and text[i] == '"':
            value, i = _read_quoted(text, i + 1)
            return _Token(value, True, key=key.lower()), i
        return _Token(rest, False, key=key.lower()), i
    return _Token(word, False, negated), i


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


def _parse_date(value: str) -> date | None:
    """Return the date of a YYYY-MM-DD string, or None."""
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _apply_filter(
    token: _Token, sources: list[str], langs: list[str], dates: dict[str, date]
) -> _Token | None:
    """Record a `key:value` filter; return it as a plain word when its value does not parse."""
    assert token.key is not None
    value = token.text.strip()
    if token.key == "source" and value:
        sources.append(value)
        return None
    if token.key == "lang" and 2 <= len(value) <= 3 and value.isascii() and value.isalpha():
        langs.append(value.lower())
        return None
    day = _parse_date(value) if token.key in ("since", "before") else None
    if day is not None:
        dates[token.key] = day
        return None
    return _Token(f"{token.key}:{value}", False)


def parse_query(text: str) -> ParsedQuery:
    """Parse query text into a ParsedQuery; pure, total, never raises."""
    text = (text if isinstance(text, str) else "")[:MAX_QUERY_CHARS]
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    sources: list[str] = []
    langs: list[str] = []
    dates: dict[str, date] = {}
    join_next = last_word = False
    for token in _tokens(text):
        last_word = False
        word = _apply_filter(token, sources, langs, dates) if token.key is not None else token
        if word is None or not word.text.strip():
            continue
        if not word.quoted and word.text == "OR" and not word.negated:
            join_next = bool(groups)
            continue
        term = Term(word.text.strip() if word.quoted else word.text, word.quoted)
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
        sources=tuple(sources),
        langs=tuple(dict.fromkeys(langs)),
        since=dates.get("since"),
        before=dates.get("before"),
        prefix=last_word and not text[-1:].isspace(),
    )
