"""The one client of the model's endpoint: the official `openai` package, one request at a time.

It speaks the chat-completions API that OpenAI, Ollama, llama.cpp's server and vLLM all serve,
and brings timeouts, one retry with backoff on 429 and 5xx (honouring a Retry-After of up to two
minutes) and typed errors. Every failure comes back as a `Failure` value, never as an exception: the writer decides
what a failure means (back off, count it, fall back) and nothing here logs the request.

Reasoning models (DeepSeek-R1, Qwen3) think before they answer: some servers send the thinking in
a field of its own (`reasoning_content`; Ollama's `reasoning`), others leave it in `content` as a leading `<think>…</think>` block (its
opening tag sometimes in the prompt's template, so only `</think>` shows; with thinking turned
off Qwen3 still sends an empty block). The answer is what follows the block; thinking alone (cut
off by the output limit) is no answer, though its tokens were spent.

Tokens are what the server's `usage` counts; a server that sends none (or zeros) would never
spend the daily budget, so its tokens are estimated from the text sent and received.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.backoff import retry_after

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletion

RETRIES = 1
MAX_ANSWER_TOKENS = 300  # 3 sentences of 400 characters, in any script, with room
_THINK = re.compile(r"<think>", re.IGNORECASE)
_THINK_OPEN = re.compile(r"\A\s*<think>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</think>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Answer:
    """The model's text and the tokens the request cost."""

    text: str
    tokens: int


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a request gave no answer; `retry_after` when the endpoint asked to back off.

    `tokens`: what an answer that was no brief (thinking alone) still cost.
    """

    reason: str
    rate_limited: bool = False
    retry_after: float | None = None
    tokens: int = 0


class ModelClient:
    """Ask an OpenAI-compatible endpoint for one chat completion at a time."""

    def __init__(self, url: str, model: str, api_key: str | None, timeout: float) -> None:
        """Open the client (no request is sent until `complete`)."""
        # Imported here: `openai` takes about a second to import, and only a bot with
        # NEWSBRIEF_LLM_URL set needs it; every other start would pay it before polling.
        import openai

        self._model = model
        self._openai = openai
        # An explicit placeholder: without one the package would read OPENAI_API_KEY from the
        # environment and send it to whatever endpoint the owner named.
        self._client: openai.AsyncOpenAI = openai.AsyncOpenAI(
            base_url=url, api_key=api_key or "none", timeout=timeout, max_retries=RETRIES
        )

    async def complete(self, messages: list[dict[str, str]]) -> Answer | Failure:
        """Return the answer to the messages, or why there is none."""
        openai = self._openai
        try:
            response = await self._client.chat.completions.create(
                model=self._model,
                messages=messages,  # type: ignore[arg-type]
                max_tokens=MAX_ANSWER_TOKENS,
                temperature=0.2,
            )
        except openai.RateLimitError as exc:
            return Failure("rate limited", True, _retry_after(exc.response.headers))
        except openai.APITimeoutError:
            return Failure("timed out")
        except openai.APIStatusError as exc:
            return Failure(f"HTTP {exc.status_code}")
        except openai.APIError as exc:
            return Failure(type(exc).__name__)
        except ValueError:
            # A body labelled JSON that is none (cut short, empty, not UTF-8): the package lets
            # the decoder's error through, which would fail the reader's reply instead.
            return Failure("not a chat completion")
        return _read(response, messages)

    async def close(self) -> None:
        """Close the connections."""
        await self._client.close()


def _read(response: ChatCompletion, messages: list[dict[str, str]]) -> Answer | Failure:
    """Return the answer of a completion with its thinking left out, or why there is none."""
    try:
        message = response.choices[0].message if response.choices else None
        text = message.content if message else None
        fields = (getattr(message, f, None) for f in ("reasoning_content", "reasoning"))
        usage = response.usage
    except (AttributeError, TypeError, IndexError, KeyError, ValueError):
        # A 200 that is no completion (a proxy's HTML page, a JSON list) comes back as a
        # str or a half-built object: a failure like any other, not an error of the reply.
        return Failure("not a chat completion")
    if text is not None and not isinstance(text, str):
        return Failure("not a chat completion")
    reasoning = [f for f in fields if isinstance(f, str) and f]
    written = [m["content"] for m in messages] + [text or "", *reasoning]
    tokens = _counted(usage) or estimate_tokens(written)
    thought, answer = split_thinking(text or "")
    if answer:
        return Answer(answer, tokens)
    if thought or reasoning:
        return Failure("only reasoning, no answer", tokens=tokens)
    return Failure("empty answer", tokens=tokens)


def _counted(usage: object) -> int:
    """Return the tokens the server counted (the total, else prompt + completion), 0 if none."""

    def count(name: str) -> int:
        try:
            return max(int(getattr(usage, name, None) or 0), 0)
        except (TypeError, ValueError, OverflowError):  # not a number, NaN, inf
            return 0

    return count("total_tokens") or count("prompt_tokens") + count("completion_tokens")


def estimate_tokens(texts: Iterable[str]) -> int:
    """Return the tokens of texts as a budget counts them without `usage`: UTF-8 bytes / 4, up.

    Four characters a token is the usual rule for English; counting bytes keeps it near the truth
    for other scripts too (Cyrillic 2 bytes a character, CJK 3), where characters / 4 would
    count a Russian prompt at half its tokens and let the budget run over.
    """
    return -(-sum(len(text.encode()) for text in texts) // 4)


def split_thinking(content: str) -> tuple[bool, str]:
    """Return whether the content opened with thinking, and the answer after it (stripped).

    Only a leading block is thinking: a `<think>` after the answer is markup, rejected with it.
    """
    opened = _THINK_OPEN.match(content)
    close = _THINK_CLOSE.search(content, opened.end() if opened else 0)
    if opened:
        return True, content[close.end() :].strip() if close else ""
    if close is None or _THINK.search(content, 0, close.start()):
        return False, content.strip()
    return True, content[close.end() :].strip()  # the template opened the block in the prompt


def _retry_after(headers: object) -> float | None:
    """Return the delay a 429 asked for (retry-after-ms, or Retry-After seconds or a date)."""
    get = getattr(headers, "get", None)
    if get is None:
        return None
    now = datetime.now(UTC)
    ms = retry_after(get("retry-after-ms"), now)
    return ms / 1000.0 if ms is not None else retry_after(get("retry-after"), now)
