"""A minimal HTTP/1.1 server on asyncio streams, enough for httpx clients with keep-alive."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus

_MAX_HEADER_BYTES = 64 * 1024
_MAX_BODY_BYTES = 60 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Request:
    """One parsed HTTP request."""

    method: str
    target: str
    headers: dict[str, str]  # lower-cased names
    body: bytes


@dataclass(frozen=True, slots=True)
class Response:
    """One HTTP response with a JSON (or other) body."""

    status: int
    body: bytes
    content_type: str = "application/json"


Handler = Callable[[Request], Awaitable[Response]]


class _BadHttp(Exception):
    """The peer sent something that is not HTTP/1.1 we understand."""


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    """Read a chunked transfer-encoded body."""
    parts: list[bytes] = []
    while True:
        size_line = await reader.readline()
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            await reader.readline()
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """Read one request from the stream, or None when the peer closed the connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    except asyncio.LimitOverrunError as exc:
        raise _BadHttp("header too large") from exc
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _BadHttp(f"bad request line {lines[0]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    else:
        length = int(headers.get("content-length", "0") or "0")
        if length > _MAX_BODY_BYTES:
            raise _BadHttp("body too large")
        body = await reader.readexactly(length) if length else b""
    return Request(parts[0].upper(), parts[1], headers, body)


def encode_response(response: Response, keep_alive: bool) -> bytes:
    """Serialise a response with Content-Length framing."""
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = "Unknown"
    head = (
        f"HTTP/1.1 {response.status} {reason}\r\n"
        f"Content-Type: {response.content_type}\r\n"
        f"Content-Length: {len(response.body)}\r\n"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
    )
    return head.encode("latin-1") + response.body


class HttpServer:
    """Serve a single async handler on 127.0.0.1 and track connections so stop() is prompt."""

    def __init__(self, handler: Handler, host: str = "127.0.0.1", port: int = 0) -> None:
        self._handler = handler
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()  # inner serving tasks, cancelled on stop
        self._connections: set[asyncio.Task[None]] = set()  # asyncio's per-connection tasks

    @property
    def port(self) -> int:
        """Return the bound port (after start)."""
        if self._server is None:
            raise RuntimeError("server not started")
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Bind and start accepting connections."""
        self._server = await asyncio.start_server(
            self._on_connection, self._host, self._port, limit=_MAX_HEADER_BYTES
        )

    async def stop(self) -> None:
        """Stop accepting, then cancel open connections (long polls included)."""
        if self._server is None:
            return
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._connections:
            await asyncio.wait(list(self._connections), timeout=2.0)
        await self._server.wait_closed()
        self._server = None

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        # Serve in an inner task that stop() cancels; asyncio logs a traceback for a cancelled
        # connection task, so this outer one swallows cancellation (we are shutting down anyway).
        outer = asyncio.current_task()
        if outer is not None:
            self._connections.add(outer)
        task = asyncio.create_task(self._serve(reader, writer))
        self._tasks.add(task)
        try:
            await task
        except (asyncio.CancelledError, ConnectionError, asyncio.IncompleteReadError, _BadHttp):
            pass  # a client going away mid-request is normal for long polling
        except ValueError:
            pass  # malformed framing (bad Content-Length or chunk size)
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(writer.wait_closed(), 1.0)
            if outer is not None:
                self._connections.discard(outer)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            request = await read_request(reader)
            if request is None:
                return
            response = await self._handler(request)
            keep_alive = request.headers.get("connection", "").lower() != "close"
            writer.write(encode_response(response, keep_alive))
            await writer.drain()
            if not keep_alive:
                return
