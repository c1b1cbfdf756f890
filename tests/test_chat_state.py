"""Chat state across restarts: PTB persistence of ChatData in the data dir, bounded to a day."""

from __future__ import annotations

import asyncio
import tempfile
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.app.context import ChatData, Listing
from bot.app.persistence import STATE_FILE, ChatStatePersistence, decode, encode
from bot.app.wiring import build_application, running
from bot.config import Config
from bot.services import open_services
from bot.tgserver import Limits, LocalBotApiServer
from tests.botkit import BOT, TOKEN, fixture_drafts, make_config
from tests.conftest import FakeClock


@asynccontextmanager
async def bot_on(data_dir: Path, server: LocalBotApiServer) -> AsyncIterator[None]:
    """Run the bot on data_dir against server (which, like Telegram, outlives the bot)."""
    config = make_config(data_dir, server)
    services = open_services(config, write=True)
    try:
        if len(services.store) < 30:
            services.store.add_many(fixture_drafts())
        async with running(build_application(config, services, own_services=False), poll_timeout=1):
            yield
    finally:
        services.shutdown()


def first_line(text: str, number: int) -> str:
    """Return the title of item `number` of a list message ("2. Title (1) — Source, date")."""
    line = next(line for line in text.splitlines() if line.startswith(f"{number}. "))
    return line.split(". ", 1)[1].rsplit(" — ", 1)[0]


async def test_buttons_and_summary_numbers_work_after_a_restart(tmp_path: Path) -> None:
    server = LocalBotApiServer(token=TOKEN, bot_username=BOT, limits=Limits.unlimited())
    await server.start()
    try:
        user = server.user(5150, "Ann")
        async with bot_on(tmp_path, server):
            await user.send("/latest")
            [listing] = await user.wait_replies(1, timeout=10)
        second, first = first_line(listing.text, 2), first_line(listing.text, 1)
        assert first != second
        async with bot_on(tmp_path, server):  # a new process would read the same file
            answer = await user.press(listing, "Summary 2", timeout=10)
            [card] = await user.wait_replies(1, timeout=10)
            assert answer.text in (None, "")  # no "expired" notice
            assert card.text.startswith(second)
            await user.send("/summary 1")
            [summary] = await user.wait_replies(1, timeout=10)
            assert summary.text.startswith(first)
            await user.press(listing, "More »", timeout=10)
            [page] = await user.wait_replies(1, timeout=10)
            assert page.edited and page.text.startswith("Latest news · 6–10 of ")
    finally:
        await server.stop()


def chat(now: datetime, *, ages: list[timedelta], shown_age: timedelta) -> ChatData:
    """Return chat data with one listing per age and a last list shown `shown_age` ago."""
    data = ChatData()
    for n, age in enumerate(ages):
        data.add_listing(Listing("search", f"q{n}", 5, total=9, created=now - age, shown={1: "a"}))
    data.remember_items(["x", "y"], 1)
    data.last_shown = now - shown_age
    return data


async def test_lists_older_than_a_day_are_dropped_on_save_and_load(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    path = tmp_path / STATE_FILE
    persistence = ChatStatePersistence(path, clock=clock)
    old = chat(
        clock(), ages=[timedelta(hours=30), timedelta(hours=2)], shown_age=timedelta(hours=2)
    )
    await persistence.update_chat_data(7, old)
    await persistence.update_chat_data(
        8, chat(clock(), ages=[timedelta(0)], shown_age=timedelta(0))
    )
    clock.advance(hours=20)
    loaded = await ChatStatePersistence(path, clock=clock).get_chat_data()
    assert list(loaded[7].listings) == [2] and loaded[7].last_ids == ["x", "y"]
    assert list(loaded[8].listings) == [1]
    clock.advance(hours=5)
    loaded = await ChatStatePersistence(path, clock=clock).get_chat_data()
    assert loaded[7].listings == OrderedDict() and loaded[7].last_ids == []
    assert loaded[8].listings == OrderedDict()
    assert loaded[7].next_listing == 3  # an old button can never page a new list


async def test_chats_idle_for_a_day_keep_only_their_counters_in_memory_and_file(
    tmp_path: Path,
) -> None:
    clock = FakeClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    path = tmp_path / STATE_FILE
    persistence = ChatStatePersistence(path, clock=clock)
    for chat_id in range(100, 150):  # seen once, each shown a list
        await persistence.update_chat_data(
            chat_id, chat(clock(), ages=[timedelta(0)], shown_age=timedelta(0))
        )
    plain = ChatData()
    plain.remember_items(["a"], 1)  # a card number, no list with buttons
    await persistence.update_chat_data(7, plain)
    clock.advance(hours=25)
    await persistence.update_chat_data(
        8, chat(clock(), ages=[timedelta(0)], shown_age=timedelta(0))
    )
    saved = orjson.loads(path.read_bytes())["chats"]
    assert set(saved) == {str(n) for n in range(100, 150)} | {"8"}  # 7 had only defaults left
    assert saved["100"] == {"next_listing": 2, "blocked": False}  # not the expired lists
    assert len(saved["8"]["listings"]) == 1
    loaded = await ChatStatePersistence(path, clock=clock).get_chat_data()
    assert loaded[100] == ChatData(next_listing=2)  # an old button still pages no new list


def names(folder: Path) -> list[str]:
    """Return the names of the files in folder."""
    return sorted(p.name for p in folder.iterdir())


async def test_forgetting_a_chat_removes_it_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / STATE_FILE
    persistence = ChatStatePersistence(path)
    for chat_id in (1, 2):
        data = ChatData()
        data.remember_items(["a"], 1)
        await persistence.update_chat_data(chat_id, data)
    await persistence.drop_chat_data(1)
    await persistence.flush()
    assert set(orjson.loads(path.read_bytes())["chats"]) == {"2"}
    assert names(tmp_path) == [STATE_FILE]  # no temp file left


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b'{"chats": {"5": {"listings": "nope"}}}',
        b'{"chats": {"5": {"last_first": "x"}}}',
    ],
)
async def test_a_damaged_state_file_costs_the_lists_not_the_bot(
    tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / STATE_FILE
    path.write_bytes(content)
    assert await ChatStatePersistence(path).get_chat_data() == {}
    assert "not loaded" in caplog.text


def test_a_read_only_view_keeps_no_chat_state(tmp_path: Path) -> None:
    config = Config(data_dir=tmp_path, token=TOKEN, seeds_dir=tmp_path / "noseeds")
    writer = open_services(config, write=True)
    try:
        reader = open_services(writer.config, write=False)
        try:
            assert build_application(reader.config, reader, own_services=False).persistence is None
            app = build_application(writer.config, writer, own_services=False)
            assert isinstance(app.persistence, ChatStatePersistence)
        finally:
            reader.shutdown()
    finally:
        writer.shutdown()


listings = st.builds(
    Listing,
    kind=st.sampled_from(["latest", "search", "brief"]),
    period=st.sampled_from(["", "24h", "today", "week"]),
    query=st.text(max_size=30),
    page_size=st.integers(1, 20),
    total=st.integers(0, 10_000),
    page=st.integers(0, 50),
    suggestion=st.none() | st.text(max_size=20),
    shown=st.dictionaries(st.integers(1, 200), st.text(min_size=1, max_size=40), max_size=10),
    created=st.datetimes(timezones=st.just(UTC)),
)


@given(
    st.lists(listings, max_size=5),
    st.lists(st.text(max_size=30), max_size=10),
    st.integers(1, 100),
    st.booleans(),
)
def test_chat_data_survives_encoding_as_json(
    items: list[Listing], ids: list[str], first: int, blocked: bool
) -> None:
    data = ChatData(last_ids=ids, last_first=first, blocked=blocked)
    for listing in items:
        data.add_listing(listing)
    assert decode(ChatData, orjson.loads(orjson.dumps(encode(data)))) == data


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.text(max_size=10)
    | st.datetimes(timezones=st.none() | st.just(UTC)).map(datetime.isoformat),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
chat_fields = st.dictionaries(
    st.sampled_from(
        ["last_ids", "last_first", "last_shown", "listings", "next_listing", "blocked"]
    ),
    json_values,
)


@given(
    st.dictionaries(
        st.text(max_size=6) | st.integers(1, 10**9).map(str), chat_fields | json_values, max_size=3
    )
)
def test_any_state_file_content_loads_without_raising(chats: dict[str, object]) -> None:
    """Whatever the file holds, loading gives chat data or drops it; the bot always starts."""

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / STATE_FILE
        path.write_bytes(orjson.dumps({"chats": chats}))
        loaded = asyncio.run(ChatStatePersistence(path).get_chat_data())
    assert all(isinstance(data, ChatData) for data in loaded.values())


async def test_a_file_from_another_version_keeps_what_still_fits(tmp_path: Path) -> None:
    """Unknown fields are ignored and missing ones take their defaults: no migration needed."""
    path = tmp_path / STATE_FILE
    now = datetime.now(UTC).isoformat()
    listing = {"kind": "latest", "query": "", "page_size": 5, "created": now, "colour": "red"}
    chat = {"listings": [[4, listing]], "next_listing": 5, "retired_field": [1, 2]}
    path.write_bytes(orjson.dumps({"chats": {"77": chat}}))
    loaded = await ChatStatePersistence(path).get_chat_data()
    assert loaded[77].listings[4] == Listing("latest", "", 5, created=datetime.fromisoformat(now))
    assert loaded[77].next_listing == 5 and loaded[77].last_ids == []
