"""Turn article bodies with HTML or Markdown leftovers into plain-text blocks."""

from __future__ import annotations

import html
import re

# Text beyond this is never looked at: it bounds time on huge bodies, and a news summary
# lives in the first pages of an article anyway.
MAX_CHARS = 100_000

_DROP_OPEN = re.compile(r"<(script|style|noscript|template)\b", re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|table|blockquote|section|article|header|footer|hr)\b[^<>]*>",
    re.I,
)
# Only things that look like tags, so "a < b and c > d" survives.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")

_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\)")
_MD_REF_LINK = re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]")
_MD_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
# Spans that cannot contain their own marker, and are bounded, keep unmatched markers
# from costing quadratic time; underscores only count at word edges (snake_case survives).
_MD_EMPHASIS = (
    ("*", re.compile(r"(\*\*|\*)(?=[^\s*])([^*]{1,300}?)(?<=\S)\1")),
    ("_", re.compile(r"(?<!\w)(__|_)(?=[^\s_])([^_]{1,300}?)(?<=\S)\1(?!\w)")),
    ("~", re.compile(r"(~~)(?=\S)([^~]{1,300}?)(?<=\S)~~")),
)
_MD_CODE = re.compile(r"`+")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_MD_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_MD_LIST = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
_MD_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def strip_html(text: str) -> str:
    """Replace HTML tags with whitespace (paragraph breaks for block tags) and unescape entities."""
    if "<" in text:
        text = _drop_elements(text)
        text = _COMMENT.sub(" ", text)
        text = _BLOCK_TAG.sub("\n\n", text)
        text = _TAG.sub("", text)  # inline tags sit inside words: "<b>big</b>." is "big."
    if "&" in text:
        text = html.unescape(text)
    return text


def _drop_elements(text: str) -> str:
    """Remove script/style elements and their content; an unclosed one runs to the end."""
    parts: list[str] = []
    pos = 0
    lowered = text.lower()
    while (found := _DROP_OPEN.search(text, pos)) is not None:
        parts.append(text[pos : found.start()])
        close = lowered.find(f"</{found.group(1).lower()}", found.end())
        if close < 0:
            return " ".join(parts)
        pos = lowered.find(">", close)
        pos = len(text) if pos < 0 else pos + 1
        parts.append(" ")
    parts.append(text[pos:])
    return "".join(parts)


def strip_inline_markdown(text: str) -> str:
    """Keep the words of Markdown links, emphasis and code, dropping the markup and images."""
    if "[" in text:
        text = _MD_IMAGE.sub(" ", text)
        text = _MD_LINK.sub(r"\1", text)
        text = _MD_REF_LINK.sub(r"\1", text)
    if "<" in text:
        text = _MD_AUTOLINK.sub(r"\1", text)
    for marker, pattern in _MD_EMPHASIS:
        if marker in text:
            text = pattern.sub(r"\2", text)
            text = pattern.sub(r"\2", text)  # nested, e.g. ***both***
    if "`" in text:
        text = _MD_CODE.sub("", text)
    return text


def to_blocks(text: str) -> list[str]:
    """Return the text's paragraphs, headings and list items, each whitespace-normalised.

    Sentences never cross a block: a heading or a list item ends a sentence even
    without a full stop, while single hard-wrapped newlines inside a paragraph do not.
    """
    text = _CONTROL.sub(" ", strip_html(text[:MAX_CHARS]))
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        joined = _SPACES.sub(" ", strip_inline_markdown(" ".join(current))).strip()
        if joined:
            blocks.append(joined)
        current.clear()

    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip() or _MD_RULE.match(line):
            flush()
            continue
        line = _MD_QUOTE.sub("", line)
        heading = _MD_HEADING.match(line)
        if heading or _MD_SETEXT.match(line):
            flush()
            current.append(heading.group(1) if heading else "")
            flush()
        elif _MD_LIST.match(line):
            flush()
            current.append(_MD_LIST.sub("", line))
        else:
            current.append(line)
    flush()
    return blocks
