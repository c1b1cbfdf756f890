"""The users-table tests' Gate: it watches every users-table write and can hold one (the gate
fixture), and the subscription topics a table holds right now."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import bot.archive.usertables as usertables_module
from bot.archive.tablefile import SUFFIX, TableFile, read_docs
from bot.archive.usertables import TABLES_DIR
from bot.digests.subscriptions import SUBS_TABLE


@dataclass
class Gate:
    """Watches every users-table write; when armed, holds the next one until released."""

    loop_thread: int = 0
    armed: bool = False
    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    writers: list[int] = field(default_factory=list)  # thread ident of each write
    readers: list[int] = field(default_factory=list)  # thread ident of each whole-table read
    fail: bool = False  # the next write fails as a full disk would

    def on_write(self) -> None:
        me = threading.get_ident()
        self.writers.append(me)
        if self.fail:
            self.fail = False
            raise OSError(28, "No space left on device")
        if not self.armed:
            return
        self.armed = False
        self.entered.set()
        # Holding a write that runs on the loop's own thread would hang this test, which
        # shares that loop: it is recorded (`writers`) and the assertions fail instead.
        if me != self.loop_thread:
            self.release.wait()

    @property
    def on_loop(self) -> int:
        """Return how many writes ran on the event loop's thread."""
        return sum(1 for ident in self.writers if ident == self.loop_thread)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    """Give every EmbeddedUserTables opened in the test table files that report to a Gate."""
    watched = Gate()

    class GatedTableFile(TableFile):
        def append(self, ops: list[tuple[str, bytes, bool]]) -> None:
            watched.on_write()
            super().append(ops)

        def open(self) -> Iterator[dict[str, Any]]:
            watched.readers.append(threading.get_ident())
            return super().open()

    monkeypatch.setattr(usertables_module, "TableFile", GatedTableFile)
    yield watched
    watched.release.set()  # never leave the users thread waiting


def stored_topics(data_dir: Path, chat_id: int) -> list[str]:
    """Return the chat's subscription topics as the subscriptions table holds them right now."""
    docs = read_docs(data_dir / TABLES_DIR / f"{SUBS_TABLE}{SUFFIX}")
    return sorted(str(d["topic"]) for d in docs if d["chat_id"] == chat_id)
