"""Story batch mode: JSON lines in, stories out, and a bad line named."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from bot.stories import BatchInputError, StoryItem, cluster_lines, story_id_for, top_lines
from tests.storykit import QUAKE, RATES


def as_line(i: StoryItem) -> str:
    record = {"id": i.id, "title": i.title, "body": i.body, "source": i.source}
    return json.dumps(record | {"published": i.published.isoformat()})


def test_batch_clusters_in_file_order() -> None:
    lines = [as_line(i) for i in [QUAKE[0], RATES, QUAKE[1], QUAKE[2]]] + ["", "  "]
    out = list(cluster_lines(lines))
    assert [row["id"] for row in out] == ["reuters-1", "ft-1", "bbc-1", "ap-1"]
    assert out[0]["story"] == out[2]["story"] == out[3]["story"] != out[1]["story"]


def test_batch_top_lists_stories_best_first() -> None:
    lines = [as_line(i) for i in [QUAKE[0], RATES, QUAKE[1], QUAKE[2]]]
    top = top_lines(lines, 1)
    assert top == [
        {
            "story": story_id_for("reuters-1"),
            "headline": top[0]["headline"],
            "sources": 3,
            "reports": 3,
            "articles": ["reuters-1", "bbc-1", "ap-1"],
        }
    ]
    assert top_lines([], 3) == []


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "not valid JSON"),
        ('["a list"]', "expected a JSON object"),
        ('{"title": "x", "published": "2026-03-02T08:00:00+00:00"}', "missing 'id'"),
        ('{"id": "x2", "title": "x"}', "missing 'published'"),
        ('{"id": "x2", "published": "yesterday"}', "not ISO 8601"),
        ('{"id": "x2", "title": 5, "published": "2026-03-02T08:00:00+00:00"}', "must be a string"),
        ('{"id": "reuters-1", "published": "2026-03-02T08:00:00+00:00"}', "duplicate id"),
    ],
)
def test_batch_bad_line_names_the_line(bad: str, message: str) -> None:
    lines = [as_line(QUAKE[0]), "", bad]
    with pytest.raises(BatchInputError) as caught:
        list(cluster_lines(lines))
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith("line 3: ")
    assert message in str(caught.value)
    assert caught.value.line_no == 3


def test_batch_naive_time_is_read_as_utc() -> None:
    line = '{"id": "n1", "title": "t", "published": "2026-03-02T08:00:00"}'
    assert list(cluster_lines([line])) == [{"id": "n1", "story": story_id_for("n1")}]


def test_naive_item_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        StoryItem("x", "t", "b", datetime(2026, 3, 2, 8, 0))
