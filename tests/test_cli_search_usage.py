"""`newsbrief search` and `stories` as an operator types them: what cannot be searched says so."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.test_cli import run


def test_a_query_of_only_common_words_is_an_error_not_nothing_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # README: stop words are not searched, and a query of nothing else says so.
    data = str(tmp_path / "data")
    code, out, err = run(capsys, "--data-dir", data, "search", "the", "of", "and ")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "common words" in err
    queries = tmp_path / "q.txt"
    queries.write_text("the of and \nmilitary\n")
    code, out, _ = run(capsys, "--data-dir", data, "search", "--batch", str(queries))
    first, second = (orjson.loads(line) for line in out.splitlines())
    assert code == 0 and first["total"] == 0 and second["total"] == 1
