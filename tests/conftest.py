"""Shared fixtures: temporary data directories, a settable clock, and small article sets."""

from __future__ import annotations

import logging
import socket
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import settings

from bot.archive.store import ArticleStore
from bot.archive.usertables import EmbeddedUserTables
from bot.models import ArticleDraft
from tests.briefkit import clocks, open_writer  # noqa: F401 (fixtures of the brief writer tests)
from tests.feedserver import FeedServer
from tests.pgkit import pg_cluster, pg_url  # noqa: F401 (fixtures)
from tests.searchkit import corpus, service  # noqa: F401 (fixtures of the search tests)
from tests.userskit import gate  # noqa: F401 (fixture of the users-table tests)

# The machine is shared and noisy: speed lives in benchmarks, so no example fails on time.
settings.register_profile("newsbrief", deadline=None)
settings.load_profile("newsbrief")

REPO = Path(__file__).resolve().parent.parent
SEED_FILE = REPO / "seeds" / "000_0991501293c6080e.txt"


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse connections to anything but loopback, as the PTB test suite does."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        if self.family == socket.AF_UNIX:  # a local socket (the feed parser's process server)
            return real_connect(self, address)  # type: ignore[arg-type]
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("::1", "localhost")):
            raise ConnectionRefusedError(f"tests may not reach {host}")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _no_default_feeds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start new data dirs without the built-in (internet) feeds; tests that want them say so."""
    monkeypatch.setenv("NEWSBRIEF_DEFAULT_FEEDS", "0")


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Put back the root handlers, levels and hooks setup_logging replaces.

    For every test: a CLI test's setup_logging leaves a handler on that test's captured
    stderr, closed once it ends, and a later test's warning then hits a closed stream.
    """
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, sys.excepthook, threading.excepthook)
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    yield
    root.handlers[:], root.level, sys.excepthook, threading.excepthook = saved
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    logging.captureWarnings(False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[ArticleStore]:
    s = ArticleStore(tmp_path, clock=clock)
    s.initialize()
    yield s
    s.shutdown()


@pytest.fixture
def users(tmp_path: Path) -> Iterator[EmbeddedUserTables]:
    db = EmbeddedUserTables(tmp_path)
    db.initialize()
    yield db
    db.shutdown()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    """A loopback feed server (bot tests that need a Bot API server define their own)."""
    srv = FeedServer()
    srv.start()
    yield srv
    srv.stop()


def draft(n: int, **fields: object) -> ArticleDraft:
    """Return a distinct draft numbered n; fields override the defaults."""
    base: dict[str, object] = {
        "title": f"Story number {n}",
        "body": f"Body of story {n}. It says something about topic {n}.",
        "url": f"https://news.example.com/story/{n}",
        "published": datetime(2026, 2, 1, tzinfo=UTC) + timedelta(hours=n),
        "source": "Example News",
    }
    base.update(fields)
    return ArticleDraft(**base)  # type: ignore[arg-type]
