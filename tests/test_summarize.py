"""Single-article summaries and one-liners: order, count, determinism and ugly inputs."""

from __future__ import annotations

import pytest

from bot.summarize import one_line, split_sentences, summarize

ARTICLE = """Floods swept through the river valley on Monday, forcing 2,000 people from their homes.
The regional government declared an emergency after the river rose 4.5 metres overnight.
Rescue teams used boats to reach villages cut off by the floods.
"It was like a wall of water," said farmer Anna Lee, 54.
Forecasters expect more rain in the valley on Wednesday, raising fears of new floods.
The local football match was postponed.
Insurers said the floods could cost the valley's homeowners more than $40m.
Officials will review the river defences once the water falls.
"""
TITLE = "Floods force 2,000 from homes in river valley"


def test_returns_requested_count_in_article_order() -> None:
    sentences = split_sentences(ARTICLE)
    for n in (1, 2, 3, 5):
        summary = summarize(ARTICLE, TITLE, sentences=n)
        assert len(summary) == n
        positions = [sentences.index(s) for s in summary]
        assert positions == sorted(positions)


def test_lead_sentence_is_kept_and_filler_is_not() -> None:
    summary = summarize(ARTICLE, TITLE, sentences=3)
    assert summary[0].startswith("Floods swept through the river valley")
    assert "The local football match was postponed." not in summary


def test_is_deterministic() -> None:
    first = summarize(ARTICLE, TITLE, sentences=3)
    assert all(summarize(ARTICLE, TITLE, sentences=3) == first for _ in range(5))


def test_more_sentences_than_the_article_has() -> None:
    assert summarize(ARTICLE, sentences=50) == split_sentences(ARTICLE)


def test_near_duplicate_sentences_are_not_both_chosen() -> None:
    body = (
        "The central bank raised interest rates by half a point on Tuesday. "
        "On Tuesday the central bank raised interest rates by half a point. "
        "Mortgage costs for millions of households will rise as a result. "
        "The currency strengthened against the dollar after the decision."
    )
    summary = summarize(body, sentences=2)
    assert len(summary) == 2
    assert summary[1] != "On Tuesday the central bank raised interest rates by half a point."


def test_russian_article() -> None:
    body = (
        "Наводнение затопило долину реки в понедельник. Власти объявили режим чрезвычайной "
        "ситуации. Спасатели на лодках добрались до отрезанных сёл. Синоптики ожидают новых "
        "дождей в среду."
    )
    summary = summarize(body, "Наводнение в долине реки", sentences=2)
    assert summary[0] == "Наводнение затопило долину реки в понедельник."
    assert len(summary) == 2


@pytest.mark.parametrize("n", [0, -3])
def test_zero_or_negative_count_gives_nothing(n: int) -> None:
    assert summarize(ARTICLE, sentences=n) == []


@pytest.mark.parametrize("body", ["", "   \n\n ", "<div></div>", "---"])
def test_empty_body(body: str) -> None:
    assert summarize(body, "A title") == []
    assert one_line(body, "A title") == "A title"
    assert one_line(body) == ""


def test_one_sentence_body() -> None:
    assert summarize("Only one sentence here", sentences=3) == ["Only one sentence here"]


def test_html_leftovers_give_plain_text() -> None:
    body = "<p>The <a href='x'>mayor</a> resigned on Friday.</p><p>Voters cheered &amp; wept.</p>"
    assert summarize(body, sentences=2) == [
        "The mayor resigned on Friday.",
        "Voters cheered & wept.",
    ]


def test_other_scripts_do_not_fail() -> None:
    cjk = "東京で大雨が降りました。電車が止まりました。明日は晴れるでしょう。"
    arabic = "ضربت الفيضانات الوادي يوم الاثنين. أعلنت الحكومة حالة الطوارئ. وصلت فرق الإنقاذ."
    assert len(summarize(cjk, sentences=2)) == 2
    assert len(summarize(arabic, sentences=2)) == 2
    assert one_line(cjk)


def test_one_megabyte_body_returns_sane_output() -> None:
    body = ARTICLE * (1_000_000 // len(ARTICLE) + 1)
    summary = summarize(body, TITLE, sentences=3)
    assert len(summary) == 3
    assert all(s in split_sentences(ARTICLE) for s in summary)
    assert len(one_line(body, TITLE)) <= 200


def test_one_megabyte_without_any_punctuation_or_space() -> None:
    summary = summarize("x" * 1_000_000, sentences=3)
    assert len(summary) == 3
    assert all(set(s) == {"x"} and len(s) <= 600 for s in summary)


def test_one_line_keeps_short_text_whole() -> None:
    assert one_line("Short news. More words follow here.") == "Short news."


def test_one_line_cuts_at_a_word_boundary_with_ellipsis() -> None:
    body = "The " + "remarkably " * 30 + "long sentence ends here."
    line = one_line(body, limit=50)
    assert len(line) <= 50
    assert line.endswith("remarkably…")
    assert body.startswith(line[:-1])


def test_one_line_exact_limit_has_no_ellipsis() -> None:
    body = "a" * 8 + " " + "b" * 11  # exactly 20 characters
    assert one_line(body, limit=20) == body


def test_one_line_unbreakable_text_is_cut_inside() -> None:
    line = one_line("z" * 500, limit=200)
    assert line == "z" * 199 + "…"


@pytest.mark.parametrize("limit", [0, 1, 2])
def test_one_line_tiny_limits(limit: int) -> None:
    assert len(one_line(ARTICLE, limit=limit)) <= limit


def test_captions_without_closing_punctuation_lose_to_prose() -> None:
    body = (
        "More than 10,000 troops are taking part in the drills in northwestern China. "
        "Video screen grab. China Central Television (CCTV)\n\n"
        "Russia and China have kicked off joint military exercises as the two countries seek "
        "to deepen cooperation, the Russian Defense Ministry announced Monday.\n\n"
        "The drills also aim to increase the level of military cooperation between the armed "
        "forces of the two countries."
    )
    chosen = summarize(body, "Russia, China Kick Off Joint Military Drills", sentences=3)
    assert "China Central Television (CCTV)" not in chosen
    assert chosen[0].startswith("More than 10,000 troops")
