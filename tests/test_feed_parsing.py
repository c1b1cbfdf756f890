"""Feed documents are parsed in a child process; a document that kills or hangs it fails alone."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from datetime import UTC, datetime
from multiprocessing import connection
from typing import Any

import pytest

from bot.feeds.parsing import ParseCrashed, ParserPool
from bot.ingest.feedparse import ParsedFeed
from tests.feeddocs import generate_feed

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
HANG_GUARD = 60.0  # seconds: only ends a test that would otherwise hang


def pid_parser(data: bytes, **kwargs: Any) -> ParsedFeed:
    """A parser that names the process it ran in, and dies on a poisoned document."""
    if data == b"poison":
        os._exit(3)  # what a crash in a C parser looks like from outside
    return ParsedFeed(title=str(os.getpid()))


async def test_documents_are_parsed_in_another_process() -> None:
    pool = ParserPool()
    try:
        parsed = await pool.parse(generate_feed(2, 30), fetched_at=NOW, content_type=None)
        assert parsed.is_feed and len(parsed.drafts) == 30
        other = ParserPool(pid_parser)
        try:
            named = await other.parse(b"<rss/>", fetched_at=NOW, content_type=None)
            assert int(named.title) != os.getpid()
        finally:
            other.shutdown()
    finally:
        pool.shutdown()


async def test_a_document_that_kills_the_parser_fails_alone() -> None:
    pool = ParserPool(pid_parser)
    try:
        first = await pool.parse(b"<rss/>", fetched_at=NOW, content_type=None)
        with pytest.raises(ParseCrashed, match="crashed"):
            await pool.parse(b"poison", fetched_at=NOW, content_type=None)
        after = await pool.parse(b"<rss/>", fetched_at=NOW, content_type=None)
        assert after.title != first.title  # a new child took over
        assert os.getpid() not in (int(first.title), int(after.title))
    finally:
        pool.shutdown()


def slow_parser(data: bytes, **kwargs: Any) -> ParsedFeed:
    """A parser that never finishes a document named "stuck" (a runaway regex, say)."""
    if data == b"stuck":
        time.sleep(3600)
    return ParsedFeed(title=str(os.getpid()))


def alive(pid: int) -> bool:
    return any(child.pid == pid for child in multiprocessing.active_children())


async def test_a_document_the_parser_hangs_on_fails_alone_and_its_child_is_stopped() -> None:
    # The child imports this module (to unpickle slow_parser) when it starts, before any
    # parse is timed; the limit counts parsing only, so a loaded machine cannot trip it.
    pool = ParserPool(slow_parser, timeout=3.0)
    try:
        first = await pool.parse(b"<rss/>", fetched_at=NOW, content_type=None)
        hung = int(first.title)
        child = next(c for c in multiprocessing.active_children() if c.pid == hung)
        with pytest.raises(ParseCrashed, match="still on this document after 3 s"):
            await pool.parse(b"stuck", fetched_at=NOW, content_type=None)
        # The kill is asynchronous; the child's sentinel becomes ready once it has ended.
        assert await asyncio.to_thread(connection.wait, [child.sentinel], HANG_GUARD)
        assert not alive(hung)
        after = await pool.parse(b"<rss/>", fetched_at=NOW, content_type=None)
        assert int(after.title) != hung  # a new child took over
    finally:
        pool.shutdown()
