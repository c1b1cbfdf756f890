"""compose.yaml and its PostgreSQL overlay, parsed with PyYAML and checked against the
Dockerfile and .env.example, without Docker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.config import load_config
from tests.conftest import REPO
from tests.deploykit import DEPLOY, dockerfile_instructions, exec_form, final_stage


@pytest.fixture(scope="module")
def docker() -> list[tuple[str, str]]:
    return dockerfile_instructions(DEPLOY / "Dockerfile")


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
