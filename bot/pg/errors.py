"""The database's one error, apart from psycopg: the command line catches it on every start."""

from __future__ import annotations


class DatabaseError(Exception):
    """The database cannot be reached or refused what was asked; the message is redacted."""
