"""`/summary` followed by pasted prose: the text is condensed itself, not searched for.

A topic is a few words; a paragraph pasted from elsewhere is neither a query nor in the archive.
Searched, its first 256 characters matched no article whole and then any article sharing some
of its words: the reader got sentences of unrelated news.
"""

from __future__ import annotations

from bot import render
from bot.app.listings import MAX_QUERY
from bot.app.summary_answers import SummaryAnswer
from bot.i18n import Translator
from bot.summarize import split_sentences, summarize

PASTED_SENTENCES = 3  # and PASTED_WORDS: "oil. gas. opec" is still words to look for
PASTED_WORDS = 20
SUMMARY_SENTENCES = 3


def is_pasted_text(text: str) -> bool:
    """Return whether `/summary`'s argument is prose to condense rather than words to find."""
    if len(text) > MAX_QUERY:  # longer than any query can be
        return True
    return len(text.split()) >= PASTED_WORDS and len(split_sentences(text)) >= PASTED_SENTENCES


def pasted_answer(text: str, tr: Translator) -> SummaryAnswer:
    """Return the pasted text's best sentences, in its order, under a heading saying whose."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    sentences = summarize(" ".join(printable.split()), sentences=SUMMARY_SENTENCES)
    heading = "<b>" + tr.gettext("Summary of your text:") + "</b>"
    html = "\n\n".join([heading, "\n".join(render.escape(s) for s in sentences)])
    return SummaryAnswer(render.split_message(html))
