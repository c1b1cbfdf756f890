"""The connection pool of NEWSBRIEF_DATABASE_URL, its secret masked and its schema migrated.

One `Database` per process: a psycopg pool (synchronous connections, used from worker
threads, never from the event loop) opened by `open()`, which first registers the URL's
password with `bot.logs` so no log line, traceback or CLI error can show it, logs in once
(retrying while the server cannot be reached, stopping at once on a refused login), then
applies the migrations of `bot/pg/migrations` (`migrate.py`). Stores borrow connections
with `connection()` and give them back at once.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool, PoolTimeout

from bot.backoff import retry_delay
from bot.logs import redact, register_secrets
from bot.pg.errors import DatabaseError, DatabaseRefused, refusal
from bot.pg.migrate import apply_migrations

log = logging.getLogger(__name__)

OPEN_TIMEOUT = 30.0  # seconds to reach the server at start-up before giving up
RETRY_FIRST, RETRY_CAP = 1.0, 8.0  # seconds between attempts to reach it: 1, 2, 4, 8, 8...


def url_secrets(url: str) -> list[str]:
    """Return the secrets in a database URL or conninfo string: its password."""
    try:
        password = conninfo_to_dict(url).get("password")
    except psycopg.ProgrammingError:
        return []  # not a URL libpq reads; connecting fails with a message that quotes nothing
    return [str(password)] if password else []


def safe_url(url: str) -> str:
    """Return the URL with its password masked, for a log line or an admin's answer."""
    register_secrets(*url_secrets(url))
    return redact(url)


def _configure(conn: psycopg.Connection[TupleRow]) -> None:
    """Read every timestamptz in UTC, whatever the server's time zone (the bot's dates are)."""
    conn.execute("SET TIME ZONE 'UTC'")
    conn.commit()


class Database:
    """A pool of connections to one PostgreSQL database, its migrations applied on open."""

    def __init__(
        self,
        url: str,
        *,
        min_size: int = 1,
        max_size: int = 8,
        open_timeout: float = OPEN_TIMEOUT,
    ) -> None:
        register_secrets(*url_secrets(url))  # before anything can fail and quote it
        self._url = url
        self._open_timeout = open_timeout
        self._conninfo = make_conninfo(url, application_name="newsbrief")
        self._pool = ConnectionPool(
            self._conninfo,
            min_size=min_size,
            max_size=max_size,
            open=False,
            name="newsbrief",
            configure=_configure,
        )

    def open(self) -> None:
        """Log in, wait for the pool's first connection, and bring the schema up to date."""
        left = self._log_in()
        try:
            self._pool.open(wait=True, timeout=left)
        except PoolTimeout as exc:  # the server went away since the login
            self._pool.close()
            raise self._unreachable() from exc
        with self.connection() as conn:
            applied = apply_migrations(conn)
        if applied:
            log.info("database %s: applied migrations %s", safe_url(self._url), ", ".join(applied))

    def _log_in(self) -> float:
        """Log in once, retrying while the server cannot be reached; return the seconds left.

        A login the server refuses (a wrong password, user or database) raises
        DatabaseRefused at once: the pool would retry it until open_timeout and call the
        server unreachable. A server still starting (a compose file's) is retried, and
        refuses at once when it is up.
        """
        deadline = time.monotonic() + self._open_timeout
        attempt = 0
        while True:
            attempt += 1
            limit = max(2, math.ceil(deadline - time.monotonic()))  # libpq's least is 2 s
            try:
                psycopg.connect(self._conninfo, connect_timeout=limit).close()
                return max(deadline - time.monotonic(), 1.0)
            except psycopg.OperationalError as exc:
                user = exc.pgconn.user.decode(errors="replace") if exc.pgconn else ""
                problem = refusal(str(exc), user)
                if problem is not None:
                    raise DatabaseRefused(f"{problem} at {safe_url(self._url)}") from exc
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self._unreachable() from exc
                reason = " ".join(str(exc).split())  # libpq's hint is a second line
                log.warning("cannot reach the database at %s yet: %s", safe_url(self._url), reason)
            time.sleep(min(retry_delay(RETRY_FIRST, attempt, RETRY_CAP), left))

    def _unreachable(self) -> DatabaseError:
        return DatabaseError(f"cannot reach the database at {safe_url(self._url)}")

    @property
    def url(self) -> str:
        """Return the URL, password inside (bot.logs masks it): for connections of one's own."""
        return self._url

    def close(self) -> None:
        """Close every connection of the pool."""
        self._pool.close()

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[TupleRow]]:
        """Lend a connection for one unit of work; a block that raises rolls back."""
        with self._pool.connection() as conn:
            yield conn
