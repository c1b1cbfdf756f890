"""PostgreSQL foundation: migrations apply in order and once, and the URL's password stays secret."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.config import ConfigError, load_config
from bot.logs import Redactor, setup_logging
from bot.pg.database import Database, DatabaseError, url_secrets
from bot.pg.migrate import MigrationError, apply_migrations, migrations


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_migrations_apply_in_order_once_even_from_two_processes_at_once(
    pg_url: str, tmp_path: Path
) -> None:
    # 0002 needs 0001's table: written first, it would fail if order followed the file system.
    folder = _write(
        tmp_path,
        {
            "0002_column.sql": "ALTER TABLE things ADD COLUMN size integer;",
            "0001_things.sql": "CREATE TABLE things (id text PRIMARY KEY);\n"
            "INSERT INTO things VALUES ('one');",
        },
    )
    results: list[list[str]] = []

    def migrate() -> None:
        with psycopg.connect(pg_url) as conn:
            results.append(apply_migrations(conn, folder))

    threads = [threading.Thread(target=migrate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The advisory lock: one connection applied both, the other found them done.
    assert sorted(results) == [[], ["0001_things", "0002_column"]]
    _write(folder, {"0003_more.sql": "INSERT INTO things VALUES ('two', 2);"})
    with psycopg.connect(pg_url) as conn:
        assert apply_migrations(conn, folder) == ["0003_more"]
        assert apply_migrations(conn, folder) == []
        rows = conn.execute("SELECT version, name FROM schema_migrations ORDER BY version")
        assert rows.fetchall() == [(1, "0001_things"), (2, "0002_column"), (3, "0003_more")]
        assert conn.execute("SELECT count(*) FROM things").fetchone() == (2,)


def test_a_failing_migration_applies_nothing_of_its_batch(pg_url: str, tmp_path: Path) -> None:
    folder = _write(
        tmp_path,
        {"0001_ok.sql": "CREATE TABLE ok (id int);", "0002_bad.sql": "CREATE TABLE ok (id int);"},
    )
    with psycopg.connect(pg_url) as conn:
        with pytest.raises(psycopg.errors.DuplicateTable):
            apply_migrations(conn, folder)
        conn.rollback()
        assert conn.execute("SELECT to_regclass('ok')").fetchone() == (None,)


def test_misnamed_or_doubled_migration_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match="twice"):
        migrations(_write(tmp_path / "a", {"0001_a.sql": "", "0001_b.sql": ""}))
    with pytest.raises(MigrationError, match="NNNN_name"):
        migrations(_write(tmp_path / "b", {"1_a.sql": ""}))


def test_the_shipped_migrations_build_the_archive_tables(pg_url: str) -> None:
    database = Database(pg_url)
    database.open()
    database.close()
    again = Database(pg_url)
    again.open()  # a restart: nothing left to apply
    with again.connection() as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM schema_migrations")]
        assert versions == [m.version for m in migrations()]
        assert conn.execute("SELECT to_regclass('articles')").fetchone() == ("articles",)
    again.close()


def _with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{parts.hostname}:{parts.port}"))


def test_the_database_password_reaches_no_log_line_error_or_repr(
    pg_url: str,
    capfd: pytest.CaptureFixture[str],
) -> None:
    password = urlsplit(pg_url).password
    assert password
    setup_logging("DEBUG")
    config = load_config({"NEWSBRIEF_DATABASE_URL": pg_url}, data_dir=Path("unused"))
    assert config.database_url == pg_url and password not in repr(config)
    database = Database(config.database_url)
    database.open()
    log = logging.getLogger("test")
    log.info("connected to %s", pg_url)  # whatever a careless line quotes
    database.close()
    wrong = _with_password(pg_url, "not-the-password-0451")
    with pytest.raises(DatabaseError) as caught:
        Database(wrong, open_timeout=2).open()  # refused: the server's message is kept
    log.error("cannot open", exc_info=caught.value)  # the traceback and its causes
    out = capfd.readouterr()
    text = out.out + out.err
    assert "connected to" in text and "cannot open" in text
    for secret in (password, "not-the-password-0451"):
        assert secret not in text and secret not in str(caught.value)
    with pytest.raises(ConfigError) as bad:
        load_config({"NEWSBRIEF_DATABASE_URL": "mysql://u:hunter2@h/db"})
    assert "hunter2" not in str(bad.value)


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=6, max_size=30))
def test_any_password_in_a_database_url_is_masked_however_it_is_spelt(password: str) -> None:
    # A Redactor of its own: registering random strings process-wide would mask other tests' text.
    around = "cannot reach postgresql://bot:@db.internal:5432/newsbrief: password  refused <secret>"
    assume(password.strip() == password and not any(password in w for w in around.split()))
    url = f"postgresql://bot:{quote(password, safe='')}@db.internal:5432/newsbrief"
    assert url_secrets(url) == [password]
    mask = Redactor(url_secrets(url), "<secret>")
    shown = mask(f"cannot reach {url}: password {password!s} refused")
    assert password not in shown and quote(password, safe="") not in shown
    assert shown.startswith("cannot reach postgresql://bot:<secret>@db.internal")
