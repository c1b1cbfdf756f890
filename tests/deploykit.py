"""The deploy/ files as tests read them: the folder and the Dockerfile's instructions."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.conftest import REPO

DEPLOY = REPO / "deploy"


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
