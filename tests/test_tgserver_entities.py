"""The Telegram-like HTML parser: what Telegram accepts, rejects, and how it counts."""

from __future__ import annotations

import pytest

from bot.tgserver.entities import EntityParseError, parse_html, parse_message_text, utf16_len


def test_plain_text_and_nested_entities_with_utf16_offsets() -> None:
    parsed = parse_html("😀 <b>bold <i>both</i></b> &lt;tag&gt; &amp; &quot;q&quot;")
    assert parsed.text == '😀 bold both <tag> & "q"'
    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 8, "length": 4},
    ]


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("AT&T", "AT&T"),  # a bare ampersand is literal, as in tdlib
        ("&nbsp;", "&nbsp;"),  # unknown named entities stay literal
        ("&amp", "&"),  # the semicolon is optional
        ("&#128512;&#x41;", "😀A"),
        ("&#0; &#xD800;", "&#0; &#xD800;"),  # invalid code points stay literal
        ("1 > 0", "1 > 0"),  # '>' needs no escaping
        ("<B>caps</B>", "caps"),  # tag names are case-insensitive
        ("<b >x</b >", "x"),
        ("<b>x</>", "x"),  # tdlib accepts an empty end tag
    ],
)
def test_tdlib_quirks(html: str, text: str) -> None:
    assert parse_html(html).text == text


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("<p>x</p>", 'Unsupported start tag "p"'),
        ("é<b>", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x>y</a>', "Unclosed start tag"),
        ("<a href>y</a>", "Expected equal sign"),
        ("<span>s</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("<b x=1/>", "Unexpected end of name token"),
        ("<b>x</ b>", "Unclosed end tag at byte offset 4"),
    ],
)
def test_rejections_name_the_problem(html: str, message: str) -> None:
    with pytest.raises(EntityParseError) as info:
        parse_html(html)
    assert message in str(info.value)


def test_byte_offsets_count_utf8_bytes() -> None:
    with pytest.raises(EntityParseError, match="byte offset 4"):
        parse_html("😀<x>")


def test_links_pre_code_spoilers_and_quotes() -> None:
    parsed = parse_html(
        '<a href="https://x.org/?a=1&amp;b=2">l</a><pre><code class="language-py">c</code></pre>'
        '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>'
        "<blockquote expandable>q</blockquote><a href='example.org'>e</a>"
    )
    types = [(e["type"], e.get("url") or e.get("language")) for e in parsed.entities]
    assert ("text_link", "https://x.org/?a=1&b=2") in types
    assert ("pre", "py") in types
    assert ("spoiler", None) in types
    assert ("expandable_blockquote", None) in types
    assert ("text_link", "http://example.org") in types


def test_message_text_is_stripped_and_entities_shifted() -> None:
    parsed = parse_message_text("\n  <b>hi</b>  \n", "HTML")
    assert parsed.text == "hi"
    assert parsed.entities == [{"type": "bold", "offset": 0, "length": 2}]
    assert parse_message_text("<b>not html</b>", None).text == "<b>not html</b>"


def test_utf16_length() -> None:
    assert utf16_len("a😀é") == 4


def test_blank_symbols_are_trimmed_like_tdlib() -> None:
    assert parse_message_text("\u2800<b>x</b>\ufffc\u3000", "HTML").text == "x"
    assert parse_message_text("\u2800 \u180e", None).text == ""


def test_an_expandable_blockquote_must_be_closed_and_well_nested() -> None:
    assert parse_html("<blockquote expandable>a, b</blockquote>").entities == [
        {"type": "expandable_blockquote", "offset": 0, "length": 4}
    ]
    with pytest.raises(EntityParseError, match="Can't find end tag"):
        parse_html("x\n<blockquote expandable>Reuters, AP")
    with pytest.raises(EntityParseError):
        parse_html("<blockquote expandable><b>a</blockquote></b>")
