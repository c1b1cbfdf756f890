"""The stories a subscription's digests sent (story id -> its sources then), packed into bytes.

Each subscription remembers up to 300 sent stories. As a dict that is about 6.4 KB of memory
per subscription, 640 MB at 100,000 subscribers, and 30 million JSON values to parse at
start-up. Story ids are "s" + 10 hex digits (`bot/stories/engine.py`), so a story and its
count fit in 6 bytes: 1.8 KB per full map, stored in the subscription's document as one
hex string (turned back into bytes in one C call; this Python's base64 decoder was 5 times
slower, seconds at start-up for 100,000 maps). Ids of another shape (none today) fall back to a JSON
list in the same bytes, so nothing is ever lost to the packing.

Format: b"" (empty); b"\x01" + n count bytes + n times 5 id bytes (columns, so packing and
unpacking are a few C calls, not a loop per story); or b"\x00" + JSON [[id, count], ...].
Oldest first, as the dict was. A lookup (`seen.get(story)` while composing a digest) searches
the id column for the story's 5 bytes without unpacking the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson

_PACKED, _JSON = b"\x01", b"\x00"
_STORY_ID = re.compile(r"s[0-9a-f]{10}")
_STORY_IDS = re.compile(r"(?:s[0-9a-f]{10})*")
_ID = 5  # bytes of a story id in the packed form


class SentMap(Mapping[str, int]):
    """An immutable map of sent stories, oldest first, held as packed bytes."""

    __slots__ = ("_packed",)

    def __init__(self, items: Iterable[tuple[str, int]] = ()) -> None:
        self._packed = _pack(list(items))

    @classmethod
    def from_doc(cls, value: Any) -> SentMap:
        """Read a stored `sent`: hex of the packed form, or an older version's dict."""
        if isinstance(value, dict):
            return cls((str(k), v) for k, v in value.items() if isinstance(v, int))
        sent = cls()
        if isinstance(value, str) and value:
            try:
                packed = bytes.fromhex(value)
            except ValueError:
                return sent  # malformed: skipped, as a malformed dict entry always was
            if packed[:1] in (_PACKED, _JSON):
                sent._packed = packed
        return sent

    def to_doc(self) -> str:
        """Return the stored form: the packed bytes in hex."""
        return self._packed.hex()

    def _decode(self) -> dict[str, int]:
        packed = self._packed
        if packed[:1] == _PACKED:
            n = len(self)
            # hex digits with "|s" between ids, split: every story id, cut out in C
            ids = ("s" + packed[1 + n :].hex("|", _ID).replace("|", "|s")).split("|")
            return dict(zip(ids, packed[1 : 1 + n], strict=True))
        if packed[:1] == _JSON:
            return {str(k): int(v) for k, v in orjson.loads(packed[1:])}
        return {}

    def items(self) -> Any:
        """Return (story id, sources) pairs, oldest first."""
        return self._decode().items()

    def __getitem__(self, story_id: str) -> int:
        packed = self._packed
        if packed[:1] != _PACKED:
            return self._decode()[story_id]
        if not _STORY_ID.fullmatch(story_id):
            raise KeyError(story_id)  # only such ids are ever packed
        n, key = len(self), bytes.fromhex(story_id[1:])
        pos = packed.find(key, 1 + n)
        while pos >= 0 and (pos - 1 - n) % _ID:  # a match across two ids: look further
            pos = packed.find(key, pos + 1)
        if pos < 0:
            raise KeyError(story_id)
        return packed[1 + (pos - 1 - n) // _ID]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decode())

    def __len__(self) -> int:
        if self._packed[:1] == _PACKED:
            return (len(self._packed) - 1) // (1 + _ID)
        return len(self._decode())

    def __repr__(self) -> str:
        return f"SentMap({self._decode()!r})"


def _pack(items: list[tuple[str, int]]) -> bytes:
    """Return the packed form of (story id, sources) pairs."""
    if not items:
        return b""
    ids = "".join([i for i, _ in items])
    if len(ids) == 11 * len(items) and _STORY_IDS.fullmatch(ids):
        try:
            counts = bytes([n for _, n in items])  # ValueError past 0..255
        except (ValueError, TypeError):
            pass
        else:
            return _PACKED + counts + bytes.fromhex(ids.replace("s", ""))
    return _JSON + orjson.dumps([[i, n] for i, n in items])
