"""The brief writer never in the way: timeouts, 429s, an open breaker and a spent budget fall
back to the extractive brief; a cached brief costs no request; the key stays out of logs."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.logs import redact
from tests.briefkit import GOOD, KEY, Clocks, started, story
from tests.llmserver import Reply, Seen, fake_model

HOUR = 3600.0  # the longest back-off a Retry-After earns (bot/briefs/guard.py)


async def test_a_timeout_means_extractive(open_writer) -> None:
    with fake_model(lambda seen: Reply(GOOD, hold=True)) as model:
        writer = await started(open_writer(model, request_seconds=0.2))
        assert await writer.story_brief(story(), "en", wait=None) is None
        assert len(model.seen) == 2  # the client's one retry, then it gave up


async def test_a_reply_waits_its_limit_and_the_late_brief_serves_the_next(open_writer) -> None:
    with fake_model(lambda seen: Reply(GOOD, hold=True)) as model:
        writer = await started(open_writer(model, wait_seconds=0.05))
        assert await writer.story_brief(story(), "en") is None  # extractive now
        model.release.set()
        late = await writer.story_brief(story(), "en", wait=None)  # joins the same request
        assert late is not None and await writer.story_brief(story(), "en") == late
    assert len(model.seen) == 1


async def test_429_backs_off_then_falls_back(open_writer, clocks: Clocks) -> None:
    replies = {"status": 429}

    def answer(seen: Seen) -> Reply:
        if replies["status"] == 429:
            return Reply(status=429, headers={"retry-after-ms": "5"})
        return Reply(GOOD)

    with fake_model(answer) as model:
        writer = await started(open_writer(model))
        assert await writer.story_brief(story(), "en") is None
        assert len(model.seen) == 2  # asked again once after the endpoint's delay
        assert await writer.story_brief(story(), "en") is None
        assert len(model.seen) == 2  # backing off: no request at all
        replies["status"] = 200
        clocks.now += 61
        assert await writer.story_brief(story(), "en") is not None
    assert len(model.seen) == 3


@pytest.mark.parametrize(
    "headers",
    [
        {"retry-after": "inf"},
        {"retry-after": "Infinity"},
        {"retry-after": "1e300"},
        {"retry-after": "9" * 40},
        {"retry-after": "Fri, 31 Dec 9999 23:59:59 GMT"},
        {"retry-after-ms": "inf"},
    ],
    ids=["inf", "infinity", "1e300", "40-digits", "year-9999", "ms-inf"],
)
async def test_an_endless_retry_after_backs_off_an_hour_at_most(
    open_writer, clocks: Clocks, headers: dict[str, str]
) -> None:
    replies = {"status": 429}

    def answer(seen: Seen) -> Reply:
        return Reply(status=429, headers=headers) if replies["status"] == 429 else Reply(GOOD)

    with fake_model(answer) as model:
        writer = await started(open_writer(model))
        assert await writer.story_brief(story(), "en") is None
        asked = len(model.seen)
        replies["status"] = 200
        clocks.now += HOUR - 1
        assert await writer.story_brief(story(), "en") is None  # the wait is honoured...
        assert len(model.seen) == asked
        clocks.now += 2
        assert await writer.story_brief(story(), "en") is not None  # ...up to the cap


async def test_a_retry_after_below_the_cap_is_honoured_as_given(
    open_writer, clocks: Clocks
) -> None:
    replies = iter([Reply(status=429, headers={"retry-after": "1800.5"})])
    with fake_model(lambda seen: next(replies, Reply(GOOD))) as model:
        writer = await started(open_writer(model))
        assert await writer.story_brief(story(), "en") is None
        clocks.now += 1800
        assert await writer.story_brief(story(), "en") is None
        assert len(model.seen) == 1  # a wait over the client's own retry limit: asked once
        clocks.now += 1
        assert await writer.story_brief(story(), "en") is not None


async def test_repeated_failures_open_the_breaker(open_writer, clocks: Clocks) -> None:
    with fake_model(lambda seen: Reply(status=500)) as model:
        writer = await started(open_writer(model))
        for n in range(5):
            assert await writer.story_brief(story(story_id=f"s{n}"), "en") is None
        asked = len(model.seen)
        assert await writer.story_brief(story(story_id="s9"), "en") is None
        assert len(model.seen) == asked
        clocks.now += 301
        assert await writer.story_brief(story(story_id="s9"), "en") is None
        assert len(model.seen) > asked


async def test_a_spent_budget_means_extractive_with_one_line_a_day(
    open_writer, clocks: Clocks, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "newsbrief.briefs")
    with fake_model(lambda seen: Reply(GOOD, tokens=100)) as model:
        writer = await started(open_writer(model, daily_tokens=150))
        assert await writer.story_brief(story(story_id="s1"), "en") is not None
        assert await writer.story_brief(story(story_id="s2"), "en") is not None  # 200 spent
        assert await writer.story_brief(story(story_id="s3"), "en") is None
        assert await writer.story_brief(story(story_id="s4"), "en") is None
        assert len(model.seen) == 2
        assert caplog.text.count("budget of 150 tokens is spent") == 1
        clocks.day += timedelta(days=1)
        assert await writer.story_brief(story(story_id="s3"), "en") is not None
    assert len(model.seen) == 3


async def test_a_cached_brief_sends_no_request(open_writer) -> None:
    with fake_model(lambda seen: Reply(GOOD)) as model:
        writer = await started(open_writer(model))
        assert writer.cached(story(), "en") is None
        first = await writer.story_brief(story(), "en")
        assert first is not None and writer.cached(story(), "en") == first
        assert await writer.story_brief(story(), "en") == first
        assert len(model.seen) == 1
        await writer.story_brief(story(), "en", reports=4)  # a new report: written again
        assert len(model.seen) == 2


async def test_the_key_never_appears_in_logs(open_writer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    replies = iter([Reply(status=500), Reply(status=500), Reply(status=401), Reply(GOOD)])
    with fake_model(lambda seen: next(replies, Reply(GOOD))) as model:
        writer = await started(open_writer(model))
        assert await writer.story_brief(story(story_id="s1"), "en") is None
        await writer.story_brief(story(story_id="s2"), "en")
        await writer.story_brief(story(story_id="s3"), "en")
    assert model.seen[0].authorization == f"Bearer {KEY}"  # the key was used
    assert "model brief failed" in caplog.text
    assert KEY not in caplog.text and KEY not in repr(writer.settings)
    # Registered with the one mask of bot/logs: any line that would quote it is masked.
    assert redact(f"sent {KEY}") == "sent <secret>"
