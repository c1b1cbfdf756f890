"""Logging set-up: one line per event, and the bot token never written out.

The token is masked in one place that sees the final text of every record: the formatter of
every handler `setup_logging` installs (message, arguments of any logger, exception text,
stack). Warnings and uncaught exceptions of the main thread and other threads are routed
through logging too, so nothing prints around the mask.
"""

from __future__ import annotations

import logging
import sys
import threading
import types
from collections.abc import Iterable
from urllib.parse import quote

import orjson

MASK = "<token>"


class Redactor:
    """Replace each secret, also in its URL-quoted spelling, with a mask."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        forms = {form for s in secrets if s for form in (s, quote(s, safe=""), quote(s))}
        self._forms = sorted(forms, key=len, reverse=True)  # longest first: no partial leftovers

    def __call__(self, text: str) -> str:
        """Return text with every secret masked."""
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text


class RedactingFormatter(logging.Formatter):
    """Format with the inner formatter, then mask the secrets in the final text."""

    def __init__(self, inner: logging.Formatter, redact: Redactor) -> None:
        super().__init__()
        self._inner = inner
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as the inner formatter writes it, secrets masked."""
        text = self._redact(self._inner.format(record))
        # The inner formatter caches the traceback text on the record; mask the cache too,
        # so a second handler that reuses it never sees the raw token.
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a JSON line."""
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(entry).decode()


def protect(
    handler: logging.Handler, token: str | None, secrets: Iterable[str | None] = ()
) -> logging.Handler:
    """Make the handler's output mask the token and other secrets (every handler of ours)."""
    inner = handler.formatter or logging.Formatter()
    if not isinstance(inner, RedactingFormatter):
        handler.setFormatter(RedactingFormatter(inner, Redactor([token, *secrets])))
    return handler


def _log_uncaught(
    kind: type[BaseException], value: BaseException, tb: types.TracebackType | None
) -> None:
    """Log an uncaught exception (so its traceback is masked) instead of printing it raw."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    logging.getLogger("newsbrief").critical("uncaught exception", exc_info=(kind, value, tb))


def _log_thread_uncaught(args: threading.ExceptHookArgs) -> None:
    """Log an exception that ended a thread, masked like any record."""
    if args.exc_value is not None:
        _log_uncaught(args.exc_type, args.exc_value, args.exc_traceback)


def setup_logging(
    level: str = "INFO",
    *,
    token: str | None = None,
    fmt: str = "text",
    secrets: Iterable[str | None] = (),
) -> None:
    """Configure the root logger once, from main(); secrets (the model's API key) masked too."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [protect(handler, token, secrets)]
    root.setLevel(level)
    logging.captureWarnings(False)  # a second set-up (tests, the CLI twice) re-captures afresh
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_thread_uncaught
    # httpx logs every request URL at INFO, and the token is part of each URL: masked anyway,
    # but one line per API call is noise.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
