"""Telegram-safe HTML primitives: escaping, links, and a tokenizer for the HTML we emit."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MESSAGE_LIMIT = 4096
_ENTITY = re.compile(r"&(?:#(\d+)|#x([0-9a-fA-F]+)|(lt|gt|amp|quot)(?![a-zA-Z]));?")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^>]*)?)>")
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# NUL and other C0 controls (except tab/newline), DEL, and lone surrogates break JSON or Telegram.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Telegram trims these from both ends of a message (tdlib strip_empty_characters), besides
# whitespace; U+200B is added to stay on the safe side of "message text is empty".
_BLANK = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u180e\u2800\ufffc\u200b"
)
_URL_OK = re.compile(r"(?i)^https?://[^\s<>\"'\x00-\x1f\x7f]+$")


def clean(text: str) -> str:
    """Drop characters that Telegram or JSON cannot carry (controls, lone surrogates)."""
    return _UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def ltr_after(text: str) -> str:
    """Return text ended by a left-to-right mark when it holds right-to-left letters.

    Digits that follow Arabic or Hebrew join its run: "النفط · 1–5 of 30" draws as
    "5–1 · النفط of 30". The mark keeps what follows in the line's own direction.
    """
    if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text):
        return text + "\u200e"
    return text


def escape(text: str) -> str:
    """Escape text for Telegram HTML: & < > and " (so it is safe in attributes too)."""
    return (
        clean(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def safe_url(url: str | None) -> str | None:
    """Return the url when it is a plain http(s) URL Telegram will link, else None."""
    if not url:
        return None
    url = url.strip()
    return url if _URL_OK.match(url) and len(url) <= 2048 else None


def link(url: str | None, text: str) -> str:
    """Return `<a href>` for an http(s) url, or just the escaped text otherwise."""
    target = safe_url(url)
    label = escape(text) if text.strip() else escape(target or "")
    if target is None:
        return label
    return f'<a href="{escape(target)}">{label}</a>'


def bold(text: str) -> str:
    """Return escaped text in bold."""
    return f"<b>{escape(text)}</b>"


def utf16_len(text: str) -> int:
    """Return the length in UTF-16 code units, the unit Telegram counts in."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass(frozen=True, slots=True)
class Token:
    """A tag (open/close) or one visible character with its raw HTML spelling."""

    kind: str  # "open", "close" or "char"
    raw: str
    text: str = ""  # the visible character ("" for tags)
    name: str = ""  # the tag name for tags

    @property
    def size(self) -> int:
        """Return the visible size in UTF-16 code units."""
        return utf16_len(self.text)


def _decode(match: re.Match[str]) -> str:
    number, hexa, named = match.groups()
    if named:
        return _NAMED[named]
    value = int(number, 10) if number else int(hexa, 16)
    if value == 0 or value >= 0x10FFFF or 0xD800 <= value <= 0xDFFF:
        return ""
    return chr(value)


def tokenize(html: str) -> list[Token]:
    """Split HTML into tags and visible characters (entities decoded, like Telegram does)."""
    tokens: list[Token] = []
    i, size = 0, len(html)
    while i < size:
        char = html[i]
        if char == "<" and (tag := _TAG.match(html, i)):
            kind = "close" if tag.group(1) else "open"
            tokens.append(Token(kind, tag.group(0), name=tag.group(2).lower()))
            i = tag.end()
            continue
        if char == "&" and (entity := _ENTITY.match(html, i)) and (decoded := _decode(entity)):
            tokens.append(Token("char", entity.group(0), decoded))
            i = entity.end()
            continue
        tokens.append(Token("char", char, char))
        i += 1
    return tokens


def plain_text(html: str) -> str:
    """Return the visible text of Telegram HTML (tags removed, entities decoded)."""
    # Same result as joining tokenize(), without a Token per character (this is the hot path).
    return _ENTITY.sub(_decode_or_keep, _TAG.sub("", html))


def _decode_or_keep(match: re.Match[str]) -> str:
    return _decode(match) or match.group(0)


def visible_length(html: str) -> int:
    """Return the UTF-16 length Telegram checks against 4096: parsed text, stripped."""
    return utf16_len(strip_empty(plain_text(html)))


def strip_empty(text: str) -> str:
    """Trim what Telegram trims from a message's ends (whitespace and blank symbols)."""
    return text.strip(_BLANK)


def href_of(open_tag: str) -> str | None:
    """Return the decoded href of an `<a ...>` tag, if any."""
    match = _HREF.search(open_tag)
    if match is None:
        return None
    raw = match.group(1) if match.group(1) is not None else match.group(2)
    return _ENTITY.sub(_decode, raw)


def html_to_plain(html: str) -> str:
    """Render Telegram HTML as terminal text: no tags, entities decoded, links as `text <url>`."""
    out: list[str] = []
    links: list[tuple[str | None, int]] = []
    for token in tokenize(html):
        if token.kind == "char":
            out.append(token.text)
        elif token.kind == "open" and token.name == "a":
            links.append((href_of(token.raw), len(out)))
        elif token.kind == "close" and token.name == "a" and links:
            url, start = links.pop()
            label = "".join(out[start:]).strip()
            if url and url != label:
                out.append(f" <{url}>")
    return "".join(out)
