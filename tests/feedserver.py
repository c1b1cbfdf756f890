"""A loopback HTTP server for feed tests and the feed benchmark.

Serves the feed fixtures of tests/fixtures/feeds (real-world dialects and encodings, written
for these tests), generated feeds (also a big one) and documents a test puts in, with
ETag/Last-Modified and 304s, plus misbehaving endpoints: slow, silent, trickling,
huge, truncated, HTML, error statuses (`/status/429?retry_after=7200`) and redirect loops. Run it alone with
`python -m tests.feedserver [--port N]`; it prints its base URL.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.feeddocs import Document, big_feed, generate_feed, gzip_bomb, validators_of

FIXTURE_FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"
HUGE_BYTES = 50 * 1024 * 1024
CHUNK = 64 * 1024
HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Not a feed</title></head><body><p>Hello</p></body></html>"
)


class _Server(ThreadingHTTPServer):
    """A threading server that takes a client hanging up mid-request as normal (timeouts and
    cancelled polls do), instead of printing the traceback into the test output."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FeedServer:
    """The server and what it has seen; start() binds an ephemeral loopback port."""

    def __init__(self, *, generated_items: int = 20, fixtures: Path = FIXTURE_FEEDS) -> None:
        self.generated_items = generated_items
        self.fixtures = fixtures
        self.documents: dict[str, Document] = {}
        self.requests: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.user_agents: set[str] = set()
        self.in_flight = 0
        self.max_in_flight = 0
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)  # notified at every request
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self, port: int = 0) -> str:
        """Serve in a daemon thread and return the base URL."""
        server = self
        handler = type("Handler", (_Handler,), {"feeds": server})
        self._httpd = _Server(("127.0.0.1", port), handler)
        self._httpd.daemon_threads = True
        # A short poll interval: stop() waits for the serving loop to notice.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self.base_url

    @property
    def base_url(self) -> str:
        """Return http://127.0.0.1:PORT."""
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        """Return the absolute URL of path."""
        return self.base_url + path

    def stop(self) -> None:
        """Release every held-open request and stop serving."""
        self.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def put(
        self,
        path: str,
        body: bytes,
        content_type: str = "application/rss+xml",
        *,
        validators: bool = True,
    ) -> None:
        """Serve body at path (replacing what was there), with ETag/Last-Modified when asked."""
        etag, modified = validators_of(body) if validators else (None, None)
        with self.lock:
            self.documents[path] = Document(body, content_type, etag, modified)

    def wait_for_request(self, path: str, timeout: float = 30.0) -> bool:
        """Wait until path has been asked for at least once; False if it was not in time."""
        with self.arrived:
            return self.arrived.wait_for(lambda: self.requests[path] > 0, timeout)

    def count(self, path: str) -> int:
        """Return how many requests path has had."""
        with self.lock:
            return self.requests[path]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    feeds: FeedServer

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: tests read the counters instead."""

    def send_response(self, code: int, message: str | None = None) -> None:
        with self.feeds.lock:
            self.feeds.statuses[code] += 1
        super().send_response(code, message)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with self.feeds.lock:
            self.feeds.requests[parts.path] += 1
            self.feeds.arrived.notify_all()
            self.feeds.user_agents.add(self.headers.get("User-Agent", ""))
            self.feeds.in_flight += 1
            self.feeds.max_in_flight = max(self.feeds.max_in_flight, self.feeds.in_flight)
        try:
            # The client giving up (size cap, timeout) is the point of some routes.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._route(parts.path, query)
        finally:
            with self.feeds.lock:
                self.feeds.in_flight -= 1

    def _route(self, path: str, query: dict[str, str]) -> None:
        special = {
            "/html": lambda: self._send(200, HTML_PAGE, "text/html; charset=utf-8"),
            "/never": self._never,
            "/slow": lambda: self._slow(float(query.get("delay", "2"))),
            "/trickle": self._trickle,
            "/huge": lambda: self._huge(with_length="nolength" not in query),
            "/broken": self._broken,
            "/gzipbomb": self._gzip_bomb,
            "/bigfeed.xml": lambda: self._document(
                Document(big_feed(), "application/rss+xml", *validators_of(big_feed()))
            ),
            "/loop/a": lambda: self._redirect("/loop/b"),
            "/loop/b": lambda: self._redirect("/loop/a"),
            "/redirect": lambda: self._redirect(query.get("to", "/")),
        }
        if path in special:
            special[path]()
        elif path.startswith("/status/"):
            extra = {"Retry-After": query["retry_after"]} if "retry_after" in query else {}
            self._send(int(path.rsplit("/", 1)[1]), b"error page", "text/plain", headers=extra)
        elif path.startswith("/fixtures/") and (self.feeds.fixtures / path[10:]).is_file():
            self._document(Document(b"", "application/rss+xml"), self.feeds.fixtures / path[10:])
        elif path.startswith("/gen/"):
            number = int(path[5:].split(".")[0])
            # ?step=S: a new item every S seconds, for demos against a live feed.
            step = float(query.get("step", "0"))
            version = int(time.time() // step) % 100_000 if step > 0 else 0
            items = int(query.get("items", self.feeds.generated_items))
            body = generate_feed(number, items, version=version)
            self._document(Document(body, *(("application/rss+xml", *validators_of(body)))))
        else:
            with self.feeds.lock:
                document = self.feeds.documents.get(path)
            if document is None:
                self._send(404, b"not found", "text/plain")
            else:
                self._document(document)

    def _document(self, document: Document, file: Path | None = None) -> None:
        if file is not None:
            body = file.read_bytes()
            document = Document(body, document.content_type, *validators_of(body))
        if (document.etag and self.headers.get("If-None-Match") == document.etag) or (
            document.last_modified
            and self.headers.get("If-Modified-Since") == document.last_modified
            and not document.etag
        ):
            self._send(304, b"", None, document)
        else:
            self._send(200, document.body, document.content_type, document)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        document: Document | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if document is not None and document.etag:
            self.send_header("ETag", document.etag)
        if document is not None and document.last_modified:
            self.send_header("Last-Modified", document.last_modified)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _redirect(self, target: str) -> None:
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _never(self) -> None:
        self.feeds.stopping.wait(60)
        self.close_connection = True

    def _slow(self, delay: float) -> None:
        if not self.feeds.stopping.wait(delay):
            self._send(200, generate_feed(999, 3), "application/rss+xml")

    def _trickle(self) -> None:
        """Answer at once, then send one byte a second: only a total timeout stops it."""
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        while not self.feeds.stopping.wait(0.2):
            self.wfile.write(b" ")
            self.wfile.flush()
        self.close_connection = True

    def _huge(self, *, with_length: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        if with_length:
            self.send_header("Content-Length", str(HUGE_BYTES))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title><description>'
        self.wfile.write(head)
        sent = len(head)
        filler = b"x" * CHUNK
        while sent < HUGE_BYTES and not self.feeds.stopping.is_set():
            self.wfile.write(filler)
            sent += CHUNK
        self.close_connection = True

    def _gzip_bomb(self) -> None:
        """A small body that inflates past the cap: the size cap must count decoded bytes."""
        body = gzip_bomb()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _broken(self) -> None:
        """Promise 10,000 bytes, send a few, hang up."""
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", "10000")
        self.end_headers()
        self.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><chan')
        self.wfile.flush()
        self.close_connection = True


def main() -> None:
    """Serve until interrupted, printing the base URL first."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--items", type=int, default=20)
    args = parser.parse_args()
    server = FeedServer(generated_items=args.items)
    print(server.start(args.port), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
