"""The seed format: `# Title`, a date line, a Markdown body, `Original url:` and `<URL>`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ingest.seedformat import SeedFormatError, format_seed, parse_seed
from tests.conftest import SEED_FILE


def test_the_sample_article_parses_exactly() -> None:
    draft = parse_seed(SEED_FILE.read_text(encoding="utf-8"))
    assert draft.title == "Russia, China Kick Off Joint Military Drills"
    assert draft.published == datetime(2021, 8, 10, tzinfo=UTC)
    assert draft.url == (
        "https://www.themoscowtimes.com/2021/08/10/russia-china-kick-off-joint-military-drills-a74740"
    )
    assert draft.body.startswith("More than 10,000 troops are taking part")
    assert draft.body.endswith("Shanghai Cooperation Organization (SCO) in September.")
    # Markdown markup goes, its words stay.
    assert "[announced](#)" not in draft.body and "announced Monday" in draft.body
    assert "**" not in draft.body and "Video screen grab." in draft.body
    assert "Original url" not in draft.body


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("", 1, "title"),
        ("Title without hash\nAugust 1, 2021\nbody\nOriginal url:\n<https://x.org>", 1, "title"),
        ("# T\n\nnot a date\n\nbody\nOriginal url:\n<https://x.org>", 3, "date"),
        ("# T\nAugust 1, 2021\nbody only", 3, "Original url"),
        ("# T\nAugust 1, 2021\nbody\nOriginal url:\n\nhttps://x.org", 6, "angle brackets"),
        ("# T\nAugust 1, 2021\nbody\nOriginal url:", 5, "angle brackets"),
    ],
)
def test_broken_seeds_say_where_and_why(text: str, line: int, reason: str) -> None:
    with pytest.raises(SeedFormatError) as info:
        parse_seed(text)
    assert info.value.line == line
    assert reason in info.value.reason


def test_other_date_forms_and_windows_line_ends() -> None:
    text = "# T\r\n\r\n2021-08-10\r\n\r\nBody.\r\n\r\nOriginal url:\r\n<https://x.org/a>\r\n"
    draft = parse_seed(text)
    assert draft.published == datetime(2021, 8, 10, tzinfo=UTC) and draft.url == "https://x.org/a"


line_text = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="*_[]#`<>\\&"
        ),
        min_size=1,
        max_size=60,
    )
    .map(str.strip)
    .filter(bool)
)


@given(
    title=line_text,
    day=st.dates(min_value=datetime(1980, 1, 1).date(), max_value=datetime(2035, 1, 1).date()),
    paragraphs=st.lists(line_text, min_size=1, max_size=5),
    path=st.from_regex(r"[a-z0-9/-]{0,30}", fullmatch=True),
)
def test_format_then_parse_round_trips(
    title: str, day: object, paragraphs: list[str], path: str
) -> None:
    published = datetime(day.year, day.month, day.day, tzinfo=UTC)  # type: ignore[attr-defined]
    body = "\n\n".join(p for p in paragraphs if p != "Original url:")
    url = f"https://example.org/{path}"
    draft = parse_seed(format_seed(title, published, body, url))
    assert (draft.title, draft.published, draft.url) == (title, published, url)
    assert " ".join(draft.body.split()) == " ".join(body.split())


@given(st.text(max_size=500))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        draft = parse_seed(text)
    except SeedFormatError as exc:
        assert exc.line >= 1 and exc.reason
    else:
        assert draft.title and draft.url
