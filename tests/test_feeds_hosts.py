"""The fetcher's per-host limit: held under load, and no slot kept for a host nobody fetches."""

from __future__ import annotations

import asyncio

from bot.archive.store import ArticleStore
from bot.archive.usertables import EmbeddedUserTables
from bot.feeds import FeedService, FetchSettings
from bot.feeds.fetcher import Fetcher, HostSlots, make_client
from tests.feedkit import SETTINGS, UA
from tests.feedserver import FeedServer


async def test_per_host_limit_holds_under_load(
    store: ArticleStore, users: EmbeddedUserTables, server: FeedServer
) -> None:
    service = FeedService(
        store, users, allow_private=True, fetch_settings=FetchSettings(timeout=5, per_host=2)
    )
    await service.initialize()
    try:
        service.seed_feeds(server.url(f"/slow?delay=0.1&n={n}") for n in range(8))
        results = await service.poll_all()
    finally:
        await service.shutdown()
    assert [r.outcome for r in results].count("error") == 0
    assert server.count("/slow") == 8
    assert server.max_in_flight == 2


async def test_host_slots_keep_the_limit_and_forget_hosts_nobody_uses() -> None:
    """Waiters share the holder's semaphore (never a fresh one); an idle host is dropped."""
    slots = HostSlots(per_host=1)
    inside: list[str] = []
    most = 0
    release = asyncio.Event()
    entered = {name: asyncio.Event() for name in ("a.example-1", "b.example-1")}

    async def use(host: str, name: str) -> None:
        nonlocal most
        async with slots.slot(host):
            inside.append(name)
            most = max(most, sum(1 for n in inside if n.startswith(host)))
            if name in entered:
                entered[name].set()
            await release.wait()
            inside.remove(name)

    first = asyncio.create_task(use("a.example", "a.example-1"))
    await entered["a.example-1"].wait()
    waiters = [asyncio.create_task(use("a.example", f"a.example-{n}")) for n in (2, 3)]
    other = asyncio.create_task(use("b.example", "b.example-1"))
    await entered["b.example-1"].wait()  # the waiters on a.example were started before it
    assert len(slots) == 2 and inside == ["a.example-1", "b.example-1"]
    release.set()
    await asyncio.gather(first, *waiters, other)
    assert most == 1  # never two holders of one host, though its first holder left
    assert len(slots) == 0  # nothing kept for hosts no fetch is using


async def test_a_fetcher_keeps_no_host_it_is_not_fetching(server: FeedServer) -> None:
    server.put("/h.xml", b"<rss version='2.0'><channel><title>h</title></channel></rss>")
    port = server.base_url.rsplit(":", 1)[1]

    async def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    client = make_client(SETTINGS, UA, allow_private=True, resolve=resolve)
    fetcher = Fetcher(client, settings=SETTINGS, allow_private=True)
    try:
        for n in range(30):
            assert (await fetcher.fetch(f"http://feed{n}.example:{port}/h.xml")).status == 200
    finally:
        await client.aclose()
    assert len(fetcher.hosts) == 0 and server.count("/h.xml") == 30
