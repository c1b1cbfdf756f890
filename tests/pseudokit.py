"""A pseudo-locale and the rule that a Russian chat reads nothing but the catalog.

`write_pseudo_catalog` turns the Russian catalog into one whose every translation is wrapped
in ⟦…⟧ (each plural form too), to be installed as the bot's `ru` (Config.locale_dir): the
chat stays Russian for Babel's dates, numbers and plural rules, and every catalog string
shows where it starts and ends. `Checker` then reads what the user saw.

The rule, segment by segment:
1. Innermost first, each ⟦…⟧ segment must be one catalog translation, its literal text exact
   and each placeholder (`{name}`) filled by a value that itself obeys rule 3, or by
   segments already checked (a translated string inside another, "⟦…⟦все новости⟧…⟧").
2. A ⟦ without its ⟧, or a ⟧ without its ⟦, is a catalog string cut or glued: a leak.
3. Outside segments (and inside placeholders) only dynamic values may stand: numbers,
   punctuation and symbols; URLs; /commands and @the_bot; time-zone names; dates and
   durations as Babel writes them for Russian; each language's name in itself (the
   /language buttons); words of the data the test itself supplied (article titles,
   bodies and sources, feed titles and ids, what the user typed that the bot echoes);
   and whole phrases the test names as a library's own text, which no catalog can hold
   (feedparser's "text/html is not an XML media type" inside a translated reason).
   The data is Cyrillic on purpose, so any Latin word left over is English the catalog
   never saw.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from babel import Locale
from babel.dates import format_timedelta
from babel.messages.pofile import read_po, write_po

from bot.i18n.catalogs import LOCALE_DIR

OPEN, CLOSE = "⟦", "⟧"
_INNERMOST = re.compile(f"{OPEN}([^{OPEN}{CLOSE}]*){CLOSE}")
_CHECKED = "\x00"  # stands for a segment already checked
_PLACEHOLDER = re.compile(r"{\w+}")
_URL = re.compile(r"[a-z]+://\S+")
_COMMAND = re.compile(r"(?<![\w/])/[a-z_]+(@\w+)?")
_ZONE = re.compile(r"\b(?:[A-Z][A-Za-z_]+/[A-Za-z_/+-]+|UTC)\b")
_WORD = re.compile(r"[^\W\d_]+")


def write_pseudo_catalog(root: Path, code: str = "ru") -> Path:
    """Write the pseudo catalog as `root/<code>/LC_MESSAGES/newsbrief.po`; return root."""
    with (LOCALE_DIR / code / "LC_MESSAGES" / "newsbrief.po").open("rb") as fh:
        catalog = read_po(fh, locale=code)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.string, tuple):
            message.string = tuple(f"{OPEN}{s}{CLOSE}" for s in message.string)
        else:
            message.string = f"{OPEN}{message.string}{CLOSE}"
    folder = root / code / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "newsbrief.po").open("wb") as fh:
        write_po(fh, catalog)
    return root


def _template(text: str) -> re.Pattern[str]:
    """Return the pattern of a translation as the user sees it (tags gone, placeholders open)."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    parts = _PLACEHOLDER.split(plain)
    return re.compile("(.*?)".join(re.escape(p) for p in parts), re.DOTALL)


def _templates(code: str = "ru") -> list[re.Pattern[str]]:
    """Return the patterns of every translation of the real catalog (the pseudo one's insides)."""
    with (LOCALE_DIR / code / "LC_MESSAGES" / "newsbrief.po").open("rb") as fh:
        catalog = read_po(fh, locale=code)
    texts: set[str] = set()
    for message in catalog:
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            texts.update(s for s in strings if s)
    return [_template(t) for t in sorted(texts, key=len, reverse=True)]


def _babel_words(code: str = "ru") -> set[str]:
    """Return the words Babel writes in this locale's dates and durations."""
    locale = Locale.parse(code)
    words: set[str] = {"г"}
    for width in ("abbreviated", "wide"):
        words.update(locale.months["format"][width].values())
        words.update(locale.days["format"][width].values())
    units = ("seconds", "minutes", "hours", "days", "weeks")
    for unit in units:
        for n in range(0, 60):
            words.update(format_timedelta(timedelta(**{unit: n}), locale=code).split())
    return {w.strip(".").casefold() for phrase in words for w in _WORD.findall(phrase)}


@dataclass
class Checker:
    """Check texts a user saw against the pseudo catalog; collect every leak found."""

    data: Iterable[str]
    bot_username: str
    phrases: tuple[str, ...] = ()  # a library's own texts, allowed only whole
    names: tuple[str, ...] = ("English", "Русский", "русский", "английский")
    leaks: list[str] = field(default_factory=list)
    seen: int = 0

    def __post_init__(self) -> None:
        self._templates = _templates()
        self._vocabulary = {w.casefold() for text in self.data for w in _WORD.findall(text)}
        self._vocabulary |= _babel_words() | {n.casefold() for n in self.names}

    def check(self, where: str, text: str | None) -> None:
        """Check one text (a message, button, alert or inline result field)."""
        if not text:
            return
        self.seen += 1
        problem = self.problem(text)
        if problem:
            self.leaks.append(f"{where}: {problem} in {text[:160]!r}")

    def problem(self, text: str) -> str | None:
        """Return what is not from the catalog in text, or None when all of it is."""
        while match := _INNERMOST.search(text):
            inside = match[1]
            found = next(
                (t.fullmatch(inside) for t in self._templates if t.fullmatch(inside)), None
            )
            if found is None:
                return f"{OPEN}{inside}{CLOSE} is no catalog string"
            for value in found.groups():
                stray = self._stray(value)
                if stray:
                    return f"{stray!r} in a placeholder of {OPEN}{inside}{CLOSE}"
            text = text[: match.start()] + _CHECKED + text[match.end() :]
        if OPEN in text or CLOSE in text:
            return "a catalog string cut in two"
        stray = self._stray(text)
        return f"{stray!r} outside the catalog" if stray else None

    def _stray(self, text: str) -> str | None:
        """Return the first word of text that is no dynamic value (rule 3), if any."""
        for phrase in self.phrases:
            text = text.replace(phrase, " ")
        text = _URL.sub(" ", text)
        text = _COMMAND.sub(" ", text.replace(f"@{self.bot_username}", " "))
        text = _ZONE.sub(" ", text)
        for word in _WORD.findall(text):
            if word.casefold() not in self._vocabulary:
                return word
        return None
