"""Why a query searched nothing, told to the reader: a filter not understood, only common words.

Lists, briefs and /summary show it as a message; inline mode, which has no message to show,
as the button above an empty result (at most 64 characters, as Telegram allows).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot import render
from bot.digests.matching import Searcher
from bot.i18n import N_, Translator
from bot.search import SearchResult
from bot.search.query import BadFilter, parse_query

# What each filter takes, shown under the one not understood.
FORMS = {
    "since": N_("write a day as <code>since:2021-08-01</code> (that day or later)."),
    "before": N_("write a day as <code>before:2021-09-01</code> (before that day)."),
    "lang": N_("write a language code, e.g. <code>lang:ru</code> or <code>lang:en</code>."),
    "source": N_(
        'write a source\'s name, e.g. <code>source:reuters</code> or <code>source:"bbc news"</code>.'
    ),
}
HINTS = {
    "since": N_("since: write a day, e.g. since:2021-08-01"),
    "before": N_("before: write a day, e.g. before:2021-09-01"),
    "lang": N_("lang: write a language code, e.g. lang:ru"),
    "source": N_("source: write a source, e.g. source:reuters"),
}
NOT_UNDERSTOOD = N_("I don't understand {filter} — {forms}")
COMMON_WORDS = N_(
    "Nothing to search for in {query}: common words such as “the” or “of” and punctuation "
    "are in every article. Add a word that names what you are looking for."
)
COMMON_WORDS_HINT = N_("Only common words: add one that names the topic")
HINT_LIMIT = 64


def query_problem(result: SearchResult | None, tr: Translator) -> str | None:
    """Return the HTML telling why the query searched nothing, or None when it searched."""
    _ = tr.gettext
    if result is None:
        return None
    if result.bad_filters:
        return _not_understood(result.bad_filters, tr)
    if result.only_common_words:
        return _(COMMON_WORDS).format(query=f"<b>{render.escape(result.query)}</b>")
    return None


def topic_problem(topic: str, tr: Translator, search: Searcher | None = None) -> str | None:
    """Return the HTML telling why a digest topic would search nothing, or None when it can.

    A topic is a search: a filter it cannot read ("since:garbage") searches nothing, and so
    do common words alone ("the of and"), where a digest would bring all news under them.
    """
    parsed = parse_query(topic)
    if parsed.bad_filters:
        return _not_understood(parsed.bad_filters, tr)
    if not topic.strip():
        return None  # all news
    # "OR" or '""' alone asks for nothing; with the digest's since: it would find everything.
    asks = parsed.groups or parsed.excluded or parsed.sources or parsed.langs
    asks = asks or parsed.excluded_sources or parsed.excluded_langs  # "-lang:en": all but English
    # The trailing space searches the last word whole, as a digest does (bot.digests.matching).
    if not (asks or parsed.since or parsed.before) or (
        search is not None and search.search(f"{topic} ", limit=1).only_common_words
    ):
        return tr.gettext(COMMON_WORDS).format(query=f"<b>{render.escape(topic)}</b>")
    return None


def _not_understood(filters: Sequence[BadFilter], tr: Translator) -> str:
    """Return one line per filter not understood, with the form it takes."""
    _ = tr.gettext
    return "\n".join(
        _(NOT_UNDERSTOOD).format(
            filter=f"<code>{render.escape(bad.render())}</code>", forms=_(FORMS[bad.key])
        )
        for bad in filters
    )


def query_hint(result: SearchResult | None, tr: Translator) -> str:
    """Return the one-line plain-text hint for an inline query that searched nothing, or ""."""
    if result is None:
        return ""
    if result.bad_filters:
        return render.truncate(tr.gettext(HINTS[result.bad_filters[0].key]), HINT_LIMIT)
    if result.only_common_words:
        return render.truncate(tr.gettext(COMMON_WORDS_HINT), HINT_LIMIT)
    return ""
