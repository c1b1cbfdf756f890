"""A throwaway PostgreSQL cluster for the tests: one per session, a fresh database per test.

The cluster is started with the Debian server binaries (`/usr/lib/postgresql/*/bin`) in a
temporary folder on a free loopback port, with a password (scram) so the URLs the tests use
carry a secret as a deployment's do. As root the server runs as the `postgres` user (or
`nobody`): PostgreSQL refuses to run as root. `NEWSBRIEF_TEST_DATABASE_URL` names an
existing server instead (its user must be allowed to create databases).

Without either, the PostgreSQL tests skip with the reason, except under CI (`CI` set),
where they fail: CI must prove both backends.
"""

from __future__ import annotations

import itertools
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

BIN_GLOB = "/usr/lib/postgresql/*/bin"
USER = "newsbrief"


def server_bin() -> Path | None:
    """Return the newest installed PostgreSQL server's bin folder, if any."""
    found = [p for p in Path("/").glob(BIN_GLOB.lstrip("/")) if (p / "initdb").exists()]
    return max(found, key=lambda p: int(p.parent.name)) if found else None


def unavailable(reason: str) -> None:
    """Skip the test, or fail it under CI, where PostgreSQL must run."""
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests cannot run under CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _runner() -> tuple[list[str], str | None]:
    """Return the command prefix running the server, and the owner of its folder (as root)."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"], name
    raise RuntimeError("running as root and neither a postgres nor a nobody user exists")


def with_dbname(url: str, name: str) -> str:
    """Return the URL (or conninfo string) naming another database on the same server."""
    parts = urlsplit(url)
    if parts.scheme in ("postgresql", "postgres"):
        return urlunsplit(parts._replace(path=f"/{name}"))
    return make_conninfo(url, dbname=name)


@dataclass
class Cluster:
    """A running PostgreSQL server and the admin URL to create databases on it."""

    admin_url: str
    stop: list[list[str]] = field(default_factory=list)
    folder: Path | None = None
    _names: Iterator[int] = field(default_factory=itertools.count)

    def create_database(self) -> str:
        """Create an empty database; return its URL."""
        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name))
            )
        return with_dbname(self.admin_url, name)

    def drop_database(self, url: str) -> None:
        """Drop a database, closing whatever connections a test left open."""
        name = conninfo_to_dict(url)["dbname"]
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(str(name)))
            )

    def shutdown(self) -> None:
        """Stop the server and remove its folder."""
        for command in self.stop:
            subprocess.run(command, check=False, capture_output=True)
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster(bin_dir: Path, *, durable: bool = False) -> Cluster:
    """Init and start a cluster in a temporary folder (fast and not durable unless asked)."""
    prefix, owner = _runner()
    folder = Path(tempfile.mkdtemp(prefix="newsbrief-pg-"))
    password = secrets.token_urlsafe(12)
    (folder / "pw").write_text(password)
    if owner is not None:
        shutil.chown(folder, owner)
        shutil.chown(folder / "pw", owner)
    data, port = folder / "data", _free_port()
    cluster = Cluster(f"postgresql://{USER}:{password}@127.0.0.1:{port}/postgres", folder=folder)
    try:
        subprocess.run(
            [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "-E", "UTF8",
             "--locale=C", "--auth=scram-sha-256", f"--pwfile={folder / 'pw'}", "--no-sync"],
            check=True, capture_output=True,
        )  # fmt: skip
        options = f"-h 127.0.0.1 -p {port} -k {folder} -c max_connections=200"
        if not durable:  # tests: no fsync makes each CREATE DATABASE milliseconds
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
             "-l", str(folder / "log"), "-w", "-t", "60", "start"],
            check=True, capture_output=True,
        )  # fmt: skip
    except (subprocess.CalledProcessError, OSError) as exc:
        log = folder / "log"
        detail = log.read_text() if log.exists() else getattr(exc, "stderr", b"") or b""
        cluster.shutdown()
        raise RuntimeError(f"PostgreSQL did not start: {exc}\n{detail!s}") from exc
    cluster.stop.append(
        [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
    )
    return cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """The session's PostgreSQL server (or NEWSBRIEF_TEST_DATABASE_URL's)."""
    if url := os.environ.get("NEWSBRIEF_TEST_DATABASE_URL"):
        yield Cluster(url)
        return
    bin_dir = server_bin()
    if bin_dir is None:
        unavailable(
            "no PostgreSQL server binaries (apt-get install postgresql) and "
            "NEWSBRIEF_TEST_DATABASE_URL is not set"
        )
        return
    try:
        cluster = start_cluster(bin_dir)
    except RuntimeError as exc:
        unavailable(str(exc))
        return
    yield cluster
    cluster.shutdown()


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> Iterator[str]:
    """The URL of a fresh, empty database of its own for this test (password included)."""
    url = pg_cluster.create_database()
    yield url
    pg_cluster.drop_database(url)
