"""Summaries of one article: N extracted sentences, or one line for lists."""

from __future__ import annotations

from bot.summarize.scoring import DEFAULT, Weights, rank_sentences
from bot.summarize.sentences import DANGLING, ELLIPSIS, split_sentences
from bot.text.lang import detect_language

# Only MAX_SCORED sentences are scored, which even long-sentence articles fit in this
# much text; splitting no further keeps pathological megabyte bodies fast.
SUMMARY_CHARS = 30_000
TITLE_CHARS = 1_000


def summarize(
    body: str,
    title: str = "",
    sentences: int = 3,
    lang: str | None = None,
    weights: Weights = DEFAULT,
) -> list[str]:
    """Return up to `sentences` plain-text sentences of the body, in article order.

    `lang` (an article's) picks stemmer and stop words; without it the text's is detected.
    """
    if sentences <= 0:
        return []
    lang = lang or detect_language(f"{title}\n{body[:SUMMARY_CHARS]}")
    found = split_sentences(body[:SUMMARY_CHARS], lang)
    ranked = rank_sentences(found, plain_title(title), sentences, weights, lang)
    return [r.text for r in sorted(ranked, key=lambda r: r.index)]


def one_line(body: str, title: str = "", limit: int = 200, lang: str | None = None) -> str:
    """Return the body's best sentence (or the title) in at most `limit` characters."""
    best = summarize(body, title, sentences=1, lang=lang)
    text = best[0] if best else plain_title(title)
    return shorten(text, limit)


def shorten(text: str, limit: int) -> str:
    """Cut text to `limit` characters at a word boundary, ending in "…" only if it was cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    head = text[: limit - 1]
    cut = head.rfind(" ")
    # No space in a sensible range (long URL, unsegmented CJK): cut inside the word instead.
    if cut >= limit // 2:
        head = head[:cut]
    # A sentence already marked as cut ("…") gets one ellipsis, not two.
    return head.rstrip(DANGLING + "([{\"'“‘«" + ELLIPSIS) + ELLIPSIS


def plain_title(title: str) -> str:
    """Return the title as one line of plain text (markup removed, length bounded)."""
    found = split_sentences(title[:TITLE_CHARS])
    return " ".join(found)
