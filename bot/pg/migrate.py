"""Plain SQL migrations, applied in order, once, under an advisory lock.

`migrations/NNNN_name.sql` files run in the order of their numbers, all pending ones in one
transaction, each recorded in `schema_migrations`. The transaction-scoped advisory lock makes
processes that start together take turns: the second one finds the work done. Numbers are
shared out between branches (pgcore 0001-0009, users' tables 0010-0019), so files never
collide; two files with one number are refused rather than run in an arbitrary order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.rows import TupleRow

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# pg_advisory_xact_lock's key for migrating: "newsbrief" in ASCII, then 1 (the leader takes 2).
MIGRATION_LOCK = 0x6E65_7773_6272_0001
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(Exception):
    """The migration files are not a clean numbered sequence."""


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file."""

    version: int
    name: str
    sql: str


def migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Return the migration files of directory, in order of their numbers."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path.name}: a migration is named NNNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"{path.name}: migration {version} exists twice")
        found[version] = Migration(version, path.stem, path.read_text(encoding="utf-8"))
    return [found[version] for version in sorted(found)]


def apply_migrations(
    conn: psycopg.Connection[TupleRow], directory: Path = MIGRATIONS_DIR
) -> list[str]:
    """Apply the pending migrations in one transaction; return the names applied."""
    pending = migrations(directory)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        applied: list[str] = []
        for migration in pending:
            if migration.version in done:
                continue
            conn.execute(migration.sql.encode("utf-8"))  # bytes: several statements, no params
            conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
            applied.append(migration.name)
    return applied
