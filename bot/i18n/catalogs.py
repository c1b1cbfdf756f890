"""Load the compiled catalogs of `bot/i18n/locale`, or compile a missing or stale one in memory.

`make` compiles the catalogs at install time (`pybabel compile`); a checkout that skipped it
(a fresh clone run with `python -m bot`, an edited .po) still works: the loader compiles the
.po with babel.messages when its .mo is missing or older. Adding a language is adding
`locale/<code>/LC_MESSAGES/newsbrief.po` (see README).
"""

from __future__ import annotations

import gettext
import io
import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_time, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

log = logging.getLogger(__name__)

DOMAIN = "newsbrief"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT = "en"


def available(locale_dir: Path = LOCALE_DIR) -> tuple[str, ...]:
    """Return the languages with a catalog, English (the source language) first."""
    found = sorted(p.parent.parent.name for p in locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (DEFAULT, *(code for code in found if code != DEFAULT))


def negotiate(code: str | None, languages: tuple[str, ...]) -> str:
    """Return the language to use for a Telegram language_code ("ru", "pt-br"), else English."""
    if not code:
        return DEFAULT
    base = code.replace("_", "-").split("-", 1)[0].lower()
    return base if base in languages else DEFAULT


def _load(code: str, locale_dir: Path) -> gettext.NullTranslations:
    """Return a language's translations: the .mo when current, else the .po compiled now."""
    folder = locale_dir / code / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    if not po.exists():
        return gettext.NullTranslations()
    return gettext.GNUTranslations(io.BytesIO(_compiled(po, code, po.stat().st_mtime_ns)))


@cache
def _compiled(po: Path, code: str, version: int) -> bytes:
    """Return the .po compiled to .mo bytes, once per process and version of the file.

    An installed package without .mo files (`pip install .`, the Docker image) compiled each
    catalog for every Catalogs made: three times per start of the bot, before polling.
    """
    log.info("compiling the %s catalog in memory (no current .mo)", code)
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=code, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


@dataclass(frozen=True)
class Translator:
    """One language's messages and formats: `gettext`, `ngettext`, dates, times, numbers."""

    lang: str
    messages: gettext.NullTranslations = field(repr=False)

    @classmethod
    def english(cls) -> Translator:
        """Return the source language, untranslated (for callers without a chat)."""
        return _english()

    @property
    def locale(self) -> Locale:
        """Return the Babel locale of this language."""
        return Locale.parse(self.lang)

    def gettext(self, message: str) -> str:
        """Return the message in this language (itself when untranslated)."""
        return self.messages.gettext(message)

    def pgettext(self, context: str, message: str) -> str:
        """Return the message meant in context ("command word"), apart from the same English."""
        return self.messages.pgettext(context, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Return the form of the message for the number n."""
        return self.messages.ngettext(singular, plural, n)

    def date(self, moment: datetime) -> str:
        """Return a day in this locale's medium style: "Mar 5, 2026", "5 мар. 2026 г."."""
        return format_date(moment, "medium", locale=self.lang)

    def date_time(self, moment: datetime) -> str:
        """Return a day and a 24-hour time: "Mar 5, 2026, 07:30", "5 мар. 2026 г., 07:30".

        The time is 24-hour in every language, as /subscribe takes it (HH:MM); the date and
        how the two are joined are the locale's.
        """
        joined = str(self.locale.datetime_formats["medium"])
        return joined.replace("{1}", self.date(moment)).replace("{0}", self.time(moment))

    def time(self, moment: datetime | time) -> str:
        """Return hours and minutes, 24-hour ("07:30"): of a moment, or of a time of day."""
        return format_time(moment, "HH:mm", tzinfo=moment.tzinfo, locale=self.lang)

    def duration(self, span: timedelta) -> str:
        """Return a span in its largest sensible unit: "3 days", "5 часов"."""
        return format_timedelta(span, locale=self.lang)

    def number(self, value: float) -> str:
        """Return a number with this locale's grouping ("31,403", "31 403")."""
        return format_decimal(value, locale=self.lang)


@cache
def _english() -> Translator:
    """Return the one untranslated Translator (immutable, so shared)."""
    return Translator(DEFAULT, gettext.NullTranslations())


class Catalogs:
    """Every language's Translator, loaded once at start (a service: no module state)."""

    def __init__(self, locale_dir: Path | None = None) -> None:
        """Load every catalog of locale_dir (the bot's own, bot/i18n/locale, by default)."""
        locale_dir = locale_dir or LOCALE_DIR
        self.languages = available(locale_dir)
        self._translators = {
            code: Translator(code, _load(code, locale_dir)) for code in self.languages
        }

    def get(self, code: str | None) -> Translator:
        """Return the Translator for a language code; unknown codes get English."""
        return self._translators[negotiate(code, self.languages)]
