"""The digest send queue contract, one suite for both backends (`send_queue` names them).

Embedded: the in-process WorkQueue. PostgreSQL: PgSendQueue, whose rows any process may
claim. What both promise: requests for a chat that waits merge into one delivery, a chat is
never in two workers at once, a /digest someone waits for tells them how it ended, and one
chat's failure does not stop the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime

import pytest

from bot.digests.pgqueue import PgSendQueue
from bot.digests.workqueue import Handler, Request, WorkQueue
from bot.pg.database import Database

Queue = WorkQueue | PgSendQueue
MakeQueue = Callable[[Handler, int], Queue]
D1 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
D2 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["embedded", "postgresql"])
def send_queue(request: pytest.FixtureRequest) -> Iterator[MakeQueue]:
    """Yield make(handle, workers) -> a queue of the backend (not started)."""
    if request.param == "embedded":
        yield lambda handle, workers: WorkQueue(handle, workers)
        return
    url: str = request.getfixturevalue("pg_url")
    database = Database(url)
    database.open()  # the migrations: digest_requests and the users' tables
    database.close()
    yield lambda handle, workers: PgSendQueue(
        url, handle, workers, lambda *_: None, poll_seconds=0.2
    )


async def run(queue: Queue, body: Callable[[], Awaitable[None]]) -> None:
    """Start the queue, run body, wait for the queue to drain, stop it."""
    queue.start()
    try:
        await body()
        await asyncio.wait_for(queue.join(), 60)  # a hang guard, not a timing
    finally:
        await queue.stop()


async def test_requests_for_a_waiting_chat_merge_into_one(send_queue: MakeQueue) -> None:
    handled: list[tuple[int, set[str], datetime | None]] = []

    async def handle(chat_id: int, request: Request) -> str:
        handled.append((chat_id, set(request.sub_ids), request.due))
        return "sent"

    queue = send_queue(handle, 2)
    queue.submit(1, Request({"a"}, D1))
    queue.submit(2, Request({"c"}, D1))
    queue.submit(1, Request({"b"}, D2))

    async def nothing() -> None:
        pass

    await run(queue, nothing)
    assert sorted(handled, key=lambda h: h[0]) == [(1, {"a", "b"}, D2), (2, {"c"}, D1)]


async def test_a_chat_is_never_in_two_workers_and_asked_again_it_goes_again(
    send_queue: MakeQueue,
) -> None:
    active: set[int] = set()
    handled: list[tuple[int, set[str]]] = []
    first_in, release, other_done = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def handle(chat_id: int, request: Request) -> str:
        assert chat_id not in active, "two workers on one chat"
        active.add(chat_id)
        try:
            if chat_id == 1 and not first_in.is_set():
                first_in.set()
                await release.wait()
            if chat_id == 2:
                other_done.set()
            handled.append((chat_id, set(request.sub_ids)))
            return "sent"
        finally:
            active.discard(chat_id)

    queue = send_queue(handle, 4)

    async def body() -> None:
        queue.submit(1, Request({"a"}, D1))
        await asyncio.wait_for(first_in.wait(), 60)
        queue.submit(1, Request({"b"}, D2))  # due again while its first digest is out
        queue.submit(2, Request({"c"}, D2))
        await asyncio.wait_for(other_done.wait(), 60)  # the other workers carry on
        release.set()

    await run(queue, body)
    assert [h for h in handled if h[0] == 1] == [(1, {"a"}), (1, {"b"})]
    assert (2, {"c"}) in handled


async def test_a_waiting_person_hears_how_it_ended_and_a_failure_stops_no_one(
    send_queue: MakeQueue,
) -> None:
    handled: list[int] = []

    async def handle(chat_id: int, request: Request) -> str:
        if chat_id == 1:
            raise RuntimeError("composing broke")
        handled.append(chat_id)
        return "empty" if request.manual else "sent"

    queue = send_queue(handle, 1)
    loop = asyncio.get_running_loop()
    broken, asked = loop.create_future(), loop.create_future()

    async def body() -> None:
        queue.submit(1, Request(manual=True, waiters=[broken]), first=True)
        queue.submit(2, Request({"x"}, D1))
        queue.submit(3, Request(manual=True, waiters=[asked]), first=True)
        assert await asyncio.wait_for(broken, 60) == "failed"
        assert await asyncio.wait_for(asked, 60) == "empty"

    await run(queue, body)
    assert sorted(handled) == [2, 3]
