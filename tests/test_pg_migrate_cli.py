"""`newsbrief migrate --to postgresql://…`: the archive moves over whole, resumably, checked."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.archive.lock import DataDirLock
from bot.archive.store import ArticleStore
from bot.models import Article
from bot.pg.articles import PgArticleStore
from bot.pg.database import Database
from tests.clikit import run, terminal_stderr
from tests.conftest import FakeClock, draft


def _data_dir(path: Path, clock: FakeClock, count: int) -> list[Article]:
    store = ArticleStore(path, clock=clock)
    store.initialize()
    added = []
    for n in range(count):  # arrivals an hour apart: the copy must keep them
        russian = {"title": f"Опера номер {n}", "body": f"Сегодня в театре давали оперу {n}."}
        added += store.add_many([draft(n, **(russian if n % 2 else {}))]).added
        clock.advance(hours=1)
    store.shutdown()
    return added


def _in_database(url: str) -> dict[str, Article]:
    database = Database(url, max_size=1)
    database.open()
    store = PgArticleStore(database, retention_days=0)
    store.initialize()
    found = {a.id: a for a in store}
    database.close()
    return found


def test_migrate_copies_every_article_as_it_is_and_a_rerun_copies_nothing_twice(
    tmp_path: Path, pg_url: str, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    articles = _data_dir(tmp_path / "d", clock, 7)
    code, out, err = run(capsys, "migrate", "--to", pg_url, "--data-dir", str(tmp_path / "d"))
    assert (code, err) == (0, "")
    assert (
        "articles: 7 in the data dir, 7 copied, 0 already there; check: all 7 in the database"
        in out
    )
    password = urlsplit(pg_url).password
    assert password and password not in out
    stored = _in_database(pg_url)
    assert [stored[a.id] for a in articles] == articles  # ids, arrival times, languages kept
    assert stored[articles[1].id].lang == "ru"
    code, out, _ = run(capsys, "migrate", "--to", pg_url, "--data-dir", str(tmp_path / "d"))
    assert code == 0 and "7 in the data dir, 0 copied, 7 already there; check: all 7" in out
    assert len(_in_database(pg_url)) == 7


def test_an_interrupted_migration_resumes_where_it_stopped(
    tmp_path: Path, pg_url: str, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    articles = _data_dir(tmp_path / "d", clock, 6)
    database = Database(pg_url, max_size=1)
    database.open()
    partial = PgArticleStore(database, retention_days=0)
    partial.initialize()
    assert partial.add_stored(articles[:4]) == 4  # what a killed first run had committed
    database.close()
    code, out, _ = run(capsys, "migrate", "--to", pg_url, "--data-dir", str(tmp_path / "d"))
    assert code == 0 and "6 in the data dir, 2 copied, 4 already there; check: all 6" in out
    assert sorted(_in_database(pg_url)) == sorted(a.id for a in articles)


def test_migrate_shows_a_bar_in_a_terminal(
    tmp_path: Path, pg_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli.main import main

    _data_dir(tmp_path / "d", clock, 3)
    with terminal_stderr(monkeypatch) as shown:
        assert main(["migrate", "--to", pg_url, "--data-dir", str(tmp_path / "d")]) == 0
    assert "copying articles: " in shown() and "\r" in shown()


def test_migrate_refuses_a_running_bots_data_dir_and_a_url_that_is_not_postgresql(
    tmp_path: Path, pg_url: str, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    _data_dir(tmp_path / "d", clock, 1)
    code, out, err = run(
        capsys, "migrate", "--to", "mysql://u:hunter2@h/db", "--data-dir", str(tmp_path / "d")
    )
    assert code == 2 and "postgresql://" in err and "hunter2" not in err + out
    lock = DataDirLock(tmp_path / "d")
    lock.acquire()  # the bot runs
    try:
        code, out, err = run(capsys, "migrate", "--to", pg_url, "--data-dir", str(tmp_path / "d"))
    finally:
        lock.release()
    assert code == 1 and err.count("\n") == 1 and "pid" in err


def test_backup_and_restore_say_the_data_is_in_postgresql_after_a_migration(
    tmp_path: Path,
    pg_url: str,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The migrated data dir keeps its old files: `backup` copied those and said "backed up 3
    # articles", `restore` put them back and said "restored": neither touched the live data.
    _data_dir(tmp_path / "d", clock, 3)
    code, _, _ = run(capsys, "migrate", "--to", pg_url, "--data-dir", str(tmp_path / "d"))
    assert code == 0
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", pg_url)
    code, out, err = run(capsys, "backup", str(tmp_path / "b"), "--data-dir", str(tmp_path / "d"))
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "PostgreSQL" in err and "pg_dump" in err
    assert str(urlsplit(pg_url).password) not in err
    assert not (tmp_path / "b").exists()
    monkeypatch.delenv("NEWSBRIEF_DATABASE_URL")
    code, _, _ = run(capsys, "backup", str(tmp_path / "b"), "--data-dir", str(tmp_path / "d"))
    assert code == 0  # a backup of the data dir as it was before the move
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", pg_url)
    code, out, err = run(capsys, "restore", str(tmp_path / "b"), "--data-dir", str(tmp_path / "d"))
    assert code == 1 and out == "" and err.count("\n") == 1 and "pg_restore" in err
