"""A data dir as the bot leaves it, and the health check run in-process, for the ops tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config
from bot.run.health import main
from bot.services import open_services
from tests.conftest import draft


def sound_data_dir(tmp_path: Path) -> Path:
    """Return a data dir as the bot leaves it: users file, one segment."""
    seeds = tmp_path / "no-seeds"
    seeds.mkdir()
    services = open_services(Config(data_dir=tmp_path / "data", seeds_dir=seeds), write=True)

    services.store.add_many([draft(1), draft(2)])
    services.shutdown()
    return tmp_path / "data"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args, env={})
    return code, capsys.readouterr().out.strip()
