"""The daily token budget holds for every server: counted from the answer's `usage`, and
estimated (UTF-8 bytes / 4 of the prompt and the answer, rounded up) when a server sends none,
or one without a total."""

from __future__ import annotations

import logging
import math
from typing import Any

import pytest

from tests.briefkit import GOOD, started, story
from tests.llmserver import Reply, Seen, fake_model

THINKING = "<think>Three sentences, cited: Putin, 300,000 reservists, 1,300 detained.</think>"


def estimate(seen: Seen, *answers: str | None) -> int:
    texts = [str(m["content"]) for m in seen.body["messages"]] + [a or "" for a in answers]
    return math.ceil(sum(len(t.encode()) for t in texts) / 4)


async def test_without_usage_the_budget_still_runs_out(
    open_writer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "newsbrief.briefs")
    with fake_model(lambda seen: Reply(GOOD, usage=False)) as model:
        writer = await started(open_writer(model, daily_tokens=1))
        assert await writer.story_brief(story(story_id="s1"), "en") is not None
        assert await writer.story_brief(story(story_id="s2"), "en") is None
    assert len(model.seen) == 1
    assert "budget of 1 tokens is spent" in caplog.text


@pytest.mark.parametrize(
    ("usage", "text", "reasoning"),
    [
        (False, GOOD, None),
        (None, GOOD, None),  # "usage": null
        ({}, GOOD, None),
        ({"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}, GOOD, None),
        (False, f"{THINKING}\n{GOOD}", None),  # the thinking was written, so it counts
        (False, GOOD, "Three sentences, cited: Putin, 300,000 reservists, 1,300 detained."),
        (False, "Владимир Путин объявил мобилизацию 300 000 резервистов [1][2].", None),
    ],
    ids=["none", "null", "empty", "zeros", "think-block", "reasoning-field", "cyrillic"],
)
async def test_the_estimate_is_bytes_over_four_of_prompt_and_answer(
    open_writer, usage: Any, text: str, reasoning: str | None
) -> None:
    """After two answers a budget of twice the estimate is spent, one of a token more is not."""
    reply = Reply(text, usage=usage, reasoning=reasoning)
    with fake_model(lambda seen: reply) as probe:
        await (await started(open_writer(probe))).story_brief(story(), "en")
    cost = estimate(probe.seen[0], text, reasoning)
    assert cost > 400  # the prompt alone is some 1,600 bytes: its tokens count, not 0
    assert await asked_within(open_writer, reply, 2 * cost) == 2
    assert await asked_within(open_writer, reply, 2 * cost + 1) == 3


@pytest.mark.parametrize(
    ("usage", "tokens"),
    [
        ({"prompt_tokens": 900, "completion_tokens": 100, "total_tokens": 1000}, 1000),
        ({"prompt_tokens": 900, "completion_tokens": 100}, 1000),  # no total: their sum
    ],
    ids=["total", "parts"],
)
async def test_the_usage_a_server_sends_is_what_counts(
    open_writer, usage: dict[str, int], tokens: int
) -> None:
    reply = Reply(GOOD, usage=usage)
    assert await asked_within(open_writer, reply, 2 * tokens) == 2
    assert await asked_within(open_writer, reply, 2 * tokens + 1) == 3


async def asked_within(open_writer, reply: Reply, budget: int) -> int:
    """Return how many of four stories were sent to the model under a daily budget."""
    with fake_model(lambda seen: reply) as model:
        writer = await started(open_writer(model, daily_tokens=budget))
        for n in range(4):
            await writer.story_brief(story(story_id=f"s{n}"), "en")
    return len(model.seen)
