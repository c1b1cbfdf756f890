"""What of the systemd unit and .env.example can be checked without a running systemd.

The unit is parsed and checked for restart and sandboxing, then `systemd-analyze verify` and
`systemd-analyze security --offline` judge it; .env.example must document every setting.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest
from dotenv import dotenv_values

from bot.cli.main import build_parser
from bot.config import load_config
from tests.conftest import REPO
from tests.deploykit import DEPLOY, dockerfile_instructions, final_stage

MAX_EXPOSURE = 2.0  # systemd-analyze security: 0 = locked down, 10 = fully exposed


@pytest.fixture(scope="module")
def docker() -> list[tuple[str, str]]:
    return dockerfile_instructions(DEPLOY / "Dockerfile")


# --- .env.example --------------------------------------------------------------------------


def config_variables() -> set[str]:
    """Return every environment variable bot/config.py reads."""
    source = (REPO / "bot" / "config.py").read_text()
    return set(re.findall(r"env(?:\.get\(|\[)\"([A-Z][A-Z0-9_]+)\"", source))


def test_env_example_documents_every_setting_and_loads() -> None:
    path = REPO / ".env.example"
    lines = path.read_text().splitlines()
    variables = config_variables()
    assert len(variables) >= 11
    for name in variables:  # set, or shown commented out, with an explanation above
        index = next((i for i, line in enumerate(lines) if re.match(rf"#?{name}=", line)), None)
        assert index is not None, f"{name} is not in .env.example"
        assert lines[index - 1].startswith("# "), f"{name} has no explanation"
    values = dotenv_values(path)
    config = load_config({k: v or "" for k, v in values.items()})  # valid as shipped
    assert config.token is None and config.retention_days == 90


def test_env_example_never_blanks_what_the_image_or_the_unit_sets(
    docker: list[tuple[str, str]], unit: dict[str, list[str]]
) -> None:
    """docker --env-file and systemd's EnvironmentFile= override ENV / Environment=."""
    image_env = " ".join(a for w, a in final_stage(docker) if w == "ENV")
    preset = set(re.findall(r"(NEWSBRIEF_\w+|TELEGRAM_\w+)=", image_env))
    preset |= {v.split("=", 1)[0] for v in unit["Environment"]}
    assert {"NEWSBRIEF_DATA_DIR", "NEWSBRIEF_SEEDS_DIR"} <= preset
    assert not preset & set(dotenv_values(REPO / ".env.example"))


# --- systemd -------------------------------------------------------------------------------


def unit_settings(path: Path) -> dict[str, list[str]]:
    """Return every Key=value of a unit file (keys may repeat, as systemd allows)."""
    settings: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        settings.setdefault(key.strip(), []).append(value.strip())
    return settings


@pytest.fixture(scope="module")
def unit() -> dict[str, list[str]]:
    return unit_settings(DEPLOY / "newsbrief.service")


def test_the_unit_restarts_on_failure_as_a_dedicated_user(unit: dict[str, list[str]]) -> None:
    assert unit["Restart"] == ["on-failure"]
    assert unit["User"][0] not in ("root", "0") and unit["Group"] == unit["User"]
    assert unit["KillSignal"] == ["SIGTERM"]
    assert int(unit["TimeoutStopSec"][0].rstrip("s")) > 10
    argv = shlex.split(unit["ExecStart"][0])
    assert argv[0].endswith("/bin/newsbrief") and argv[-1] == "run"
    build_parser().parse_args([*argv[1:-1], "latest"])  # the global flags exist


def test_the_unit_is_sandboxed(unit: dict[str, list[str]]) -> None:
    assert unit["NoNewPrivileges"] == ["yes"]
    assert unit["ProtectSystem"] == ["strict"]
    assert unit["PrivateTmp"] == ["yes"]
    assert unit["ProtectHome"] == ["yes"]
    assert unit["CapabilityBoundingSet"] == [""]
    data_dir = next(v for v in unit["Environment"] if v.startswith("NEWSBRIEF_DATA_DIR="))
    assert data_dir.split("=", 1)[1] == f"/var/lib/{unit['StateDirectory'][0]}"


def _checkable_copy(tmp_path: Path) -> Path:
    """Return the unit with ExecStart pointing at the running environment's newsbrief script.

    verify needs an executable there; sysconfig finds it wherever the environment lives.
    """
    script = Path(sysconfig.get_path("scripts")) / "newsbrief"
    assert script.is_file(), f"{script}: install the project (make .venv/.installed) first"
    text = (DEPLOY / "newsbrief.service").read_text()
    copy = tmp_path / "newsbrief.service"
    copy.write_text(text.replace("/opt/newsbrief/.venv/bin/newsbrief", str(script)))
    return copy


def _systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    assert found is not None
    return found


# Only machines with systemd can judge the unit; the parsed checks above run everywhere.
needs_systemd_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze is not installed (Debian/Ubuntu package: systemd)",
)


@needs_systemd_analyze
def test_systemd_analyze_verify_accepts_the_unit_without_warnings(tmp_path: Path) -> None:
    result = subprocess.run(
        [_systemd_analyze(), "verify", str(_checkable_copy(tmp_path))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # bad values are only warnings


@needs_systemd_analyze
def test_systemd_analyze_security_rates_the_unit_ok(tmp_path: Path) -> None:
    result = subprocess.run(
        [_systemd_analyze(), "security", "--offline=true", str(_checkable_copy(tmp_path))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout + result.stderr)
    assert match, result.stdout + result.stderr
    assert float(match[1]) <= MAX_EXPOSURE
