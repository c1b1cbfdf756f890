"""Docs that cannot drift: the README's command table and configuration table match the code."""

from __future__ import annotations

import re

from bot.app.wiring import command_table
from bot.cli.main import build_parser
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_command_table_is_the_registered_command_list() -> None:
    block = README.split("<!-- commands:start -->", 1)[1].split("<!-- commands:end -->", 1)[0]
    assert block.strip() == command_table().strip(), (
        "regenerate with: python -c 'from bot.app.wiring import command_table; print(command_table())'"
    )


def test_every_cli_command_is_in_the_readme() -> None:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        if name != "run-default":
            assert f"newsbrief {name}" in README, f"`newsbrief {name}` is not documented"


def test_every_environment_variable_is_in_the_readme_and_env_example() -> None:
    code = (REPO / "bot" / "config.py").read_text(encoding="utf-8")
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    names = set(re.findall(r'"((?:TELEGRAM|NEWSBRIEF)_[A-Z_]+)"', code))
    assert names, "no variables found in bot/config.py"
    for name in sorted(names):
        assert f"`{name}`" in README, f"{name} is missing from the README's configuration table"
        assert name in example, f"{name} is missing from .env.example"
