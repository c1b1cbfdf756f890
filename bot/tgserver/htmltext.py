"""Character-level helpers for the Telegram HTML parser: UTF-16 length, entities, a cursor."""

from __future__ import annotations

SPACES = " \t\r\n\0\v\f"  # tdlib's is_space

NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
MAX_CODEPOINT = 0x10FFFF
# tdlib's strip_empty_characters: whitespace plus a few blank symbols.
BLANK = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u180e\u2800\ufffc"
)


def utf16_len(text: str) -> int:
    """Return the length of text in UTF-16 code units, as Telegram counts it."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class Cursor:
    """Character cursor over the source with tdlib's NUL-terminated look-ahead semantics."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.i = 0

    def ch(self, k: int = 0) -> str:
        """Return the character k ahead of the cursor, or NUL past the end."""
        j = self.i + k
        return self.src[j] if j < len(self.src) else "\0"

    def at_end(self) -> bool:
        """Return True when the cursor is past the last character."""
        return self.i >= len(self.src)

    def byte_offset(self, pos: int) -> int:
        """Return the UTF-8 byte offset of a character position (Telegram reports bytes)."""
        return len(self.src[:pos].encode("utf-8"))


def decode_entity(cur: Cursor) -> str | None:
    """Decode an HTML entity at the cursor and advance past it, or return None and stay put."""
    src, pos = cur.src, cur.i
    end = pos + 1
    if end < len(src) and src[end] == "#":
        end += 1
        hexa = end < len(src) and src[end] == "x"
        end += 1 if hexa else 0
        digits = "0123456789abcdefABCDEF" if hexa else "0123456789"
        value = 0
        while end < len(src) and src[end] in digits:
            value = value * (16 if hexa else 10) + int(src[end], 16)
            end += 1
            if value >= MAX_CODEPOINT:
                return None
        if value == 0 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while end < len(src) and src[end].isascii() and src[end].isalpha():
            end += 1
        named = NAMED.get(src[pos + 1 : end])
        if named is None:
            return None
        char = named
    cur.i = end + 1 if end < len(src) and src[end] == ";" else end
    return char


def decode_all(raw: str) -> str:
    """Decode every entity in an attribute value (a bare '&' stays literal)."""
    if "&" not in raw:
        return raw
    cur = Cursor(raw)
    out: list[str] = []
    while not cur.at_end():
        amp = raw.find("&", cur.i)
        if amp < 0:
            out.append(raw[cur.i :])
            break
        out.append(raw[cur.i : amp])
        cur.i = amp
        decoded = decode_entity(cur)
        if decoded is None:
            out.append("&")
            cur.i += 1
        else:
            out.append(decoded)
    return "".join(out)
