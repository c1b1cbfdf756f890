"""A login PostgreSQL refuses is one line at once, exit 2; a server that is down is retried."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from bot.pg.database import Database
from bot.pg.errors import DatabaseError, DatabaseRefused
from tests.clikit import run
from tests.pgkit import Cluster, with_dbname

SECRET = "not-the-password-0451"


def _as(url: str, user: str, password: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{parts.hostname}:{parts.port}"))


@pytest.fixture
def role(pg_cluster: Cluster) -> Iterator[str]:
    """A role of this test's own (roles are the cluster's, shared by every test database)."""
    name = f"r{os.getpid()}"
    with psycopg.connect(pg_cluster.admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(name), sql.Literal(SECRET)
            )
        )
    yield name
    with psycopg.connect(pg_cluster.admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def _admin(pg_cluster: Cluster, statement: str, role: str, database: str = "") -> None:
    query = sql.SQL(statement).format(role=sql.Identifier(role), db=sql.Identifier(database))
    with psycopg.connect(pg_cluster.admin_url, autocommit=True) as conn:
        conn.execute(query)


def _login_problem(pg_url: str, pg_cluster: Cluster, role: str, case: str) -> tuple[str, str]:
    """Return a URL the server refuses for the case, and the line's expected problem."""
    owner = str(conninfo_to_dict(pg_url)["user"])
    dbname = str(conninfo_to_dict(pg_url)["dbname"])
    if case == "wrong password":
        return _as(pg_url, owner, SECRET), f'wrong password for user "{owner}" (or no such user)'
    if case == "no such user":
        return _as(pg_url, "ghost", SECRET), 'wrong password for user "ghost" (or no such user)'
    if case == "no such database":
        return with_dbname(pg_url, "no_such_db"), 'database "no_such_db" does not exist'
    if case == "may not log in":
        _admin(pg_cluster, "ALTER ROLE {role} NOLOGIN", role)
        return _as(pg_url, role, SECRET), f'user "{role}" may not log in (NOLOGIN)'
    assert case == "no CONNECT privilege"
    _admin(pg_cluster, "REVOKE CONNECT ON DATABASE {db} FROM PUBLIC", role, dbname)
    problem = f'user "{role}" may not connect to database "{dbname}" (no CONNECT privilege)'
    return _as(pg_url, role, SECRET), problem


CASES = [
    "wrong password",
    "no such user",
    "no such database",
    "may not log in",
    "no CONNECT privilege",
]


@pytest.mark.parametrize("case", CASES)
def test_a_refused_login_is_one_line_at_once_and_exit_2(
    case: str,
    pg_url: str,
    pg_cluster: Cluster,
    role: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each was retried for 30 s, five pool warnings long, then "cannot reach the database":
    # the operator looked for a network fault while the password was wrong.
    url, problem = _login_problem(pg_url, pg_cluster, role, case)
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", url)
    code, out, err = run(capsys, "latest", "--data-dir", str(tmp_path / "d"))
    assert (code, out) == (2, "")
    assert err.startswith(f"newsbrief: {problem} at postgresql://") and err.count("\n") == 1
    assert SECRET not in err and str(urlsplit(pg_url).password) not in err


def test_run_and_import_stop_at_once_on_a_wrong_password(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = str(conninfo_to_dict(pg_url)["user"])
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", _as(pg_url, owner, SECRET))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:not-a-real-token")
    src = tmp_path / "a.jsonl"
    src.write_text('{"title": "Harbour", "body": "Boats."}\n')
    for argv in (["run"], ["import", str(src)]):
        code, out, err = run(capsys, *argv, "--data-dir", str(tmp_path / "d"))
        assert (code, out) == (2, ""), argv
        assert err.startswith(f'newsbrief: wrong password for user "{owner}"'), argv
        assert err.count("\n") == 1 and SECRET not in err


def test_a_server_that_is_down_is_still_retried_then_cannot_be_reached(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Port 9 (discard) on loopback: nothing listens, each attempt is refused at once.
    url = f"postgresql://newsbrief:{SECRET}@127.0.0.1:9/newsbrief"
    caplog.set_level(logging.WARNING)
    with pytest.raises(DatabaseError) as caught:
        Database(url, open_timeout=2).open()
    assert not isinstance(caught.value, DatabaseRefused)
    assert str(caught.value).startswith("cannot reach the database at postgresql://newsbrief:")
    assert SECRET not in str(caught.value)
    retries = [r for r in caplog.records if "127.0.0.1" in r.getMessage()]
    assert retries and all(SECRET not in r.getMessage() for r in retries)
