"""A strict Telegram-like parser for parse_mode HTML, modelled on tdlib's `parse_html`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.tgserver.htmltext import BLANK, SPACES, Cursor, decode_all, decode_entity
from bot.tgserver.htmltext import utf16_len as utf16_len

_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
}
_ALLOWED_TAGS = frozenset(_ENTITY_TYPES)  # exactly the tags tdlib's parse_html accepts
_TEXT_RUN = re.compile(r"[^<&]+|&")
_NAME_END = re.compile(r"[ \t\r\n\0\v\f>]|\Z")


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message is what Telegram would say."""


@dataclass(frozen=True, slots=True)
class ParsedText:
    """Plain text and Bot API MessageEntity dicts (offsets in UTF-16 code units)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class _Open:
    tag: str
    argument: str
    offset: int  # UTF-16 offset of the entity start


def _skip_spaces(cur: Cursor) -> None:
    while not cur.at_end() and cur.ch() in SPACES:
        cur.i += 1


def _attribute_value(cur: Cursor, tag: str, begin: int) -> str:
    """Read one attribute value (quoted string or name token) at the cursor."""
    if cur.ch() not in "'\"":
        start = cur.i
        while cur.ch().isascii() and (cur.ch().isalnum() or cur.ch() in ".-"):
            cur.i += 1
        if cur.ch() not in SPACES + ">" or cur.at_end():
            where = cur.byte_offset(start)
            raise EntityParseError(f"Unexpected end of name token at byte offset {where}")
        return cur.src[start : cur.i].lower()
    quote = cur.ch()
    end = cur.src.find(quote, cur.i + 1)
    if end < 0:
        raise EntityParseError(f"Unclosed start tag at byte offset {cur.byte_offset(begin)}")
    raw = cur.src[cur.i + 1 : end]
    cur.i = end + 1
    return decode_all(raw)


def _tag_argument(tag: str, name: str, value: str, current: str) -> str:
    """Return the entity argument an attribute sets for this tag, keeping others ignored."""
    if tag == "a" and name == "href":
        return value
    if tag == "code" and name == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and name == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and name == "emoji-id":
        return value
    if tag == "blockquote" and name == "expandable":
        return "1"
    return current


def _attribute(cur: Cursor, tag: str, begin: int) -> tuple[str, str]:
    """Read `name=value` (or tdlib's bare `expandable`) inside a start tag."""
    name_start = cur.i
    while not cur.at_end() and cur.ch() not in SPACES and cur.ch() not in "=>":
        cur.i += 1
    name = cur.src[name_start : cur.i]
    if not name:
        where = cur.byte_offset(begin)
        raise EntityParseError(f'Empty attribute name in the tag "{tag}" at byte offset {where}')
    _skip_spaces(cur)
    if cur.ch() != "=" and tag == "blockquote" and name == "expandable":
        return name, ""  # the Bot API documents the bare `<blockquote expandable>` form
    if cur.ch() != "=":
        raise EntityParseError(
            f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
            f"at byte offset {cur.byte_offset(begin)}"
        )
    cur.i += 1
    _skip_spaces(cur)
    if cur.at_end():
        where = cur.byte_offset(begin)
        raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {where}')
    value = _attribute_value(cur, tag, begin)
    if cur.at_end():
        raise EntityParseError(f"Unclosed start tag at byte offset {cur.byte_offset(begin)}")
    return name, value


def _start_tag(cur: Cursor, begin: int) -> _Open:
    """Parse a start tag whose '<' is at `begin`; the cursor is just after '<'."""
    cur.i = _NAME_END.search(cur.src, cur.i).start()  # type: ignore[union-attr]
    if cur.at_end():
        raise EntityParseError(f"Unclosed start tag at byte offset {cur.byte_offset(begin)}")
    tag = cur.src[begin + 1 : cur.i].lower()
    if tag not in _ALLOWED_TAGS:
        where = cur.byte_offset(begin)
        raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {where}')
    argument = ""
    while cur.ch() != ">":
        _skip_spaces(cur)
        if cur.ch() == ">":
            break
        name, value = _attribute(cur, tag, begin)
        argument = _tag_argument(tag, name, value, argument)
    cur.i += 1  # past '>'
    if tag == "span" and argument != "spoiler":
        where = cur.byte_offset(begin)
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {where}')
    return _Open(tag, argument, 0)


def _end_tag(cur: Cursor, begin: int, stack: list[_Open]) -> _Open:
    """Parse an end tag whose '<' is at `begin` and pop the entity it closes."""
    where = cur.byte_offset(begin)
    if not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {where}")
    cur.i += 1  # past '/'
    start = cur.i
    while not cur.at_end() and cur.ch() not in SPACES and cur.ch() != ">":
        cur.i += 1
    name = cur.src[start : cur.i]
    _skip_spaces(cur)
    if cur.ch() != ">" or cur.at_end():
        raise EntityParseError(f"Unclosed end tag at byte offset {where}")
    cur.i += 1
    top = stack.pop()
    if name and name.lower() != top.tag:
        raise EntityParseError(
            f'Unmatched end tag at byte offset {where}, expected "</{top.tag}>", found "</{name}>"'
        )
    return top


def _make_entity(open_: _Open, end: int) -> dict[str, Any] | None:
    """Build the MessageEntity dict for a closed tag, or None when Telegram would drop it."""
    length = end - open_.offset
    if length <= 0:
        return None
    kind = _ENTITY_TYPES[open_.tag]
    entity: dict[str, Any] = {"type": kind, "offset": open_.offset, "length": length}
    if kind == "text_link":
        url = open_.argument.strip()
        if not url:
            return None
        if url.startswith("tg://user?id="):
            return None  # a text_mention needs a user object; drop it like an unknown user
        entity["url"] = url if "://" in url or url.startswith("mailto:") else f"http://{url}"
    elif kind == "pre" and open_.argument:
        entity["language"] = open_.argument
    elif kind == "blockquote" and open_.argument:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        if not open_.argument.isdigit():
            return None
        entity["custom_emoji_id"] = open_.argument
    return entity


def parse_html(source: str) -> ParsedText:
    """Parse Telegram HTML into plain text and entities, raising EntityParseError like Telegram."""
    cur = Cursor(source)
    out: list[str] = []
    offset = 0
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    while not cur.at_end():
        char = cur.ch()
        if char == "&" and (decoded := decode_entity(cur)) is not None:
            out.append(decoded)
            offset += utf16_len(decoded)
            continue
        if char != "<":
            run = _TEXT_RUN.match(source, cur.i)
            chunk = run.group(0) if run else char
            out.append(chunk)
            offset += utf16_len(chunk)
            cur.i += len(chunk)
            continue
        begin = cur.i
        cur.i += 1
        if cur.ch() != "/":
            opened = _start_tag(cur, begin)
            opened.offset = offset
            stack.append(opened)
            continue
        closed = _end_tag(cur, begin, stack)
        entity = _make_entity(closed, offset)
        if entity is not None:
            if closed.tag == "code" and stack and stack[-1].tag == "pre" and closed.argument:
                stack[-1].argument = stack[-1].argument or closed.argument
            entities.append(entity)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText("".join(out), entities)


def strip_message(parsed: ParsedText) -> ParsedText:
    """Trim leading and trailing whitespace the way Telegram does, shifting entity offsets."""
    text = parsed.text
    lead = len(text) - len(text.lstrip(BLANK))
    stripped = text.strip(BLANK)
    shift = utf16_len(text[:lead])
    size = utf16_len(stripped)
    entities: list[dict[str, Any]] = []
    for entity in parsed.entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, size)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return ParsedText(stripped, entities)


def parse_message_text(text: str, parse_mode: str | None) -> ParsedText:
    """Parse text for sendMessage/editMessageText with the given parse_mode (None or HTML)."""
    if parse_mode is None or parse_mode == "":
        parsed = ParsedText(text)
    elif parse_mode.lower() == "html":
        parsed = parse_html(text)
    else:
        raise EntityParseError(f"unsupported parse_mode {parse_mode!r} in the local server")
    return strip_message(parsed)
