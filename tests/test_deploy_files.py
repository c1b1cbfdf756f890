"""What of deploy/ can be checked without Docker or a running systemd.

Docker: the Dockerfile is parsed here (instructions, continuation lines) and checked for a
slim Python base, a non-root USER, the data VOLUME, a HEALTHCHECK that runs our health
module, and COPY sources that exist; compose.yaml is parsed with PyYAML and checked against
the Dockerfile and .env.example. systemd: the unit is parsed and checked for restart and
sandboxing, then `systemd-analyze verify` and `systemd-analyze security --offline` judge it.
"""

from __future__ import annotations

import importlib
import re
import shlex
import shutil
import subprocess
import sysconfig
import tomllib
from pathlib import Path

import pytest
import yaml
from dotenv import dotenv_values

from bot.cli.main import build_parser
from bot.config import load_config
from tests.conftest import REPO

DEPLOY = REPO / "deploy"
MAX_EXPOSURE = 2.0  # systemd-analyze security: 0 = locked down, 10 = fully exposed


# --- Dockerfile ----------------------------------------------------------------------------


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """Return (INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined: list[str] = []
    pending = ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        joined.append(pending + stripped)
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    pairs = []
    for instruction in joined:
        word, _, rest = instruction.partition(" ")
        pairs.append((word.upper(), rest.strip()))
    return pairs


def final_stage(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return the instructions of the last build stage (the image that runs)."""
    starts = [i for i, (word, _) in enumerate(pairs) if word == "FROM"]
    return pairs[starts[-1] :]


def exec_form(args: str) -> list[str]:
    """Parse a JSON exec-form argument list (CMD ["a", "b"])."""
    assert args.startswith("["), f"use the exec form so signals reach newsbrief: {args}"
    parsed = yaml.safe_load(args)
    assert isinstance(parsed, list) and all(isinstance(a, str) for a in parsed)
    return parsed


@pytest.fixture(scope="module")
def docker() -> list[tuple[str, str]]:
    return dockerfile_instructions(DEPLOY / "Dockerfile")


def test_the_base_is_a_slim_python_of_a_supported_version(docker: list[tuple[str, str]]) -> None:
    args = dict(a.split("=", 1) for w, a in docker if w == "ARG" and "=" in a)
    images = [
        re.sub(r"\$\{(\w+)\}", lambda m: args[m[1]], a.split()[0]) for w, a in docker if w == "FROM"
    ]
    assert images, "no FROM"
    for image in images:
        match = re.fullmatch(r"python:(3\.\d+)-slim(-\w+)?", image)
        assert match, f"{image} is not a slim python image"
        requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
            "requires-python"
        ]
        minor = int(match[1].split(".")[1])
        assert ">=3.11" in requires and 11 <= minor <= 13


def test_the_image_runs_as_a_non_root_user(docker: list[tuple[str, str]]) -> None:
    users = [a for w, a in final_stage(docker) if w == "USER"]
    assert users, "the image would run as root"
    name = users[-1].split(":")[0]
    assert name not in ("root", "0", "")
    created = " ".join(a for w, a in final_stage(docker) if w == "RUN")
    assert "useradd" in created and name in created


def test_the_data_dir_is_a_volume_and_the_bot_uses_it(docker: list[tuple[str, str]]) -> None:
    stage = final_stage(docker)
    volumes = [v for w, a in stage if w == "VOLUME" for v in exec_form(a)]
    env = " ".join(a for w, a in stage if w == "ENV")
    data_dir = re.search(r"NEWSBRIEF_DATA_DIR=(\S+)", env)
    assert data_dir and data_dir[1] in volumes
    chowned = " ".join(a for w, a in stage if w == "RUN")
    assert re.search(rf"chown \S+ {re.escape(data_dir[1])}", chowned), "the user cannot write it"


def test_the_healthcheck_runs_our_health_module(docker: list[tuple[str, str]]) -> None:
    (check,) = [a for w, a in final_stage(docker) if w == "HEALTHCHECK"]
    options, _, command = check.partition("CMD")
    assert re.search(r"--interval=\d+s", options) and re.search(r"--start-period=\d+s", options)
    argv = exec_form(command.strip())
    assert argv[:3] == ["python", "-m", "bot.run.health"]
    health = importlib.import_module("bot.run.health")
    health.build_parser().parse_args(argv[3:])  # every flag exists


def test_the_build_compiles_the_catalogs_before_installing(docker: list[tuple[str, str]]) -> None:
    run = " ".join(a for w, a in docker[: docker.index(final_stage(docker)[0])] if w == "RUN")
    compile_at = run.find("pybabel compile -D newsbrief -d bot/i18n/locale")
    assert compile_at != -1, "the image would compile every catalog at every start"
    assert compile_at < run.find("pip install ."), "the install copies the .mo files"


def test_the_entrypoint_is_the_newsbrief_script_with_json_logs(
    docker: list[tuple[str, str]],
) -> None:
    stage = final_stage(docker)
    (entrypoint,) = [exec_form(a) for w, a in stage if w == "ENTRYPOINT"]
    (cmd,) = [exec_form(a) for w, a in stage if w == "CMD"]
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert entrypoint == ["newsbrief"] and "newsbrief" in scripts
    assert cmd[-1] == "run" and cmd[cmd.index("--log-format") + 1] == "json"
    build_parser().parse_args([*cmd[:-1], "latest"])  # the global flags exist
    assert ("STOPSIGNAL", "SIGTERM") in stage


def test_every_copied_path_exists_and_the_ignore_file_lets_it_through(
    docker: list[tuple[str, str]],
) -> None:
    sources = []
    for word, args in docker:
        if word == "COPY" and "--from=" not in args:
            sources += args.split()[:-1]
    assert sources
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    for source in sources:
        assert (REPO / source).exists(), f"COPY {source}: not in the repository"
        assert source.rstrip("/") in allowed, f"{source} is excluded from the build context"


# --- compose.yaml --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, object]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


# Service keys of the Compose Specification that this file may use; a typo such as
# `read-only` or `stop_grace` would otherwise be found only by `docker compose config`.
COMPOSE_SERVICE_KEYS = frozenset(
    {
        "build", "image", "command", "entrypoint", "env_file", "environment", "volumes",
        "ports", "restart", "stop_signal", "stop_grace_period", "init", "read_only",
        "tmpfs", "cap_drop", "cap_add", "security_opt", "logging", "healthcheck", "user",
        "networks", "labels", "deploy", "mem_limit", "pids_limit", "working_dir",
    }
)  # fmt: skip
COMPOSE_TOP_KEYS = frozenset({"name", "services", "volumes", "networks", "secrets", "configs"})


def test_compose_uses_only_keys_of_the_compose_specification(compose: dict[str, object]) -> None:
    assert set(compose) <= COMPOSE_TOP_KEYS
    for name, service in compose["services"].items():  # type: ignore[attr-defined]
        assert re.fullmatch(r"[a-zA-Z0-9._-]+", name)
        assert set(service) <= COMPOSE_SERVICE_KEYS, set(service) - COMPOSE_SERVICE_KEYS
        assert set(service["build"]) <= {"context", "dockerfile", "args", "target"}
        assert set(service["logging"]) <= {"driver", "options"}
        assert all(isinstance(v, str) for v in service["logging"]["options"].values())
    for volume in compose["volumes"].values():  # type: ignore[attr-defined]
        assert volume is None or isinstance(volume, dict)


def test_compose_builds_this_dockerfile_and_reads_the_env_file(compose: dict[str, object]) -> None:
    bot = compose["services"]["bot"]  # type: ignore[index]
    context = (DEPLOY / bot["build"]["context"]).resolve()
    assert context == REPO
    assert (context / bot["build"]["dockerfile"]) == DEPLOY / "Dockerfile"
    (env_file,) = bot["env_file"]
    assert (DEPLOY / env_file).resolve() == REPO / ".env"
    assert "TELEGRAM_BOT_TOKEN" not in (bot.get("environment") or {}), "no secrets in compose"


def test_compose_keeps_the_data_in_a_named_volume_at_the_image_data_dir(
    compose: dict[str, object], docker: list[tuple[str, str]]
) -> None:
    bot = compose["services"]["bot"]  # type: ignore[index]
    (mount,) = bot["volumes"]
    volume, target = mount.split(":")[:2]
    assert volume in compose["volumes"]  # type: ignore[operator]
    image_volumes = [v for w, a in final_stage(docker) if w == "VOLUME" for v in exec_form(a)]
    assert target in image_volumes
    assert bot["environment"]["NEWSBRIEF_DATA_DIR"] == target


def test_compose_restarts_stops_gently_and_locks_the_container_down(
    compose: dict[str, object],
) -> None:
    bot = compose["services"]["bot"]  # type: ignore[index]
    assert bot["restart"] in ("unless-stopped", "always", "on-failure")
    assert bot["stop_signal"] == "SIGTERM"
    assert int(str(bot["stop_grace_period"]).rstrip("s")) > 10  # the bot needs up to 10 s
    assert bot["read_only"] is True and "/tmp" in bot["tmpfs"]
    assert bot["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in bot["security_opt"]
    assert "ports" not in bot, "polling needs no open port"


def test_the_postgresql_overlay_runs_a_healthy_database_and_keeps_its_password_out(
    compose: dict[str, object],
) -> None:
    overlay = yaml.safe_load((DEPLOY / "compose.postgres.yaml").read_text())
    assert set(overlay) <= COMPOSE_TOP_KEYS and overlay["name"] == compose["name"]
    db, bot = overlay["services"]["db"], overlay["services"]["bot"]
    assert set(db) <= COMPOSE_SERVICE_KEYS
    assert set(bot) <= COMPOSE_SERVICE_KEYS | {"depends_on"}
    assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert "pg_isready" in db["healthcheck"]["test"]
    (mount,) = db["volumes"]
    assert mount.split(":")[0] in overlay["volumes"]  # the database outlives its container
    password = "${NEWSBRIEF_DB_PASSWORD:?set NEWSBRIEF_DB_PASSWORD in .env}"
    assert db["environment"]["POSTGRES_PASSWORD"] == password  # from .env, never a literal
    url = bot["environment"]["NEWSBRIEF_DATABASE_URL"]
    assert url == f"postgresql://newsbrief:{password}@db:5432/newsbrief"
    filled = url.replace(password, "s3cret")
    config = load_config({"NEWSBRIEF_DATABASE_URL": filled}, data_dir=Path("/data"))
    assert config.database_url == filled


def test_the_postgresql_overlay_runs_a_second_bot_process_with_its_own_data_dir(
    compose: dict[str, object],
) -> None:
    overlay = yaml.safe_load((DEPLOY / "compose.postgres.yaml").read_text())
    first, second = overlay["services"]["bot"], overlay["services"]["bot-2"]
    assert set(second) <= COMPOSE_SERVICE_KEYS | {"depends_on", "extends"}
    assert second["extends"] == {"file": "compose.yaml", "service": "bot"}
    assert second["depends_on"] == first["depends_on"]
    # The same database and token, but not the same data dir: each process locks its own.
    assert second["environment"] == first["environment"]
    (mount,) = second["volumes"]
    volume, target = mount.split(":")
    assert target == "/data" and volume in overlay["volumes"]
    assert f"{volume}:/data" not in compose["services"]["bot"]["volumes"]  # type: ignore[index]


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
