"""The database's errors, apart from psycopg: the command line catches them on every start.

    DatabaseError            cannot be reached, or refused what was asked (exit 1)
     └── DatabaseRefused     refused the login itself: retrying cannot help (exit 2)

Messages are redacted: they name the URL with its password masked, never the password.
"""

from __future__ import annotations

import re


class DatabaseError(Exception):
    """The database cannot be reached or refused what was asked; the message is redacted."""


class DatabaseRefused(DatabaseError):
    """The server refused the login: a wrong password, user or database name, or no right."""


# What the server says when it refuses a login (SQLSTATE class 28, 3D000, 42501), as libpq
# words it. psycopg gives no SQLSTATE for a failed connection (psycopg/psycopg#1188: libpq
# keeps only the message), so the words are read, in the server's default English. A server
# whose lc_messages is another language says them differently: its refusal is retried and
# reported as unreachable, as every refusal was before.
_REFUSALS = [
    (r'password authentication failed for user "(?P<user>[^"]*)"',
     'wrong password for user "{user}" (or no such user)'),
    (r'(?P<method>\w+) authentication failed for user "(?P<user>[^"]*)"',
     '{method} authentication failed for user "{user}"'),
    (r'database "(?P<db>[^"]*)" does not exist', 'database "{db}" does not exist'),
    (r'role "(?P<user>[^"]*)" does not exist', 'user "{user}" does not exist'),
    (r'role "(?P<user>[^"]*)" is not permitted to log in', 'user "{user}" may not log in (NOLOGIN)'),
    (r'permission denied for database "(?P<db>[^"]*)"',
     'user "{conn_user}" may not connect to database "{db}" (no CONNECT privilege)'),
    (r'no pg_hba\.conf entry for host "(?P<host>[^"]*)", user "(?P<user>[^"]*)", '
     r'database "(?P<db>[^"]*)"',
     'the server\'s pg_hba.conf admits no connection from {host} as user "{user}" to '
     'database "{db}"'),
    (r"fe_sendauth: no password supplied", "the server asks for a password and the URL has none"),
]  # fmt: skip
_PATTERNS = [(re.compile(pattern), line) for pattern, line in _REFUSALS]


def refusal(message: str, user: str) -> str | None:
    """Return what is wrong with a login the server refused, or None for any other failure.

    user is the one the connection asked for: the CONNECT refusal does not name it.
    """
    for pattern, line in _PATTERNS:
        found = pattern.search(message)
        if found is not None:
            return line.format(conn_user=user, **found.groupdict())
    return None
