"""Logging set-up: one line per event, and no secret ever written out.

Secrets (the bot token, the webhook secret, proxy credentials, later API keys) are masked
in one place that sees the final text of every record: the formatter of every handler
`setup_logging` installs (message, arguments of any logger, exception text, stack).
Warnings and uncaught exceptions of the main thread and other threads are routed through
logging too, so nothing prints around the mask. Whoever gets a secret registers it with
`register_secrets`; text shown elsewhere (an admin's notice, a one-line CLI error) goes
through `redact`, the same mask.

The secrets live in one `Redactor` kept as a filter of the root logger: logging's own
process-wide state, so a handler added later and every formatter share it.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import types
from collections.abc import Iterable
from urllib.parse import quote, unquote, urlsplit

import orjson

MASK = "<token>"
# The credentials of any URL: a feed, an article link or a redirect may carry some nobody
# registered, and a log line must not keep them. Its user info ("https://user:password@host"):
_USERINFO = re.compile(r"(?<=://)[^/\s<>?#]+@")  # to the last @ ("u:p@ss@"); "<secret>@" stays
# and the value of a query or fragment parameter whose name says it is a secret ("?token=",
# "&api_key=", "#access_token=", "X-Amz-Signature="). After ";" too: "&amp;token=" in HTML.
_SECRET_PARAM = re.compile(
    r"(?<=[?&;#])((?:[\w.-]*[_.-])?"
    r"(?:api_?key|key|token|secret|password|passwd|pass|pwd|auth|sig|signature|credentials?)=)"
    r"[^&#\s<>\"'\\)\]]+",  # not past a backslash: a JSON line's \" stays whole
    re.IGNORECASE,
)


class Redactor(logging.Filter):
    """Replace each secret, also in its URL-quoted spellings, with its mask."""

    def __init__(self, secrets: Iterable[str | None] = (), mask: str = MASK) -> None:
        super().__init__()
        self._masks: dict[str, str] = {}
        self._forms: list[str] = []
        self.add(secrets, mask)

    def add(self, secrets: Iterable[str | None], mask: str = MASK) -> None:
        """Mask these secrets too, from now on."""
        for secret in secrets:
            if secret:
                for form in (secret, quote(secret, safe=""), quote(secret)):
                    self._masks.setdefault(form, mask)
        # Longest first: no partial leftovers when one secret contains another.
        self._forms = sorted(self._masks, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        """Return text with every secret, and every URL's credentials, masked."""
        for form in self._forms:
            if form in text:
                text = text.replace(form, self._masks[form])
        return without_credentials(text)


def without_credentials(text: str) -> str:
    """Return text with the credentials of every URL in it masked.

    User info ("https://***@host") and secret-looking parameters ("?lang=en&token=***").
    """
    if "@" in text:
        text = _USERINFO.sub("***@", text)
    return _SECRET_PARAM.sub(r"\1***", text) if "=" in text else text


def secret_registry() -> Redactor:
    """Return the process's one redactor (a filter of the root logger), creating it once."""
    root = logging.getLogger()
    for existing in root.filters:
        if isinstance(existing, Redactor):
            return existing
    redactor = Redactor()
    root.addFilter(redactor)  # Filter.filter lets every record through
    return redactor


def register_secrets(*values: str | None, mask: str = "<secret>") -> None:
    """Mask these values in every log line, traceback and redacted text from now on."""
    secret_registry().add(values, mask)


def redact(text: str) -> str:
    """Return text with every registered secret and URL credential masked (not a log record)."""
    return secret_registry()(text)


def proxy_credentials(url: str | None) -> list[str]:
    """Return the secrets in a proxy URL: its password and user:password (or a lone user)."""
    if not url:
        return []
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    if parts.password:  # as sent: unquoted (its quoted spellings are masked too)
        return [userinfo, unquote(parts.password)]
    return [userinfo, unquote(userinfo)] if userinfo else []


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
        # so a second handler that reuses it never sees the raw secret.
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


def protect(handler: logging.Handler, token: str | None = None) -> logging.Handler:
    """Make the handler's output mask every registered secret (and the token given)."""
    register_secrets(token, mask=MASK)
    inner = handler.formatter or logging.Formatter()
    if not isinstance(inner, RedactingFormatter):
        handler.setFormatter(RedactingFormatter(inner, secret_registry()))
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
    proxy: str | None = None,
) -> None:
    """Configure the root logger once, from main(); mask the token and proxy credentials."""
    register_secrets(*proxy_credentials(proxy))
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [protect(handler, token)]
    root.setLevel(level)
    logging.captureWarnings(False)  # a second set-up (tests, the CLI twice) re-captures afresh
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_thread_uncaught
    # httpx logs every request URL at INFO, and the token is part of each URL: masked anyway,
    # but one line per API call is noise.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
