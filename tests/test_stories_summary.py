"""A story's 1–2 sentence summary: the reader's language, what reports agree on, no repeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import Article, Story
from bot.summarize import story_summary
from bot.summarize.story import MAX_CHARS, summarize_story

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def article(aid: str, title: str, body: str, source: str, hours: int, lang: str = "en") -> Article:
    when = T0 + timedelta(hours=hours)
    return Article(aid, title, body, when, when, f"https://x.example/{aid}", source, lang=lang)


def story_of(best: Article, *others: Article) -> Story:
    members = (best, *others)
    return Story(
        "s0123456789",
        best.title,
        tuple(sorted(members, key=lambda a: a.published, reverse=True)),
        best,
        tuple(dict.fromkeys(a.source or "" for a in members)),
        min(a.published for a in members),
        max(a.published for a in members),
        size=len(members),
        source_count=len({a.source for a in members}),
    )


BEST = article(
    "a",
    "Volcano erupts near Grindavik in Iceland",
    "A volcano erupted near Grindavik on Monday. Lava flowed toward the evacuated town.",
    "Reuters",
    0,
)
SAME = article(
    "b",
    "Iceland volcano near Grindavik sends lava toward homes",
    "Lava flowed toward the evacuated town of Grindavik. Residents watched from a distance.",
    "AP",
    1,
)
DRIFT = article(
    "c",
    "Football club sacks its manager",
    "The club sacked its manager after a run of defeats. Fans had protested for weeks.",
    "Sports Desk",
    2,
)


def test_summary_draws_on_agreeing_sources_without_repeating_a_statement() -> None:
    text = story_summary(story_of(BEST, SAME), "en").text
    assert text.startswith("A volcano erupted near Grindavik on Monday.")
    # Two sentences; what both sources said appears once.
    assert text.count("Lava flowed toward the evacuated town") == 1
    assert text.count(".") == 2


def test_an_article_that_drifted_into_the_story_lends_it_no_sentence() -> None:
    text = story_summary(story_of(BEST, DRIFT, SAME), "en").text
    assert "club" not in text and "manager" not in text
    assert "Grindavik" in text


RUSSIAN = article(
    "r",
    "Вулкан извергается у Гриндавика в Исландии",
    "Вулкан начал извергаться у Гриндавика в понедельник. Лава течёт к эвакуированному городу.",
    "РИА",
    2,
    lang="ru",
)


def test_each_reader_gets_sentences_in_their_own_language() -> None:
    story = story_of(BEST, SAME, RUSSIAN)
    russian = story_summary(story, "ru")
    english = story_summary(story, "en")
    assert russian.lang == "ru" and russian.text.startswith("Вулкан начал извергаться")
    assert english.lang == "en" and "Grindavik" in english.text
    assert not any("а" <= ch <= "я" for ch in english.text)


def test_a_reader_whose_language_the_story_lacks_reads_english() -> None:
    summary = story_summary(story_of(RUSSIAN, BEST), "de")
    assert summary.lang == "en"
    assert summary.text.startswith("A volcano erupted near Grindavik")


def test_a_sentence_other_reports_confirm_leads() -> None:
    lone = article(
        "l",
        "Volcano erupts near Grindavik",
        "A volcano erupted overnight. "
        "Officials said the eruption was the worst in decades, without giving figures. "
        "About 3,700 residents of Grindavik were evacuated on Monday, Icelandic police said.",
        "Daily",
        0,
    )
    confirm = article(
        "k",
        "Grindavik volcano: 3,700 evacuated",
        "Lava reached a road. About 3,700 residents of Grindavik left their homes on Monday.",
        "Wire",
        1,
    )
    text = story_summary(story_of(lone, confirm), "en").text
    # The figure two reports give beats the claim one report makes alone, though it comes later.
    assert "About 3,700 residents of Grindavik" in text
    assert "worst in decades" not in text


def test_a_wire_dateline_is_left_out_of_the_summary() -> None:
    wired = article(
        "w",
        BEST.title,
        "REYKJAVIK (Reuters) — A volcano erupted near Grindavik on Monday. Lava flowed on.",
        "Reuters",
        0,
    )
    text = story_summary(story_of(wired, SAME), "en").text
    # Every report of the agency opens with it; the reader learns nothing from it.
    assert text.startswith("A volcano erupted near Grindavik on Monday.")
    assert "Reuters" not in text


def test_the_second_sentence_says_what_the_other_reports_say_not_an_aside() -> None:
    first = article(
        "f",
        "Volcano erupts near Grindavik",
        "A volcano erupted near Grindavik on Monday. "
        "A bakery on the harbour had reopened after a renovation last spring.",
        "Daily",
        0,
    )
    others = [
        article(
            f"o{i}",
            "Grindavik evacuated as lava flows",
            f"Lava flowed toward the evacuated fishing town, where {n} residents left their homes. "
            "Police closed the roads.",
            f"Wire{i}",
            i + 1,
        )
        for i, n in enumerate(("3,700", "about 3,700", "nearly 4,000"))
    ]
    text = story_summary(story_of(first, *others), "en").text
    assert text.startswith("A volcano erupted near Grindavik on Monday.")
    assert "Lava flowed toward the evacuated fishing town" in text
    assert "bakery" not in text


def test_a_second_sentence_that_would_be_cut_to_a_stub_is_left_out() -> None:
    long_lead = (
        "A volcano erupted near the fishing town of Grindavik on Monday evening, sending "
        "fountains of lava into the sky and forcing the authorities to evacuate about 3,700 "
        "residents, close the Blue Lagoon spa and shut the roads around the Reykjanes "
        "peninsula while scientists watched the fissure grow by the hour."
    )
    more = "Lava flowed toward the harbour all night long, the coast guard said."
    lone = article("l", "Volcano erupts near Grindavik", f"{long_lead} {more}", "D", 0)
    text = story_summary(story_of(lone, SAME), "en").text
    # Room for fewer than 40 characters of any second sentence: "Lava flowed…" says nothing.
    assert len(long_lead) + 1 + 40 > MAX_CHARS
    assert text == long_lead


def test_a_lead_cut_mid_sentence_reads_as_cut() -> None:
    """A feed's description that stops mid-sentence does not run on into the next report."""
    cut = article(
        "cut",
        "Delta, pilots OK deal",
        "Union officials representing 7,500 pilots at Delta Air Lines said they have reached a "
        "cost-cutting agreement with management, which could halt, or at least,",
        "Wire",
        0,
    )
    whole = article(
        "whole",
        "Delta pilots approve concessions deal",
        "The leadership of Delta Air Lines' pilot union approved a tentative agreement. "
        "The deal still needs a vote of the pilots.",
        "Paper",
        1,
    )
    text = story_summary(story_of(cut, whole), "en").text
    assert "or at least…" in text
    assert "or at least The" not in text


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.text(min_size=0, max_size=700), min_size=1, max_size=4),
    st.sampled_from(["en", "ru", "zh"]),
)
def test_any_story_summary_fits_the_budget_and_is_two_sentences_at_most(
    bodies: list[str], lang: str
) -> None:
    articles = [
        article(f"a{i}", body[:60], body, f"S{i}", i, lang) for i, body in enumerate(bodies)
    ]
    summary = summarize_story(articles, "en")
    assert len(summary.text) <= MAX_CHARS
    assert summary.lang in {"en", lang}
