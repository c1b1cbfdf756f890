"""Split long Telegram HTML into messages that each fit Telegram's length limit."""

from __future__ import annotations

from bot.render.html import (
    MESSAGE_LIMIT,
    Token,
    plain_text,
    strip_empty,
    tokenize,
    visible_length,
)

_PARAGRAPH, _LINE, _WORD = 3, 2, 1


def _stacks(tokens: list[Token]) -> list[tuple[Token, ...]]:
    """Return, for each token index (and the end), the open tags in force before it."""
    stacks: list[tuple[Token, ...]] = []
    stack: list[Token] = []
    for token in tokens:
        stacks.append(tuple(stack))
        if token.kind == "open":
            stack.append(token)
        elif token.kind == "close" and stack:
            stack.pop()
    stacks.append(tuple(stack))
    return stacks


def _boundary(tokens: list[Token], index: int) -> int:
    """Return how good a cut just before tokens[index] is (0 = only a hard cut)."""
    previous = tokens[index - 1].text if index > 0 else ""
    before = tokens[index - 2].text if index > 1 else ""
    if previous == "\n" and before == "\n":
        return _PARAGRAPH
    if previous == "\n":
        return _LINE
    if previous.isspace():
        return _WORD
    return 0


def _window_end(tokens: list[Token], start: int, limit: int) -> int:
    """Return the first index whose character no longer fits in a part starting at start."""
    size, end = 0, start
    while end < len(tokens):
        size += tokens[end].size
        if size > limit:
            break
        end += 1
    if end == start:
        end += 1  # one character larger than the limit: emit it alone rather than loop
    return end


def _best_cut(tokens: list[Token], start: int, end: int, limit: int) -> int:
    """Pick a cut in (start, end]: the latest paragraph, line or word break past half the part."""
    best: dict[int, int] = {}
    size = 0
    half = limit // 2
    for index in range(start + 1, end + 1):
        size += tokens[index - 1].size
        if tokens[index - 1].kind != "char":
            continue
        kind = _boundary(tokens, index)
        if kind:
            best[kind] = index
            if size >= half:
                best[kind + 10] = index  # the latest break of this kind past half the part
    for kind in (_PARAGRAPH + 10, _LINE + 10, _WORD + 10, _PARAGRAPH, _LINE, _WORD):
        if kind in best and best[kind] > start:
            return best[kind]
    return end


def _adjust(tokens: list[Token], cut: int, start: int) -> int:
    """Keep closing tags with the text they close and opening tags with the text they open."""
    while cut < len(tokens) and tokens[cut].kind == "close":
        cut += 1
    back = cut
    while back - 1 > start and tokens[back - 1].kind == "open":
        back -= 1
    return back


def _render(tokens: list[Token], stacks: list[tuple[Token, ...]], start: int, end: int) -> str:
    opened = "".join(tag.raw for tag in stacks[start])
    body = "".join(token.raw for token in tokens[start:end])
    closed = "".join(f"</{tag.name}>" for tag in reversed(stacks[end]))
    return opened + body + closed


def split_message(html: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split well-formed Telegram HTML into parts of at most `limit` visible UTF-16 units.

    Cuts prefer paragraph, then line, then word boundaries; a cut never falls inside a tag,
    an entity or a surrogate pair, and tags open at a cut are closed and re-opened.
    Parts with no visible text are dropped (Telegram rejects empty messages).
    """
    if visible_length(html) <= limit:
        return [html] if strip_empty(plain_text(html)) else []
    tokens = tokenize(html)
    stacks = _stacks(tokens)
    parts: list[str] = []
    start = 0
    while start < len(tokens):
        end = _window_end(tokens, start, limit)
        cut = len(tokens) if end >= len(tokens) else _best_cut(tokens, start, end, limit)
        cut = _adjust(tokens, cut, start)
        if not strip_empty("".join(token.text for token in tokens[start:cut])):
            start = cut
            continue
        parts.append(_render(tokens, stacks, start, cut))
        start = cut
    return parts
