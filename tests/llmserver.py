"""A local OpenAI-compatible server for the brief tests: real HTTP on 127.0.0.1, scripted answers.

`FakeModel` serves POST /v1/chat/completions. Each request is recorded (its JSON and its
Authorization header) and answered by the test's `answer` function, which returns a `Reply`:
a text (None: `content` null, as a server sends when the output limit cut the reasoning), a
reasoning model's thinking in a field of its own, the `finish_reason`, the `usage` (from
`tokens`, none at all as some servers send, or any object given), an error status with headers
(429 with Retry-After), a raw body, and whether to hold the answer until the test releases it
(or the server stops), so a client times out without a test sleeping.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """What the fake model answers: a text or an error status, at once or when released."""

    text: str | None = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    hold: bool = False
    tokens: int = 100
    usage: bool | dict[str, Any] | None = True  # True: from tokens; False: no field; else as is
    reasoning: str | None = None  # thinking sent apart from the answer, in reasoning_field
    reasoning_field: str = "reasoning_content"  # vLLM, llama.cpp, DeepSeek; Ollama's: "reasoning"
    finish_reason: str = "stop"  # "length" when max_tokens cut the output
    body: bytes | None = None  # sent as it is (an endpoint that answers no JSON completion)
    content_type: str = "text/html"  # of body: "application/json" for JSON cut short or broken


@dataclass
class Seen:
    """One request as the server saw it."""

    body: dict[str, Any]
    authorization: str

    @property
    def system(self) -> str:
        return str(self.body["messages"][0]["content"])

    @property
    def user(self) -> str:
        return str(self.body["messages"][-1]["content"])


@dataclass
class FakeModel:
    """The running fake: its base URL, the requests it saw, and what it answers."""

    answer: Callable[[Seen], Reply]
    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


def _handler(model: FakeModel) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            seen = Seen(json.loads(self.rfile.read(length)), self.headers.get("Authorization", ""))
            model.seen.append(seen)
            reply = model.answer(seen)
            if reply.hold:
                model.release.wait()  # then answer, late: the client may have stopped waiting
            if reply.body is not None:
                self._send(reply.status, reply.body, {"Content-Type": reply.content_type})
                return
            if reply.status != 200:
                self._send(reply.status, {"error": {"message": "slow down"}}, reply.headers)
                return
            self._send(200, _completion(seen.body.get("model", ""), reply), {})

        def _send(self, status: int, body: dict[str, Any] | bytes, headers: dict[str, str]) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers = {"Content-Type": "application/json", **headers}
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting: what a timeout test wants

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def _completion(model: str, reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text}
    if reply.reasoning is not None:
        message[reply.reasoning_field] = reply.reasoning
    completion: dict[str, Any] = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason}],
    }
    if reply.usage is True:
        completion["usage"] = {
            "prompt_tokens": reply.tokens - 20,
            "completion_tokens": 20,
            "total_tokens": reply.tokens,
        }
    elif reply.usage is not False:
        completion["usage"] = reply.usage
    return completion


@contextmanager
def fake_model(answer: Callable[[Seen], Reply]) -> Iterator[FakeModel]:
    """Run a fake model on 127.0.0.1 for the block; held requests are released at its end."""
    model = FakeModel(answer)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(model))
    server.daemon_threads = True
    model.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield model
    finally:
        model.release.set()
        server.shutdown()
        server.server_close()
        thread.join()
