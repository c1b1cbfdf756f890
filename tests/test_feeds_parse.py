"""Feed documents, OPML lists and address checks, including hostile and random input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.feeds.opml import OpmlError, parse_opml, to_opml
from bot.feeds.registry import feed_id
from bot.feeds.safety import UnsafeURL, address_problem, check_syntax
from bot.feeds.status import FeedStatus
from bot.ingest.dates import date_parser, localized_date
from bot.ingest.feedparse import parse_feed
from tests.feeddocs import rss

FETCHED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_atom_and_rss1_are_read() -> None:
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A &amp; B</title>'
        b"<entry><title type='html'>&lt;em&gt;Hi&lt;/em&gt;</title><id>tag:x,1</id>"
        b"<link href='http://x.example/1'/><updated>2025-05-01T10:00:00+02:00</updated>"
        b"<content type='html'>&lt;p&gt;Body &amp;amp; more&lt;/p&gt;</content></entry></feed>"
    )
    parsed = parse_feed(atom, fetched_at=FETCHED)
    [draft] = parsed.drafts
    assert (parsed.title, draft.title, draft.body) == ("A & B", "Hi", "Body & more")
    assert draft.published == datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
    assert (draft.guid, draft.url, draft.source) == ("tag:x,1", "http://x.example/1", "A & B")
    rdf = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>R1</title></channel>'
        b'<item rdf:about="http://r.example/1"><title>One</title><link>http://r.example/1</link>'
        b"</item></rdf:RDF>"
    )
    assert [d.title for d in parse_feed(rdf, fetched_at=FETCHED).drafts] == ["One"]


def test_rss091_and_source_override() -> None:
    old = b'<rss version="0.91"><channel><title>Old</title><item><title>T</title></item></channel></rss>'
    parsed = parse_feed(old, fetched_at=FETCHED, source="Given")
    assert [(d.title, d.source, d.published) for d in parsed.drafts] == [("T", "Given", FETCHED)]


@pytest.mark.parametrize(
    "date",
    ["Thu, 01 Jan 1970 00:00:00 GMT", "Wed, 31 Dec 1969 19:00:00 -0500", "1970-01-01T00:00:00Z"],
)
def test_the_unix_epoch_is_a_placeholder_not_a_date(date: str) -> None:
    # A CMS with no date writes time 0: stored as 1 January 1970, the item sank below every
    # list and digest window, never seen.
    doc = rss("E", [{"title": "Undated", "pubDate": date}])
    assert parse_feed(doc, fetched_at=FETCHED).drafts[0].published == FETCHED


def test_an_untitled_items_title_is_its_texts_first_words() -> None:
    # The title was the text's first 80 characters: "… и непогод", a word cut in two.
    body = "Президент подписал указ о переносе выходных дней в связи с праздниками и непогодой"
    doc = rss("U", [{"description": body + " на следующей неделе."}, {"description": "Коротко."}])
    [long, short] = parse_feed(doc, fetched_at=FETCHED).drafts
    assert long.title == "Президент подписал указ о переносе выходных дней в связи с праздниками и…"
    assert short.title == "Коротко."


def test_future_dates_count_as_fetch_time() -> None:
    doc = rss("F", [{"title": "Soon", "pubDate": "Mon, 01 Jan 2099 00:00:00 GMT"}])
    assert parse_feed(doc, fetched_at=FETCHED).drafts[0].published == FETCHED


# One row per language: every month abbreviation feeds in that language use.
MONTH_NAMES = {
    "es": ["Ene", "Feb", "Mar", "Abr", "May", "Jun", "Jul", "Ago", "Sep", "Oct", "Nov", "Dic"],
    "it": ["Gen", "Feb", "Mar", "Apr", "Mag", "Giu", "Lug", "Ago", "Set", "Ott", "Nov", "Dic"],
    "pt": ["Jan", "Fev", "Mar", "Abr", "Mai", "Jun", "Jul", "Ago", "Set", "Out", "Nov", "Dez"],
    "fr": [
        "janv.", "févr.", "mars", "avr.", "mai", "juin",
        "juil.", "août", "sept.", "oct.", "nov.", "déc.",
    ],
    "de": ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"],
}  # fmt: skip
WEEKDAY = {"es": "Lun", "it": "Lun", "pt": "Seg", "fr": "lun.", "de": "Mo"}


@pytest.mark.parametrize("language", sorted(MONTH_NAMES))
def test_every_month_name_of_each_language_parses(language: str) -> None:
    for number, name in enumerate(MONTH_NAMES[language], start=1):
        text = f"{WEEKDAY[language]}, 15 {name} 2024 10:30:00 +0100"
        assert localized_date(text) == datetime(2024, number, 15, 9, 30, tzinfo=UTC), text


def test_a_spanish_feed_item_keeps_its_date() -> None:
    doc = rss("Noticias", [{"title": "Hola", "pubDate": "Mié, 17 Ene 2024 08:00:00 +0100"}])
    assert parse_feed(doc, fetched_at=FETCHED).drafts[0].published == datetime(
        2024, 1, 17, 7, 0, tzinfo=UTC
    )


def test_charset_from_http_header_is_used() -> None:
    doc = rss("Notícias", [{"title": "Ação"}], encoding="iso-8859-1").replace(
        b' encoding="iso-8859-1"', b""
    )
    parsed = parse_feed(doc, fetched_at=FETCHED, content_type="text/xml; charset=iso-8859-1")
    assert (parsed.title, parsed.drafts[0].title) == ("Notícias", "Ação")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Seg, 24 Set 2018 19:42:40 -0300", datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC)),
        ("Sáb, 01 Fev 2020 12:00:00 -0300", datetime(2020, 2, 1, 15, 0, tzinfo=UTC)),
        ("Di, 03 Dez 2019 10:00:00 +0100", datetime(2019, 12, 3, 9, 0, tzinfo=UTC)),
        ("lun., 02 juin 2020 10:00:00 +0200", datetime(2020, 6, 2, 8, 0, tzinfo=UTC)),
        ("mer., 15 juil. 2020 10:00 GMT", datetime(2020, 7, 15, 10, 0, tzinfo=UTC)),
        ("yesterday-ish", None),
        ("yesterday", None),  # relative words are no publication date
    ],
)
def test_localized_dates(text: str, expected: datetime | None) -> None:
    assert localized_date(text) == expected


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_parse_without_raising(data: bytes) -> None:
    parsed = parse_feed(data, fetched_at=FETCHED)
    assert parsed.is_feed or parsed.problem
    assert all(d.published is not None and d.published.tzinfo for d in parsed.drafts)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200), st.text(max_size=300))
@example("", "0 \x00")  # a NUL after a space: the title was "0 ", not stripped
def test_item_text_is_clean_whatever_markup_it_has(title: str, body: str) -> None:
    from xml.sax.saxutils import escape

    doc = rss("T", [{"title": escape(title), "description": escape(body), "guid": "g1"}])
    for draft in parse_feed(doc, fetched_at=FETCHED).drafts:
        assert "<script" not in draft.title.lower()
        assert draft.title == draft.title.strip()
        assert draft.published == FETCHED


OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="News">
    <outline type="rss" text="One" xmlUrl="http://one.example/rss"/>
    <outline type="rss" title="Two" text="2" xmlUrl="http://two.example/atom"/>
  </outline>
  <outline type="rss" text="One again" xmlUrl="http://one.example/rss"/>
  <outline text="a folder without feeds"/>
</body></opml>"""


def test_opml_feeds_are_read_from_nested_folders_once_each() -> None:
    feeds = parse_opml(OPML)
    assert [(f.url, f.title) for f in feeds] == [
        ("http://one.example/rss", "One"),
        ("http://two.example/atom", "Two"),
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<html><body/></html>", "not an OPML document"),
        (b"<opml><body><outline", "not well-formed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><opml>&lol;</opml>',
            "DOCTYPE",
        ),
        (b"<opml>" + b" " * (3 * 1024 * 1024) + b"</opml>", "larger than 2 MB"),
    ],
)
def test_bad_opml_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(OpmlError, match=reason):
        parse_opml(data)


def _status(url: str, title: str) -> FeedStatus:
    return FeedStatus(feed_id(url), url, title, True, 15, None, None, "", None, 0, 0, None, 0, None)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.from_regex(r"https?://[a-z]{1,10}\.example/[a-z0-9/?=&]{0,20}", fullmatch=True),
            st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
        ),
        max_size=8,
        unique_by=lambda t: t[0],
    )
)
def test_opml_export_round_trips(entries: list[tuple[str, str]]) -> None:
    document = to_opml([_status(u, t) for u, t in entries], now=FETCHED)
    # U+FFFE and U+FFFF cannot appear in XML at all: the export leaves them out.
    assert [(f.url, f.title) for f in parse_opml(document.encode())] == [
        (u, t.replace("\ufffe", "").replace("\uffff", "").strip()) for u, t in entries
    ]


def test_opml_export_of_a_title_xml_cannot_carry_still_parses() -> None:
    document = to_opml([_status("http://a.example/", "\ufffeNews\x07")], now=FETCHED)
    assert [(f.url, f.title) for f in parse_opml(document.encode())] == [
        ("http://a.example/", "News")
    ]


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.0.0.5", "private"),
        ("172.16.3.4", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("0.0.0.0", "private"),
        ("224.0.0.1", "private"),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
    ],
)
def test_address_problems(address: str, problem: str | None) -> None:
    found = address_problem(address)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_url_syntax() -> None:
    assert check_syntax("HTTPS://News.Example/feed") == "news.example"
    with pytest.raises(UnsafeURL):
        check_syntax("javascript:alert(1)")


def test_feed_ids_are_stable_and_canonical() -> None:
    assert feed_id("http://A.example:80/rss?utm_source=x") == feed_id("http://a.example/rss")
    assert feed_id("http://a.example/rss") != feed_id("http://a.example/atom")


def test_the_date_parser_is_built_once() -> None:
    """Building a DateDataParser loads seven languages' data: 15 ms a call, 4 ms reused."""
    assert date_parser() is date_parser()
    assert localized_date("Lun, 15 Ene 2024 10:00") == datetime(2024, 1, 15, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "ref", ["&#xD800;", "&#57343;", "&#x110000;", "&#99999999999999999999;", "&#" + "9" * 5000]
)
def test_a_reference_to_no_character_costs_one_character_not_the_feed(ref: str) -> None:
    # feedparser's chr() of a surrogate or of a number past U+10FFFF raised: the feed failed
    # whole ("Sorry, something went wrong" to /addfeed), every item of it lost.
    doc = rss("Refs", [{"title": f"Before {ref} after"}, {"title": "Next &#233;"}])
    parsed = parse_feed(doc, fetched_at=FETCHED)
    assert [d.title for d in parsed.drafts] == ["Before \ufffd after", "Next é"]
