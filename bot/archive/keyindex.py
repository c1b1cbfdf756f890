"""The store's dedup keys: 64-bit key -> entry in one sorted numpy array, not dicts of strings.

Three dicts of URL, GUID and hash strings cost about 250 bytes per article; here a key is 8
bytes plus an 8-byte reference, and keys added since the last build wait in a small dict.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

Entry = TypeVar("Entry")  # what a key names: the store's `entries.Entry`

MERGE_AT = 100_000  # recent keys folded into the sorted array past this many


class KeyIndex(Generic[Entry]):
    """64-bit dedup key -> entry: a sorted array built in one pass, plus a dict of keys added since.

    Only the store's one writer adds; readers only look up. A dead entry (pruned) can stay
    until the next `without`, so callers check an entry is still the live one for its id.
    """

    def __init__(self, keys: list[int] | None = None, entries: list[Entry] | None = None) -> None:
        """Build the sorted part from parallel lists of keys and entries."""
        raw = np.array(keys or [], dtype=np.uint64)
        order = np.argsort(raw, kind="stable")
        values = np.empty(len(raw), dtype=object)
        values[:] = entries or []
        self._keys: npt.NDArray[np.uint64] = raw[order]
        self._values: npt.NDArray[np.object_] = values[order]
        self._recent: dict[int, Entry] = {}
        self._unsorted = False  # `from_arrays` leaves the sort to the first lookup
        self._sorting = threading.Lock()

    @staticmethod
    def from_arrays(
        keys: list[npt.NDArray[np.uint64]], values: list[npt.NDArray[np.object_]]
    ) -> KeyIndex[Entry]:
        """Return an index of parallel chunks of keys and entries."""
        index: KeyIndex[Entry] = KeyIndex()
        if keys:  # sorted at the first lookup: 0.3 s of a million-article open that may not write
            index._keys, index._values = np.concatenate(keys), np.concatenate(values)
            index._unsorted = True
        return index

    def get(self, key: int) -> Entry | None:
        """Return the entry stored under key, if any."""
        found = self._recent.get(key)
        if found is not None:
            return found
        if self._unsorted:
            self._sort()
        at = int(np.searchsorted(self._keys, np.uint64(key)))
        if at < len(self._keys) and int(self._keys[at]) == key:
            entry: Entry = self._values[at]
            return entry
        return None

    def _sort(self) -> None:
        """Sort what `from_arrays` left (the first lookup: the writer's or a reader's)."""
        with self._sorting:  # one sorts; a lookup racing it waits rather than sort again
            if self._unsorted:
                order = np.argsort(self._keys, kind="stable")
                # The flag last: a lookup that finds it clear finds both arrays sorted.
                self._keys, self._values = self._keys[order], self._values[order]
                self._unsorted = False

    def _arrays(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.object_]]:
        """Return the keys and entries as one pair, never one array sorted and not the other."""
        with self._sorting:
            return self._keys, self._values

    def add(self, key: int, entry: Entry) -> None:
        """Store entry under key (it wins over an older, dead entry of the same key)."""
        self._recent[key] = entry

    def merged(self) -> KeyIndex[Entry]:
        """Return a new index with the recent keys folded into the sorted array."""
        return self._rebuilt(*self._arrays(), self._recent)

    def without(self, dead: set[Entry]) -> KeyIndex[Entry]:
        """Return a new index without the keys of dead entries (the old one stays usable)."""
        keys, values = self._arrays()
        keep = np.fromiter((e not in dead for e in values), dtype=bool, count=len(values))
        recent = {k: e for k, e in self._recent.items() if e not in dead}
        return self._rebuilt(keys[keep], values[keep], recent)

    @staticmethod
    def _rebuilt(
        keys: npt.NDArray[np.uint64], values: npt.NDArray[np.object_], recent: dict[int, Entry]
    ) -> KeyIndex[Entry]:
        """Return an index of sorted arrays plus recent pairs, all in the arrays (no int objects)."""
        extra_values = np.empty(len(recent), dtype=object)
        extra_values[:] = list(recent.values())
        all_keys = np.concatenate([keys, np.fromiter(recent, dtype=np.uint64, count=len(recent))])
        all_values = np.concatenate([values, extra_values])
        order = np.argsort(all_keys, kind="stable")
        index: KeyIndex[Entry] = KeyIndex()
        index._keys, index._values = all_keys[order], all_values[order]
        return index

    def pairs(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.object_]]:
        """Return every key and its entry, unsorted (a dead entry may still be among them)."""
        extra = np.empty(len(self._recent), dtype=object)
        extra[:] = list(self._recent.values())
        recent = np.fromiter(self._recent, dtype=np.uint64, count=len(self._recent))
        keys, values = self._arrays()
        return np.concatenate([keys, recent]), np.concatenate([values, extra])

    def needs_merge(self) -> bool:
        """Return whether enough keys arrived since the last build to fold them in."""
        return len(self._recent) > MERGE_AT

    def __len__(self) -> int:
        return len(self._keys) + len(self._recent)
