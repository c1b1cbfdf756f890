"""The local Bot API server at the HTTP level: body encodings, tokens, errors, conflicts."""

from __future__ import annotations

import asyncio
import json

import httpx

from tests.tgfixtures import running_server


async def test_json_form_multipart_and_query_string_bodies() -> None:
    async with running_server() as server, httpx.AsyncClient() as client:
        server.user(1)
        url = f"{server.base_url}{server.token}/sendMessage"
        markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
        as_json = await client.post(
            url, json={"chat_id": 1, "text": "json", "reply_markup": markup}
        )
        as_form = await client.post(
            url, data={"chat_id": "1", "text": "123", "reply_markup": json.dumps(markup)}
        )
        as_multipart = await client.post(
            url, data={"chat_id": "1", "text": "multi"}, files={"doc": ("a.txt", b"x")}
        )
        as_query = await client.get(url, params={"chat_id": "1", "text": "query"})
    for response in (as_json, as_form, as_multipart, as_query):
        assert response.status_code == 200, response.text
        assert response.json()["ok"] is True
    assert [m.text for m in server.sent(1)] == ["json", "123", "multi", "query"]
    assert server.sent(1)[1].button_texts == ["Go"]


async def test_tokens_and_methods() -> None:
    async with running_server() as server, httpx.AsyncClient() as client:
        base = server.base_url
        malformed = await client.post(f"{base}not-a-token/getMe")
        wrong = await client.post(f"{base}1:other/getMe")
        unknown = await client.post(f"{base}{server.token}/frobnicate")
        any_case = await client.post(f"{base}{server.token}/GETME")
    assert (malformed.status_code, malformed.json()["description"]) == (404, "Not Found")
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert unknown.status_code == 404
    assert any_case.json()["result"]["username"] == server.bot_username


async def test_error_bodies_look_like_telegram() -> None:
    async with running_server() as server, httpx.AsyncClient() as client:
        server.group(-5, "G")
        server.migrate(-5, -1005)
        url = f"{server.base_url}{server.token}/sendMessage"
        migrated = await client.post(url, json={"chat_id": -5, "text": "x"})
        server.force_flood(retry_after=3)
        flooded = await client.post(url, json={"chat_id": -1005, "text": "x"})
        server.stop_flood()
    assert migrated.status_code == 400
    assert migrated.json()["parameters"] == {"migrate_to_chat_id": -1005}
    assert flooded.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    assert server.stats.errors_per_description["Too Many Requests"] == 1


async def test_a_second_long_poll_ends_the_first_with_conflict() -> None:
    async with running_server() as server, httpx.AsyncClient(timeout=10) as client:
        url = f"{server.base_url}{server.token}/getUpdates"
        first = asyncio.create_task(client.post(url, json={"timeout": 30}))
        await server.long_poll_waiting()
        second = asyncio.create_task(client.post(url, json={"timeout": 0}))
        older, newer = await asyncio.gather(first, second)
    assert older.status_code == 409
    assert "terminated by other getUpdates request" in older.json()["description"]
    assert newer.json() == {"ok": True, "result": []}


async def test_stop_ends_a_waiting_long_poll() -> None:
    async with running_server() as server, httpx.AsyncClient(timeout=10) as client:
        url = f"{server.base_url}{server.token}/getUpdates"
        poll = asyncio.create_task(client.post(url, json={"timeout": 30}))
        await server.long_poll_waiting()
    done, _ = await asyncio.wait([poll], timeout=5)
    assert done  # the client saw the poll end (an error or a 409) instead of hanging 30 s


async def test_an_update_sent_while_a_long_poll_waits_ends_that_poll() -> None:
    async with running_server() as server, httpx.AsyncClient(timeout=60) as client:
        url = f"{server.base_url}{server.token}/getUpdates"
        poll = asyncio.create_task(client.post(url, json={"timeout": 30}))
        await server.long_poll_waiting()
        await server.user(7).send("hello")
        # A missed wake-up would answer after the poll's 30 s; the guard ends the test at 10.
        answer = await asyncio.wait_for(poll, 10)
    assert [u["message"]["text"] for u in answer.json()["result"]] == ["hello"]


async def test_an_update_sent_between_two_long_polls_is_in_the_next_at_once() -> None:
    async with running_server() as server, httpx.AsyncClient(timeout=60) as client:
        url = f"{server.base_url}{server.token}/getUpdates"
        user = server.user(7)
        await user.send("first")
        [first] = (await client.post(url, json={"timeout": 30})).json()["result"]
        await user.send("second")  # while the bot would still be handling the first
        offset = first["update_id"] + 1
        poll = client.post(url, json={"timeout": 30, "offset": offset})
        answer = await asyncio.wait_for(poll, 10)  # a hang guard, far under the 30 s poll
    assert [u["message"]["text"] for u in answer.json()["result"]] == ["second"]
    assert server.pending_updates == 1  # confirmed only by the poll after it


async def test_link_preview_options_are_kept_and_malformed_ones_refused() -> None:
    async with running_server() as server, httpx.AsyncClient() as client:
        server.user(77, "U")
        url = f"{server.base_url}{server.token}/sendMessage"
        preview = {"url": "https://example.org/a", "prefer_small_media": True}
        good = await client.post(
            url, json={"chat_id": 77, "text": "x", "link_preview_options": preview}
        )
        bad_url = {"chat_id": 77, "text": "x", "link_preview_options": {"url": 5}}
        bad_flag = {"chat_id": 77, "text": "x", "link_preview_options": {"is_disabled": "yes"}}
        refused = [await client.post(url, json=body) for body in (bad_url, bad_flag)]
    assert good.json()["result"]["link_preview_options"] == preview
    assert [r.status_code for r in refused] == [400, 400]
    assert refused[0].json()["description"] == (
        "Bad Request: can't parse link preview options JSON object"
    )
    [sent] = server.sent(77)
    assert sent.link_preview_options == preview


async def test_the_first_get_updates_is_timed_by_the_server_clock() -> None:
    now = [100.0]
    async with running_server(clock=lambda: now[0]) as server, httpx.AsyncClient() as client:
        url = f"{server.base_url}{server.token}"
        await client.post(f"{url}/getMe")
        assert server.stats.first_get_updates_at is None  # getMe is not polling yet
        now[0] = 107.5
        await client.post(f"{url}/getUpdates", json={"timeout": 0})
        now[0] = 200.0
        await client.post(f"{url}/getUpdates", json={"timeout": 0})
    assert server.stats.first_get_updates_at == 107.5  # the first poll, not the latest
