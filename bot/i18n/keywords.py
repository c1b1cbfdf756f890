"""Words typed after a command (`all`, `off`, `week`), read in English and the reader's language.

One list for every command, so a word that works in English works in Russian wherever it is
typed. Each has the catalog context "command word": the same English shown as a label may be
said otherwise ("off" for a feed is "отключена", typed after /quiet it is "выкл"). A
translation may list the other ways readers type a word after "|": the first is the one shown
("неделя|неделю|за неделю": "/brief за неделю" is how Russian asks for a week).
"""

from __future__ import annotations

from bot.i18n.catalogs import Translator


def _words(tr: Translator) -> dict[str, str]:
    """Return each command word as a reader of tr's language types it."""
    return {
        "all": tr.pgettext("command word", "all"),
        "off": tr.pgettext("command word", "off"),
        "24h": tr.pgettext("command word", "24h"),
        "today": tr.pgettext("command word", "today"),
        "week": tr.pgettext("command word", "week"),
    }


def _fold(text: str) -> str:
    """Return text as compared: one space, no case, ё as е (Russian writes either: "всё")."""
    return " ".join(text.split()).casefold().replace("ё", "е")


def keyword(text: str, tr: Translator, *choices: str) -> str | None:
    """Return which of choices text is, typed in English (in any chat) or in tr's language."""
    folded = _fold(text)
    words = _words(tr)
    return next(
        (key for key in choices if folded in (key, *map(_fold, words[key].split("|")))), None
    )


def word(key: str, tr: Translator) -> str:
    """Return the command word key as a reader of tr's language types it ("выкл")."""
    return _words(tr)[key].split("|")[0]
