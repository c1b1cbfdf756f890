"""What of the Docker image can be checked without Docker.

The Dockerfile is parsed (instructions, continuation lines) and checked for a slim Python
base, a non-root USER, the data VOLUME, a HEALTHCHECK that runs our health module, and COPY
sources that exist.
"""

from __future__ import annotations

import importlib
import re
import tomllib

import pytest

from bot.cli.main import build_parser
from tests.conftest import REPO
from tests.deploykit import DEPLOY, dockerfile_instructions, exec_form, final_stage


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
