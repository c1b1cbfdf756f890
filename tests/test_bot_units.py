"""Pure parts of the bot: callback codec, query cleaning, argument parsing, command lists."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import cast
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.app.buttons import PAGE, SUGGEST, SUMMARY, Action, decode, encode
from bot.app.commands import CommandSpec, bot_commands, help_html, markdown_table, merge_commands
from bot.app.context import LineCache, Listing
from bot.app.inline_results import MAX_OFFSET, parse_offset
from bot.app.items import item_number
from bot.app.listings import (
    MAX_LATEST,
    MAX_QUERY,
    Lister,
    clean_query,
    parse_latest_args,
    record_page,
)
from bot.app.wiring import all_commands, command_table
from bot.i18n import Translator
from bot.models import Article
from bot.render import escape
from bot.search import Hit, SearchResult
from bot.services import Services
from bot.tgserver import parse_html, utf16_len

SPECS = [
    CommandSpec("latest", "Newest <articles> & more", args="[N] [words]"),
    CommandSpec("addfeed", "Add a feed", admin_only=True, args="URL"),
]


def test_callback_data_round_trips_and_fits() -> None:
    for action in (
        Action(PAGE, listing=999_999_999, page=9999),
        Action(SUMMARY, listing=999_999_999, number=9999),
        Action(SUGGEST, listing=1),
    ):
        data = encode(action)
        assert len(data.encode()) <= 64
        assert decode(data) == action


@given(st.text(max_size=100))
def test_decode_never_raises_and_accepts_only_what_encode_writes(data: str) -> None:
    action = decode(data)
    if action is not None:
        assert encode(action) == data


@given(st.text(max_size=20_000))
def test_clean_query_is_one_short_printable_line(text: str) -> None:
    cleaned = clean_query(text)
    assert len(cleaned) <= MAX_QUERY
    assert "\n" not in cleaned and cleaned == cleaned.strip()
    assert all(ch.isprintable() for ch in cleaned)


def test_invisible_characters_pasted_inside_a_word_do_not_split_it() -> None:
    # A soft hyphen or zero-width space copied from a web page split "climate" in two.
    for joiner in ("\u00ad", "\u200b", "\u2060", "\ufeff", "\u200d", "\u200f"):
        assert clean_query(f"cli{joiner}mate  policy{joiner}") == "climate policy", repr(joiner)
    assert clean_query("\u202bنفط\u202c oil") == "نفط oil"  # bidi embeddings around RTL words
    assert clean_query("oil\tgas\x00 coal") == "oil gas coal"  # other controls still part words


@given(st.lists(st.text(max_size=30), max_size=8))
def test_latest_arguments_are_bounded(args: list[str]) -> None:
    parsed = parse_latest_args(args)
    if parsed is None:  # refused: the first word was a count below 1
        assert int(args[0]) < 1
        return
    count, words = parsed
    assert 1 <= count <= MAX_LATEST
    assert len(words) <= MAX_QUERY


@given(st.integers(max_value=0), st.lists(st.text(max_size=30), max_size=3))
def test_latest_count_below_one_is_refused_not_searched(count: int, rest: list[str]) -> None:
    assert parse_latest_args([str(count), *rest]) is None


@given(st.integers(min_value=1, max_value=10**30), st.lists(st.text(max_size=30), max_size=3))
def test_latest_count_from_one_is_kept_within_the_cap(count: int, rest: list[str]) -> None:
    parsed = parse_latest_args([str(count), *rest])
    assert parsed is not None and parsed[0] == min(count, MAX_LATEST)


def test_latest_arguments() -> None:
    assert parse_latest_args([]) == (5, "")
    assert parse_latest_args(["0"]) is None
    assert parse_latest_args(["-5", "rates"]) is None
    assert parse_latest_args(["rates", "-5"]) == (5, "rates -5")  # words may exclude
    # A count of any length is a count: seven digits were searched as words ("Nothing found").
    assert parse_latest_args(["1234567"]) == (MAX_LATEST, "")
    assert parse_latest_args(["99999999999999", "oil"]) == (MAX_LATEST, "oil")
    assert parse_latest_args(["3", "rate", "cuts"]) == (3, "rate cuts")


@given(st.text(max_size=12))
@example("#2")
@example("№2")
@example("2.")
@example("0\x1f")  # a control character Python strips as space ("0" is item 0)
@example("٣")  # an Arabic-Indic digit: int() takes it, an item number does not
def test_an_item_reference_is_a_whole_number_or_not_an_item(ref: str) -> None:
    number = item_number(ref)
    digits = ref.strip().removeprefix("#").removeprefix("№").removesuffix(".")  # "#2", "№2", "2."
    whole = digits.removeprefix("-").isascii() and digits.removeprefix("-").isdigit()
    assert number is None or (whole and number == int(digits))


@given(st.integers(min_value=-999_999_999, max_value=999_999_999))
def test_every_number_is_an_item_below_one_too(number: int) -> None:
    assert item_number(f" {number} ") == number  # never a topic or an exclusion search


@given(st.text(max_size=20))
def test_inline_offset_is_digits_or_zero(raw: str) -> None:
    offset = parse_offset(raw)
    assert 0 <= offset <= MAX_OFFSET


def test_command_lists_come_from_one_source() -> None:
    merged = merge_commands([SPECS, [CommandSpec("latest", "duplicate")]])
    assert [spec.name for spec in merged] == ["latest", "addfeed"]
    assert [c.command for c in bot_commands(merged, admin=False, tr=Translator.english())] == [
        "latest"
    ]
    assert [c.command for c in bot_commands(merged, admin=True, tr=Translator.english())] == [
        "latest",
        "addfeed",
    ]
    user_help = help_html(merged, admin=False, tr=Translator.english())
    parse_html(user_help)  # Telegram accepts it
    assert "/addfeed" not in user_help
    assert "&lt;articles&gt; &amp; more" in user_help
    assert "/addfeed URL" in help_html(merged, admin=True, tr=Translator.english())
    table = markdown_table([*merged, CommandSpec("summary", "One | two", args="N|id")])
    assert "| `/addfeed URL` | Add a feed | admins |" in table
    assert "| `/summary N\\|id` | One \\| two | all |" in table


class FakeStore:
    """The two store methods a Lister uses, over a list."""

    def __init__(self, articles: list[Article]) -> None:
        self.articles = articles

    def latest(self, limit: int, offset: int = 0) -> list[Article]:
        return self.articles[offset : offset + limit]

    def __len__(self) -> int:
        return len(self.articles)


class FakeSearch:
    """A search that finds every article and marks the query as the snippet."""

    def __init__(self, articles: list[Article]) -> None:
        self.articles = articles

    def search(
        self, query: str, *, limit: int, offset: int, sort: str, typing: bool = False
    ) -> SearchResult:
        page = self.articles[offset : offset + limit]
        snippet = f"…<b>{escape(query)}</b>…"
        hits = [Hit(a, 1.0, snippet) for a in page]
        return SearchResult(hits, len(self.articles), query or None, bool(query), query)


class NoStories:
    """Stories that group nothing: every article is its own row."""

    def __len__(self) -> int:
        return 0

    def story_for_article(self, article_id: str, *, lang: str | None = None) -> None:
        return None

    def group(self, ids: list[str]) -> list[tuple[str, list[str]]]:
        return [(f"article:{i}", [i]) for i in ids]


def _lister(articles: list[Article]) -> Lister:
    services = SimpleNamespace(
        store=FakeStore(articles), search=FakeSearch(articles), stories=NoStories()
    )
    return Lister(cast(Services, services), LineCache())


TEXT = st.text(st.characters(codec="utf-8"), max_size=400)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(TEXT, TEXT, st.one_of(st.none(), TEXT)), max_size=20),
    st.sampled_from(["latest", "search"]),
    TEXT,
    st.integers(1, 20),
)
def test_any_listing_renders_to_html_telegram_accepts(
    fields: list[tuple[str, str, str | None]], kind: str, query: str, size: int
) -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    articles = [
        Article(f"id{n}", title, body, when, when, url=f"https://x.example/{n}", source=source)
        for n, (title, body, source) in enumerate(fields)
    ]
    listing = Listing(kind, clean_query(query), size)
    lister = _lister(articles)
    for page_no in (0, 1):
        before = replace(listing, shown=dict(listing.shown))
        page = lister.page(listing, page_no, ZoneInfo("Europe/Berlin"), Translator.english())
        assert listing == before  # the worker thread only reads what the loop owns
        record_page(listing, page)
        parsed = parse_html(page.html)
        assert 0 < utf16_len(parsed.text) <= 4096
        assert len(page.article_ids) <= size
        assert all(
            listing.shown[page.first_number + i] == a for i, a in enumerate(page.article_ids)
        )


def test_empty_store_says_so() -> None:
    page = _lister([]).page(Listing("latest", "", 5), 0, ZoneInfo("UTC"), Translator.english())
    assert page.empty and page.html.startswith("No articles yet.")


def test_readme_table_lists_every_registered_command() -> None:
    table = command_table()
    for spec in all_commands():
        assert f"`/{spec.name}" in table
