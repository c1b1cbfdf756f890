"""Turn article bodies with HTML or Markdown leftovers into plain-text blocks."""

from __future__ import annotations

import re

from bot.text.clean import html_to_text, strip_markdown

# Text beyond this is never looked at: it bounds time on huge bodies, and a news summary
# lives in the first pages of an article anyway.
MAX_CHARS = 100_000

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_MD_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_MD_LIST = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
_MD_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def to_blocks(text: str) -> list[str]:
    """Return the text's paragraphs, headings and list items, each whitespace-normalised.

    Sentences never cross a block: a heading or a list item ends a sentence even
    without a full stop, while single hard-wrapped newlines inside a paragraph do not.
    """
    text = _CONTROL.sub(" ", html_to_text(text[:MAX_CHARS], tidy=False))
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        joined = _SPACES.sub(" ", strip_markdown(" ".join(current))).strip()
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
