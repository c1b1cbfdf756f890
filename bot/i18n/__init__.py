"""The bot's own texts in the reader's language: gettext catalogs (Babel) and locale formats.

A `Translator` is made for one chat's language and handed down explicitly: handlers get it from
the Application's `Catalogs`, and pass it to the functions that build replies. Strings are
marked where they are written, `_("...")` on a translator's `gettext` bound to `_`, or
`N_("...")` for a module-level constant translated later; `pybabel extract` finds both.
"""

from __future__ import annotations

from bot.i18n.catalogs import DEFAULT, Catalogs, Translator, negotiate
from bot.i18n.keywords import keyword, word


def N_(message: str) -> str:
    """Mark a string for extraction without translating it (translated where it is shown)."""
    return message


__all__ = ["DEFAULT", "N_", "Catalogs", "Translator", "keyword", "negotiate", "word"]
