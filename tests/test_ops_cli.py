"""The operations subcommands as the lead wires them into `newsbrief` (bot/cli/ops.py)."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from bot.archive.lock import DataDirLock
from bot.cli.ops import add_ops_parsers, add_webhook_arguments, run_ops_command, webhook_settings
from bot.config import Config
from bot.services import open_services
from tests.conftest import draft
from tests.opskit import empty_seeds


def parser() -> argparse.ArgumentParser:
    """A parser shaped like bot.cli.main's: the ops subcommands and `run` with webhook flags."""
    top = argparse.ArgumentParser(prog="newsbrief")
    sub = top.add_subparsers(dest="command", required=True)
    add_ops_parsers(sub)
    add_webhook_arguments(sub.add_parser("run"))
    return top


def run(config: Config, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_ops_command(config, parser().parse_args(argv), out, err)
    return code, out.getvalue().strip(), err.getvalue().strip()


@pytest.fixture
def config(tmp_path: Path) -> Config:
    config = Config(data_dir=tmp_path / "data", seeds_dir=empty_seeds(tmp_path), retention_days=0)
    services = open_services(config, write=True)
    services.store.add_many([draft(n) for n in range(3)])
    services.shutdown()
    return config


def test_backup_then_restore_say_what_they_did(config: Config, tmp_path: Path) -> None:
    code, out, err = run(config, "backup", str(tmp_path / "b1"))
    assert (code, err) == (0, "")
    assert out.startswith("backed up 3 articles (") and out.endswith(str(tmp_path / "b1"))
    fresh = Config(data_dir=tmp_path / "fresh")
    code, out, _ = run(fresh, "restore", str(tmp_path / "b1"))
    assert code == 0 and out.startswith("restored 3 articles") and "replaced" not in out
    code, out, _ = run(fresh, "restore", str(tmp_path / "b1"))
    assert code == 0 and "the replaced files are in" in out


def test_failures_are_one_line_and_exit_1(config: Config, tmp_path: Path) -> None:
    code, out, err = run(config, "restore", str(tmp_path / "no-such-backup"))
    assert (code, out) == (1, "") and err.startswith("newsbrief: ") and "no newsbrief-backup" in err
    run(config, "backup", str(tmp_path / "b1"))
    lock = DataDirLock(config.data_dir)  # the bot is running
    lock.acquire()
    try:
        code, _, err = run(config, "restore", str(tmp_path / "b1"))
    finally:
        lock.release()
    assert code == 1 and "stop it first" in err and "\n" not in err
    code, _, err = run(config, "backup", str(tmp_path / "b1"))  # not empty any more
    assert code == 1 and "not empty" in err


def test_run_polls_unless_given_a_webhook_url() -> None:
    assert webhook_settings(parser().parse_args(["run"])) is None
    args = parser().parse_args(
        [
            "run",
            "--webhook-url",
            "https://bot.example.com/nb",
            "--listen",
            "0.0.0.0",
            "--port",
            "8443",
        ]
    )
    settings = webhook_settings(args)
    assert settings is not None
    assert (settings.url, settings.listen, settings.port, settings.url_path) == (
        "https://bot.example.com/nb",
        "0.0.0.0",
        8443,
        "nb",
    )
    with pytest.raises(ValueError, match="https"):
        webhook_settings(parser().parse_args(["run", "--webhook-url", "http://bot.example.com"]))
