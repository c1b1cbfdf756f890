"""Memo: a bounded least-recently-used map of derived values that threads may share.

Rankings, one-line summaries and cards are derived from the store and cost CPU to make, so
they are remembered; the event loop and the threads that build replies and digests ask at
once. cachetools' LRUCache is not thread-safe (even a hit reorders it), so every touch holds
a lock. A missing value is made outside the lock, so a slow make never holds up a reader;
two threads may then make the same value once each, and either answer is right.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """At most `size` values by key; the least recently used goes first."""

    def __init__(self, size: int) -> None:
        self._cache: LRUCache[K, V] = LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """Return the value remembered for key (marking it recently used), else None."""
        with self._lock:
            return self._cache.get(key)

    def put(self, key: K, value: V) -> None:
        """Remember a value, dropping the least recently used beyond the size."""
        with self._lock:
            self._cache[key] = value

    def remembered(self, key: K, make: Callable[[], V]) -> V:
        """Return the value for key, made (outside the lock) and remembered when missing."""
        found = self.get(key)
        if found is None:
            found = make()
            self.put(key, found)
        return found

    def __len__(self) -> int:
        """Return how many values are remembered."""
        with self._lock:
            return len(self._cache)
