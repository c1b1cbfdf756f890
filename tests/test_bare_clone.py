"""What a fresh clone without ../shared needs: the benchmarks say what to pass, in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_bench_without_shared_data_names_the_variable_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "NEWSBRIEF_SHARED_DATA": str(tmp_path / "nowhere")}
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "NEWSBRIEF_SHARED_DATA=" in result.stderr and str(tmp_path / "nowhere") in result.stderr


def test_the_ci_runs_the_suite_again_in_a_clone_without_shared_data() -> None:
    script = (REPO / ".ci" / "run").read_text()
    steps = [line.strip() for line in script.splitlines() if not line.lstrip().startswith("#")]
    assert "make test" in steps  # here, first
    assert any(line.startswith("git clone") for line in steps)
    assert any('test ! -e "$scratch/shared"' in line for line in steps)
    assert any("make test" in line and "newsbrief" in line for line in steps if line != "make test")
