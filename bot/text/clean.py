"""Turn HTML and Markdown leftovers into clean plain text, and parse the dates news comes with."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import lxml.html
from lxml import etree

_BLOCK_TAGS = (
    *("p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table"),
    *("blockquote", "section", "article", "header", "footer", "hr"),
)
_SKIP_TAGS = ("script", "style", "noscript", "template")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
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
# What XML (and so lxml) cannot hold: control characters, lone surrogates, non-characters.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A numeric reference ("&#1;", "&#xD800") decodes inside libxml2 to one of those: cut it first.
_NUMERIC_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
# A pair of inline HTML tags around text in a plain-text field ("… deal with Sharon 'in
# <b>...</b>" in AG News) is markup that leaked into it. A lone "<TMG>" is a ticker (Reuters'
# "MUSICLAND GROUP INC <TMG>"): only a tag with its closing tag is taken out.
_INLINE_PAIR = re.compile(r"<(b|i|u|em|strong)>([^<>]{0,300}?)</\1>", re.IGNORECASE)
_INLINE_DEPTH = 3  # pairs inside pairs unwrapped; a bound keeps hostile nesting linear
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d", "%d.%m.%Y")


def one_line(text: str) -> str:
    """Return a name or title as one line: a wrapped one joined, control characters gone."""
    # A list shows a title per line, and `newsbrief latest` prints an article as three lines.
    return " ".join(_CONTROL.sub(" ", text).split())


def tidy_whitespace(text: str) -> str:
    """Collapse runs of spaces, keep paragraph breaks as one blank line."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def unwrap_inline_tags(text: str) -> str:
    """Return plain text without the inline HTML tag pairs leaked into it; their text stays."""
    for _ in range(_INLINE_DEPTH):
        if "</" not in text:
            break
        text = _INLINE_PAIR.sub(r"\2", text)
    return text


def html_to_text(markup: str, *, tidy: bool = True) -> str:
    """Return the readable text of an HTML fragment (entities decoded, scripts dropped).

    lxml (libxml2's forgiving HTML parser) reads it; block elements become paragraph
    breaks and <br> a line break. With tidy=False the whitespace is left for the caller.
    """
    # Control characters go first, plain text too: a NUL is not whitespace to strip().
    markup = _XML_INVALID.sub(" ", markup)
    if "<" not in markup and "&" not in markup:
        return tidy_whitespace(markup) if tidy else markup
    if "&#" in markup:
        markup = _NUMERIC_REF.sub(_valid_ref, markup)
    text = _html_text(markup)
    return tidy_whitespace(text) if tidy else text


def _valid_ref(match: re.Match[str]) -> str:
    """Keep a numeric character reference XML can hold; a space for any other."""
    code = int(match[1], 16) if match[1] else int(match[2])
    if code == 0 or code > 0x10FFFF or _XML_INVALID.match(chr(code)):
        return " "
    return match[0]


def _html_text(markup: str) -> str:
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except etree.ParserError:  # nothing but whitespace or comments
        return ""
    etree.strip_elements(root, *_SKIP_TAGS, with_tail=False)
    for element in root.iter(*_BLOCK_TAGS):
        gap = "\n" if element.tag == "br" else "\n\n"
        element.text = gap + (element.text or "")
        element.tail = gap + (element.tail or "")
    return str(root.text_content())


def strip_markdown(text: str) -> str:
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


def markdown_to_text(markdown: str) -> str:
    """Return Markdown as plain text: headings, link and emphasis markup dropped, words kept."""
    text = strip_markdown(_MD_HEADING.sub("", markdown))
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
