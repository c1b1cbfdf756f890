"""The stories a subscription's digests sent (story id -> its sources then), packed into bytes.

Each subscription remembers up to 300 sent stories. As a dict that is about 6.4 KB of memory
per subscription, 640 MB at 100,000 subscribers, and 30 million JSON values to parse at
start-up. Story ids are "s" + 10 hex digits (`bot/stories/engine.py`), so a story and its
count fit in 6 bytes: 1.8 KB per full map, stored in the subscription's document as one
base64 string (parsed in one C call). Ids of another shape (none today) fall back to a JSON
list in the same bytes, so nothing is ever lost to the packing.

Format: b"" (empty); b"\x01" + (count byte + 5 id bytes) per story; or b"\x00" + JSON
[[id, count], ...]. Oldest first, as the dict was.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson

_PACKED, _JSON = b"\x01", b"\x00"
_STORY_ID = re.compile(r"s[0-9a-f]{10}")
_RECORD = 6  # bytes per story in the packed form


class SentMap(Mapping[str, int]):
    """An immutable map of sent stories, oldest first, held as packed bytes."""

    __slots__ = ("_packed",)

    def __init__(self, items: Iterable[tuple[str, int]] = ()) -> None:
        self._packed = _pack(list(items))

    @classmethod
    def from_doc(cls, value: Any) -> SentMap:
        """Read a stored `sent`: base64 of the packed form, or an older version's dict."""
        if isinstance(value, dict):
            return cls((str(k), v) for k, v in value.items() if isinstance(v, int))
        sent = cls()
        if isinstance(value, str) and value:
            try:
                packed = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                return sent  # malformed: skipped, as a malformed dict entry always was
            if packed[:1] in (_PACKED, _JSON):
                sent._packed = packed
        return sent

    def to_doc(self) -> str:
        """Return the stored form: base64 of the packed bytes."""
        return base64.b64encode(self._packed).decode("ascii")

    def _decode(self) -> dict[str, int]:
        packed = self._packed
        if packed[:1] == _PACKED:
            hexed = packed.hex()  # 2 hex digits of marker, then 12 per story
            ids = ["s" + hexed[i : i + 10] for i in range(4, len(hexed), 2 * _RECORD)]
            return dict(zip(ids, packed[1::_RECORD], strict=True))
        if packed[:1] == _JSON:
            return {str(k): int(v) for k, v in orjson.loads(packed[1:])}
        return {}

    def items(self) -> Any:
        """Return (story id, sources) pairs, oldest first."""
        return self._decode().items()

    def __getitem__(self, story_id: str) -> int:
        return self._decode()[story_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decode())

    def __len__(self) -> int:
        if self._packed[:1] == _PACKED:
            return (len(self._packed) - 1) // _RECORD
        return len(self._decode())

    def __repr__(self) -> str:
        return f"SentMap({self._decode()!r})"


def _pack(items: list[tuple[str, int]]) -> bytes:
    """Return the packed form of (story id, sources) pairs."""
    if not items:
        return b""
    if all(0 <= n < 256 and _STORY_ID.fullmatch(i) for i, n in items):
        return _PACKED + bytes.fromhex("".join(f"{n:02x}{i[1:]}" for i, n in items))
    return _JSON + orjson.dumps([[i, n] for i, n in items])
