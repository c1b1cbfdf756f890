"""Turn HTML and Markdown leftovers into clean plain text, and parse the dates news comes with."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote"}
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template"})
_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)([^*_\n]+?)(?<=\S)\1")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d", "%d.%m.%Y")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n" if tag != "br" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def tidy_whitespace(text: str) -> str:
    """Collapse runs of spaces, keep paragraph breaks as one blank line."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(markup: str) -> str:
    """Return the readable text of an HTML fragment (entities decoded, scripts dropped)."""
    if "<" not in markup and "&" not in markup:
        return tidy_whitespace(markup)
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    return tidy_whitespace("".join(extractor.parts))


def markdown_to_text(markdown: str) -> str:
    """Return Markdown as plain text: link and emphasis markup dropped, their words kept."""
    text = _MD_LINK.sub(r"\1", markdown)
    text = _MD_EMPHASIS.sub(r"\2", text)
    text = _MD_HEADING.sub("", text)
    return tidy_whitespace(html.unescape(text))


def parse_date(text: str) -> datetime | None:
    """Parse the date formats news comes with (ISO 8601, RFC 2822, "August 10, 2021"); UTC."""
    value = text.strip()
    if not value:
        return None
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            for fmt in _DATE_FORMATS:
                try:
                    moment = datetime.strptime(value, fmt)
                    break
                except ValueError:
                    continue
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
