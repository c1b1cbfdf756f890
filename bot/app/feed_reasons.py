"""Say why a feed failed in the reader's language: the feed code's English reasons, read back.

bot/feeds writes its reasons and statuses in English, and keeps them so (the users file, the
CLI, logs). Each is built from one of the templates below, copied from where bot/feeds writes
it; `say_reason` matches a stored reason against them and says it with the catalog, its
placeholders said the same way in turn (a reason inside a status). What matches nothing, such
as a library's own exception text, is shown as it came: it is data, like a URL.
"""

from __future__ import annotations

import re
from functools import cache

from bot.i18n import N_, Translator

TEMPLATES = (
    N_("not fetched yet"),
    N_("not modified"),
    N_("{new} new of {items} items"),
    N_("{status} (warning: {problem})"),
    N_("error: {reason}"),
    N_("deactivated: failing since {since} UTC ({reason})"),
    N_("not an RSS, Atom or JSON feed; the page links to its feed: {url}"),
    N_("not an RSS, Atom or JSON feed ({detail})"),
    N_("not an RSS, Atom or JSON feed"),
    N_("malformed feed"),
    N_("already added as {id} ({title})"),
    N_("the interval must be at least {minutes} minutes"),
    N_("only http:// and https:// URLs can be feeds"),
    N_("the URL has no host name"),
    N_("URLs with a user name or password are not accepted"),
    N_("not a valid URL ({detail})"),
    N_("refused: {problem}"),
    N_("{host} resolves to {problem}"),
    N_("{address} is a loopback address"),
    N_("{address} is a link-local address"),
    N_("{address} is a private or reserved address"),
    N_("cannot resolve {host} ({detail})"),
    N_("no complete answer within {seconds} s (timed out)"),
    N_("redirect loop ({url} was visited before)"),
    N_("too many redirects (more than {n})"),
    N_("redirected to an invalid URL ({detail})"),
    N_("response larger than {n} MB cap"),
    N_("connection timed out ({detail})"),
    N_("server stopped answering (read timed out) ({detail})"),
    N_("cannot connect ({detail})"),
    N_("broken HTTP response ({detail})"),
    N_("connection timed out"),
    N_("server stopped answering (read timed out)"),
    N_("timed out"),
    N_("cannot connect"),
    N_("broken HTTP response"),
    N_("response body could not be decoded"),
    N_("internal error: {detail}"),
)
_PLACEHOLDER = re.compile(r"{(\w+)}")


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Return each template with the pattern that reads it back (fixed text first matches)."""
    found = []
    for template in TEMPLATES:
        parts = _PLACEHOLDER.split(template)
        regex = "".join(
            re.escape(part) if k % 2 == 0 else f"(?P<{part}>.+?)" for k, part in enumerate(parts)
        )
        found.append((template, re.compile(regex, re.DOTALL)))
    return tuple(found)


def say_reason(text: str, tr: Translator, depth: int = 0) -> str:
    """Return a feed reason or status in tr's language (as it came when no template fits)."""
    for template, pattern in _patterns():
        match = pattern.fullmatch(text)
        if match is None:
            continue
        values = {
            name: say_reason(value, tr, depth + 1) if depth < 3 else value
            for name, value in match.groupdict().items()
        }
        if "new" in values and "items" in values:  # a count: said with its plural
            return _counted(values, tr)
        return tr.gettext(template).format(**values)
    return text


def _counted(values: dict[str, str], tr: Translator) -> str:
    """Return "N new of M items" with the plural forms of the reader's language."""
    items = int(values["items"]) if values["items"].isdigit() else 0
    text = tr.ngettext("{new} new of {items} item", "{new} new of {items} items", items)
    return text.format(**values)
