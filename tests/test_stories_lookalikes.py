"""Reports that look alike but tell different events stay apart; a reprint joins its original."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.stories import EngineSettings, StoryEngine, StoryItem
from tests.storykit import QUAKE, RATES, T0, assign_all, item


def _longhorn_then_drift() -> list[StoryItem]:
    """Return one event in four reports, then an ongoing topic drifting away from it, hourly."""
    texts = [
        (
            "Microsoft delays Windows Longhorn to 2006",
            "Microsoft said Longhorn, the next version "
            "of Windows, will ship in 2006 without the WinFS storage system.",
        ),
        (
            "Longhorn will ship without WinFS, Microsoft says",
            "Microsoft cut the WinFS storage "
            "system from Windows Longhorn so the system can ship in 2006.",
        ),
        (
            "Microsoft cuts WinFS to get Longhorn out in 2006",
            "Windows Longhorn loses WinFS: Microsoft wants the next Windows out in 2006.",
        ),
        (
            "No WinFS in Longhorn, Microsoft confirms",
            "Microsoft confirmed that Windows Longhorn will not have WinFS when it ships in 2006.",
        ),
        (
            "Microsoft Windows XP update ships with security fixes",
            "Microsoft began shipping the "
            "Windows XP security update to home users; Longhorn work continues.",
        ),
        (
            "Security update for Windows XP blocked by firms",
            "Companies blocked the Windows XP "
            "security update, fearing it would break their software.",
        ),
        (
            "Firms block software update over security fears",
            "Companies blocked the software "
            "update from their networks over security fears about spam filters.",
        ),
        (
            "Spam filters fail companies, security firms say",
            "Security firms said spam filters at "
            "companies failed to stop a wave of spam this week.",
        ),
    ]
    return [item(f"ms-{n}", title, body, n) for n, (title, body) in enumerate(texts)]


def test_an_ongoing_topics_events_do_not_chain_into_one_story() -> None:
    stream = _longhorn_then_drift()
    ids = assign_all(StoryEngine(), stream)
    assert len(set(ids[:4])) == 1  # the Longhorn event is one story
    assert ids[-1] != ids[0]  # spam filters at companies are not the Longhorn story
    # Without the seed link each report is close enough to the growing centroid: one chain.
    chained = assign_all(StoryEngine(EngineSettings(link=0.0)), stream)
    assert len(set(chained)) == 1


# Reuters-21578's results tables: one form, four companies.
RESULTS = [
    (
        "MUSICLAND GROUP INC <TMG> 3RD QTR NET",
        "Shr 28 cts vs 14 cts\nNet 3,110,000 vs 1,286,000\nRevs 112.7 mln vs 93.8 mln\n"
        "Avg shrs 11.2 mln vs 9,148,000\nNine mths\nShr 58 cts vs 15 cts\n"
        "Net 6,377,000 vs 1,332,000\nRevs 307.8 mln vs 233.8 mln",
    ),
    (
        "NALCO CHEMICAL CORP <NLC> 3RD QTR NET",
        "Shr 51 cts vs 42 cts\nNet 20.3 mln vs 16.7 mln\nSales 216.9 mln vs 184.5 mln\n"
        "Nine mths\nShr 1.47 dlrs vs 1.21 dlrs\nNet 58.2 mln vs 47.6 mln\n"
        "Sales 611.2 mln vs 547.0 mln",
    ),
    (
        "STEPAN CO <SCL> 3RD QTR NET",
        "Shr 87 cts vs 62 cts\nNet 2,604,000 vs 1,856,000\nSales 72.7 mln vs 64.6 mln\n"
        "Nine mths\nShr 2.71 dlrs vs 1.97 dlrs\nNet 8,121,000 vs 5,834,000\n"
        "Sales 215.7 mln vs 193.0 mln",
    ),
    (
        "CONVERGENT INC <CVGT.O> 3RD QTR NET",
        "Shr profit four cts vs loss 56 cts\nNet profit 2,043,000 vs loss 25.7 mln\n"
        "Revs 111.3 mln vs 64.7 mln\nAvg shrs 48.3 mln vs 45.8 mln\nNine mths\n"
        "Shr loss 18 cts vs loss 63 cts\nNet loss 8,695,000 vs loss 23.1 mln",
    ),
]


def test_tables_of_one_form_about_different_companies_stay_apart() -> None:
    tables = [item(f"t{n}", *text, n / 6, "Reuters") for n, text in enumerate(RESULTS)]
    # Without the guard the form's words carry them all into one "story".
    merged = assign_all(StoryEngine(EngineSettings(table_share=0, own_names=0)), tables)
    assert len(set(merged)) == 1
    engine = StoryEngine()
    stories = assign_all(engine, tables)
    assert len(set(stories)) == len(RESULTS)
    # A report written about one company's results joins its table's story.
    prose = item(
        "ap-1",
        "Musicland Group third-quarter profit more than doubles",
        "Musicland Group Inc said its third-quarter net profit rose to 28 cts a share from 14 "
        "cts, on revenues of 112.7 mln dlrs, as its record stores sold more compact discs.",
        1,
        "AP",
    )
    assert engine.assign(prose) == stories[0]


# Reuters-21578's dividend notices: one wire's form, four companies, too few figures for a table.
NOTICES = [
    (
        "FIRST MISSISSIPPI CORP <FRM> SETS PAYOUT",
        "Qtly div six cts vs six cts prior\n Pay April 28\n Record March 31",
    ),
    (
        "JIM WALTER CORP <JWC> SETS PAYOUT",
        "Qtly div 35 cts vs 35 cts prior\n Pay April One\n Record March 14",
    ),
    (
        "EMHART CORP <EMH> QTLY DIVIDEND",
        "Qtly div 35 cts vs 35 cts prior\n Payable March 31\n Record March nine",
    ),
    (
        "SYSTEMATICS INC <SYST> REGULAR PAYOUT",
        "Qtly div three cts vs three cts prior\n Pay March 13\n Record February 27",
    ),
]


def test_one_outlets_notices_about_different_companies_stay_apart() -> None:
    notices = [item(f"n{n}", *text, n / 6, "Reuters") for n, text in enumerate(NOTICES)]
    # Without the guard the wire's style carries them all into one "story".
    merged = assign_all(StoryEngine(EngineSettings(own_names=0)), notices)
    assert len(set(merged)) == 1
    engine = StoryEngine()
    assert len(set(assign_all(engine, notices))) == len(NOTICES)
    # The same wire's updates on one event name the same company: they still join.
    first, update = (
        item(
            f"r{n}",
            title,
            f"{body} Texaco Inc said on Sunday it had filed for protection from its creditors "
            "under Chapter 11 after a Texas court upheld a 10.3 billion dlr judgment won by "
            "Pennzoil Co.",
            2 + n,
            "Reuters",
        )
        for n, (title, body) in enumerate(
            [
                ("TEXACO FILES FOR CHAPTER 11 BANKRUPTCY", "Texaco Inc filed for bankruptcy."),
                (
                    "TEXACO SEES BUSINESS LITTLE HIT BY BANKRUPTCY MOVE",
                    "Texaco Inc said its operations would go on as usual.",
                ),
            ]
        )
    )
    assert engine.assign(update) == engine.assign(first)


def test_a_reprinted_body_under_a_new_headline_joins_its_original_without_scoring() -> None:
    # A threshold no two texts clear: only the exact-body path can join.
    engine = StoryEngine(EngineSettings(threshold=0.99, link=0.99))
    body = " ".join([QUAKE[0].body] * 2)  # long enough to be a report, not a teaser line
    original = engine.assign(item("wire-1", QUAKE[0].title, body, 0, "Wire"))
    engine.assign(RATES)
    reprint = item("paper-1", "Tremor off the coast: what we know", body, 3, "Paper")
    assert engine.assign(reprint) == original
    edited = item("paper-2", QUAKE[0].title, f"{QUAKE[0].body} {QUAKE[1].body}", 4, "Paper")
    assert engine.assign(edited) != original
    teaser = item("paper-3", "Photo", "Photo", 5, "Paper")
    assert engine.assign(item("paper-4", "Photo", "Photo", 6, "Paper")) != engine.assign(teaser)


def _made_up(count: int, mark: str) -> str:
    """Return `count` made-up words ending in mark (letters only: digits make number keys)."""
    return " ".join(
        "zq" + "".join("bcdfghjklm"[int(d)] for d in str(n)) + mark for n in range(count)
    )


@pytest.mark.parametrize(("common", "own"), [(2, 18), (6, 60)])
def test_long_texts_in_one_language_need_more_overlap_than_short_ones(
    common: int, own: int
) -> None:
    # The same share of weight in common (a cosine near 0.22): enough for two snippets, not for
    # two long articles in one language (they share a topic's words by chance), enough again
    # across languages, where only names and numbers can meet.
    settings = EngineSettings(threshold=0.15, link=0.0, length_ref=20)
    long = common + own > 20

    def joined(settings: EngineSettings, second_lang: str) -> bool:
        engine = StoryEngine(settings)
        first = engine.assign(
            StoryItem("a", _made_up(common, "x"), _made_up(own, "a"), T0, lang="en")
        )
        later = T0 + timedelta(hours=1)
        second = StoryItem("b", _made_up(common, "x"), _made_up(own, "b"), later, lang=second_lang)
        return engine.assign(second) == first

    assert joined(settings, "en") is not long
    assert joined(settings, "ru")  # Latin made-up words: the Russian stemmer leaves them alone
    assert joined(replace(settings, length_ref=0), "en")  # without the length rule: joined
