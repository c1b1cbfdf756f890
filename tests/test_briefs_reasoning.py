"""Reasoning models (DeepSeek-R1, Qwen3 on vLLM, Ollama, llama.cpp) think before they answer: the
thinking is left out and the answer after it is checked like any other; thinking alone (cut off
by the output limit) falls back to the extractive brief and still costs its tokens."""

from __future__ import annotations

import pytest

from tests.briefkit import GOOD, started, story
from tests.llmserver import Reply, fake_model

# Thinking that would fail every check if it were read as the answer: markup, a link, an
# invented number and no citation marks.
THINKING = (
    "The user wants 2-3 sentences. Article 1 says 300,000 reservists; maybe 500,000? "
    "See https://evil.example. I must cite [1] and <b>not</b> use markup."
)


@pytest.mark.parametrize(
    "content",
    [
        f"<think>\n{THINKING}\n</think>\n\n{GOOD}",
        f"<think>\n\n</think>\n\n{GOOD}",  # Qwen3 with thinking off still sends an empty block
        f"  <THINK>{THINKING}</THINK>{GOOD}",
        f"{THINKING}\n</think>\n\n{GOOD}",  # R1's template opened the block in the prompt
    ],
    ids=["block", "empty-block", "upper-case", "opened-by-template"],
)
async def test_the_answer_after_a_think_block_becomes_the_brief(open_writer, content) -> None:
    with fake_model(lambda seen: Reply(GOOD)) as plain:
        expected = await (await started(open_writer(plain))).story_brief(story(), "en")
    with fake_model(lambda seen: Reply(content)) as model:
        brief = await (await started(open_writer(model))).story_brief(story(), "en")
    assert expected is not None and brief is not None
    assert brief.html() == expected.html()


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
async def test_reasoning_in_its_own_field_is_left_out(open_writer, field: str) -> None:
    with fake_model(lambda seen: Reply(GOOD, reasoning=THINKING, reasoning_field=field)) as model:
        brief = await (await started(open_writer(model))).story_brief(story(), "en")
    assert brief is not None and "500,000" not in brief.text()


THINKING_ALONE = pytest.mark.parametrize(
    "reply",
    [
        Reply(f"<think>\n{THINKING}", finish_reason="length"),  # cut off while thinking
        Reply(f"<think>{THINKING}</think>\n  \n"),  # thought, then said nothing
        Reply(None, reasoning=THINKING, finish_reason="length"),  # the same, in its own field
        Reply("", reasoning=THINKING, reasoning_field="reasoning", finish_reason="length"),
    ],
    ids=["unclosed", "nothing-after", "reasoning-field", "ollama-reasoning-field"],
)


@THINKING_ALONE
async def test_thinking_alone_means_extractive(open_writer, reply: Reply) -> None:
    with fake_model(lambda seen: reply) as model:
        writer = await started(open_writer(model))
        assert await writer.story_brief(story(), "en") is None
    assert len(model.seen) == 1  # an answer, if empty: not asked again


async def test_the_checks_apply_to_the_answer_after_the_thinking(open_writer) -> None:
    invented = (
        "Vladimir Putin ordered the mobilisation of 500,000 reservists [1]. "
        "Police detained more than 1,300 protesters in 38 cities [3]."
    )
    replies = {
        "s1": f"<think>{THINKING}</think>{invented}",
        "s2": f"<think>{THINKING}</think>{GOOD} See https://evil.example [1].",
        "s3": f"<think>{THINKING}</think>{GOOD} [7]",
        "s4": f"{GOOD} <think>{THINKING}</think>",  # only a leading block is thinking
    }
    briefs = {}
    with fake_model(lambda seen: Reply()) as model:
        writer = await started(open_writer(model))
        for story_id, content in replies.items():
            model.answer = lambda seen, content=content: Reply(content)
            briefs[story_id] = await writer.story_brief(story(story_id=story_id), "en")
    assert briefs["s1"] is not None and briefs["s1"].text() == (
        "Police detained more than 1,300 protesters in 38 cities. [1]"
    )
    assert briefs["s2"] is None and briefs["s3"] is None and briefs["s4"] is None


@THINKING_ALONE
async def test_thinking_alone_still_spends_the_budget(open_writer, reply: Reply) -> None:
    replies = iter([reply])  # of 100 tokens, as every reply here
    with fake_model(lambda seen: next(replies, Reply(GOOD, tokens=100))) as model:
        writer = await started(open_writer(model, daily_tokens=150))
        assert await writer.story_brief(story(story_id="s1"), "en") is None
        assert await writer.story_brief(story(story_id="s2"), "en") is not None  # 200 spent
        assert await writer.story_brief(story(story_id="s3"), "en") is None
    assert len(model.seen) == 2
