"""Following, part by part: the novelty rule, quiet hours and the gap, the store's journal."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.archive.usertables import EmbeddedUserTables
from bot.follows.pacing import gone_quiet, in_quiet, quiet_end, ready_at
from bot.follows.quiet_args import QuietArgs, parse_quiet
from bot.follows.records import DEFAULT_QUIET, Follow, Quiet
from bot.follows.store import FollowStore
from bot.follows.updates import Ask, find_updates
from bot.i18n import Catalogs, Translator
from bot.models import Article, Development, told_to
from bot.render.html import MESSAGE_LIMIT, visible_length
from bot.render.timeline import follow_update, timeline
from bot.stories.facts import DevelopmentCache, Ledger

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
UTCZ = ZoneInfo("UTC")


def article(
    n: int, body: str, title: str = "Volcano near Grindavik", source: str = "Wire"
) -> Article:
    at = T0 + timedelta(minutes=n)
    return Article(f"a{n}", title, body, at, at, source=source)


LEAD = "A volcano erupted near Grindavik in Iceland on Monday, sending lava toward the town."


def test_a_reprint_and_a_rewording_are_no_news_a_new_fact_is() -> None:
    ledger = Ledger()
    first = ledger.read(article(0, LEAD))
    assert first is not None and first.first and first.facts == (LEAD,)
    assert ledger.read(article(1, LEAD, "Iceland volcano erupts")) is None  # a reprint
    reworded = "On Monday a volcano in Iceland erupted near Grindavik, sending lava to the town."
    assert ledger.read(article(2, reworded)) is None
    news = "Police said 12 homes were destroyed and two people injured."
    found = ledger.read(article(3, f"{LEAD} {news}"))
    assert found is not None and found.facts == (news,)  # only the new sentence
    assert (
        ledger.read(article(4, "Two people were injured and 12 homes destroyed, police said."))
        is None
    )


def test_a_report_retelling_the_story_in_another_language_is_news_to_its_readers_only() -> None:
    # Every word of a translation is new to the story's English ones: without this, an English
    # follower was sent each Russian retelling (71 of the 71 Russian-English dev pairs).
    ledger = Ledger()
    english = "Police said 12 homes near Grindavik were destroyed on Monday."
    ledger.read(replace(article(0, english), lang="en"))
    russian = "Полиция сообщила, что в понедельник возле Гриндавика разрушены 12 домов."
    retold = ledger.read(replace(article(1, russian, "Извержение в Исландии"), lang="ru"))
    assert retold is not None and retold.retold and retold.facts == (russian,)
    assert told_to([retold], "ru") == [retold] and told_to([retold], "en") == []
    german = "Die Polizei meldete 12 zerstörte Häuser. Die Behörden evakuierten 3700 Menschen."
    more = ledger.read(replace(article(2, german), lang="de"))  # 3700: news in any language
    assert more is not None and not more.retold and told_to([more], "en") == [more]
    again = "В понедельник полиция сообщила о 12 разрушенных домах возле Гриндавика."
    assert ledger.read(replace(article(3, again), lang="ru")) is None  # Russian words known now
    news = ledger.read(replace(article(4, "Two people were injured in Grindavik."), lang="en"))
    assert news is not None and not news.retold  # English is no new language: its words tell


def test_a_report_that_stops_mid_sentence_is_told_as_cut() -> None:
    # A feed's description cut short ("… which could halt, or at least"): told bare, it reads
    # as what the report said.
    cut = "Pilots at Delta reached a cost-cutting deal with management, which could halt, or at"
    first = Ledger().read(article(0, cut))
    assert first is not None and first.facts == (cut + "…",)
    six = " ".join(f"Fact {n} of the eruption near Grindavik was told." for n in range(6))
    longer = Ledger().read(article(1, f"{six} The lava reached the"))
    assert longer is not None and not longer.facts[-1].endswith("…")  # only read the lead


def test_the_cache_reads_only_new_members_and_rebuilds_when_one_left() -> None:
    articles = {
        a.id: a for a in [article(0, LEAD), article(1, "Police said 12 homes burned down.")]
    }
    reads: list[str] = []

    def read(article_id: str) -> Article | None:
        reads.append(article_id)
        return articles.get(article_id)

    cache = DevelopmentCache()
    assert len(cache.developments("s1", ["a0"], read)) == 1
    assert len(cache.developments("s1", ["a0", "a1"], read)) == 2
    assert reads == ["a0", "a1"]
    assert len(cache.developments("s1", ["a1"], read)) == 1  # a0 left: start over
    assert reads == ["a0", "a1", "a1"]


class Facts:
    def __init__(self, developments: list[Development]) -> None:
        self._developments = developments

    def developments(self, story_id: str) -> list[Development]:
        return self._developments


def development(n: int, fact: str, first: bool = False) -> Development:
    at = T0 + timedelta(hours=n)
    return Development(f"a{n}", at, at, f"Source{n}", "t", None, (fact,), first)


def test_each_chat_gets_the_developments_after_its_cursor() -> None:
    facts = Facts([development(0, "lead", True), development(1, "one"), development(2, "two")])
    asks = [
        Ask(
            "s1",
            ((1, T0, "en"), (2, T0 + timedelta(hours=1), "en"), (3, T0 + timedelta(hours=2), "en")),
        )
    ]
    found = {f.chat_id: [d.facts[0] for d in f.developments] for f in find_updates(facts, asks)}
    assert found == {1: ["one", "two"], 2: ["two"]}


@given(st.text(max_size=40))
def test_quiet_parsing_never_fails_and_round_trips(text: str) -> None:
    quiet = Quiet.parse(text)
    if quiet is not None:
        assert Quiet.parse(quiet.text) == quiet and quiet.start != quiet.end


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("25:00-01:00", "“25:00”: the hour must be from 00 to 23."),
        ("22:00-7:60", "“7:60”: the minutes must be from 00 to 59."),
        ("08:00-08:00", "The start and the end are both 08:00; give two different times."),
        ("23", "“23” is not two times with a dash between them."),
        ("never", "“never” is not two times with a dash between them."),
    ],
)
def test_quiet_hours_that_are_none_say_which_part_is_wrong(text: str, problem: str) -> None:
    assert parse_quiet(text, Translator.english()) == QuietArgs(None, problem)


@pytest.mark.parametrize(
    ("text", "span"), [("23-7", "23:00–07:00"), ("22:30 — 6.15", "22:30–06:15")]
)
def test_quiet_hours_take_a_bare_hour_and_any_dash(text: str, span: str) -> None:
    hours = parse_quiet(text, Translator.english()).hours
    assert hours is not None and hours.text == span


def test_quiet_off_is_taken_in_english_and_in_the_chats_language() -> None:
    russian = Catalogs().get("ru")
    for text, tr in [("off", russian), ("ВЫКЛ", russian), ("Off", Translator.english())]:
        assert parse_quiet(text, tr) == QuietArgs(None, None)
    assert parse_quiet("выкл", Translator.english()).problem is not None


@given(st.text(max_size=20))
def test_quiet_arguments_are_hours_off_or_a_problem_never_an_error(text: str) -> None:
    parsed = parse_quiet(text, Translator.english())
    assert parsed.hours is None or parsed.problem is None
    if parsed.hours is not None:  # what is set is what the store reads back
        assert Quiet.parse(parsed.hours.text) == parsed.hours
        assert parsed.hours.start != parsed.hours.end


def test_quiet_hours_wrap_midnight_and_end_at_their_end() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    late = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)  # 22:30 in Berlin
    assert in_quiet(late, DEFAULT_QUIET, berlin) and not in_quiet(late, DEFAULT_QUIET, UTCZ)
    assert quiet_end(late, DEFAULT_QUIET, berlin) == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    day = Quiet(time(9, 0), time(17, 0))
    assert in_quiet(T0, day, UTCZ) and not in_quiet(T0, None, UTCZ)


@given(st.integers(0, 24 * 60 * 3), st.integers(0, 600))
def test_an_update_is_never_ready_in_quiet_hours_nor_within_three_hours(
    minutes: int, since_sent: int
) -> None:
    now = T0 + timedelta(minutes=minutes)
    follow = Follow(1, "s", "h", T0, last_sent=now - timedelta(minutes=since_sent))
    at = ready_at(follow, now, DEFAULT_QUIET, UTCZ)
    assert at >= now and at - follow.last_sent >= timedelta(hours=3)  # type: ignore[operator]
    assert not in_quiet(at, DEFAULT_QUIET, UTCZ)


def test_a_follow_goes_quiet_after_seven_days_without_news() -> None:
    follow = Follow(1, "s", "h", T0)
    assert not gone_quiet(follow, T0 + timedelta(days=6, hours=23))
    assert gone_quiet(follow, T0 + timedelta(days=7))
    assert not gone_quiet(follow.told(None, T0, T0 + timedelta(days=5)), T0 + timedelta(days=7))


def test_a_confirmed_update_survives_a_crash(tmp_path: Path) -> None:
    users = EmbeddedUserTables(tmp_path)
    users.initialize()
    store = FollowStore(users, tmp_path)
    store.initialize()
    store.add(Follow(7, "s1", "Volcano", T0, cursor=T0))
    store.mark_told(7, "s1", T0 + timedelta(hours=1), T0 + timedelta(hours=2), T0)
    users.flush_sync()  # no shutdown: as after kill -9
    reopened = EmbeddedUserTables(tmp_path)
    reopened.initialize()
    again = FollowStore(reopened, tmp_path)
    again.initialize()
    follow = again.get(7, "s1")
    assert follow is not None and follow.cursor == T0 + timedelta(hours=1)
    assert follow.last_sent == T0 + timedelta(hours=2)
    assert again.drop_chat(7) == 1 and again.for_chat(7) == []
    users.shutdown()
    reopened.shutdown()


def test_an_update_dates_a_report_of_another_day_in_the_chats_zone_and_language() -> None:
    late = T0.replace(hour=23, minute=30) - timedelta(days=1)  # Mar 1, 23:30 UTC
    told = [Development("a1", late, late, "Wire", "t", None, ("Lava slowed.",), False)]
    english, russian = Translator.english(), Catalogs().get("ru")
    assert follow_update("V", told, UTCZ, english, T0).endswith("Wire · Mar 1, 2026, 23:30</i>")
    ru = follow_update("V", told, UTCZ, russian, T0)
    assert ru.endswith("Wire · 1 мар. 2026\u202fг., 23:30</i>"), ru
    # In Moscow it was 02:30 on the 2nd, the day the update is sent: the time says it all.
    moscow = ZoneInfo("Europe/Moscow")
    assert follow_update("V", told, moscow, english, T0).endswith("Wire · 02:30</i>")


def test_an_update_fits_one_message_and_a_long_timeline_counts_earlier_days() -> None:
    tr = Translator.english()
    many = [development(n, "x" * 400, n == 0) for n in range(60)]
    update = follow_update("Volcano", many[1:], UTCZ, tr, T0)
    assert visible_length(update) <= MESSAGE_LIMIT and "54 earlier reports" in update
    daily = [
        Development(
            f"a{n}",
            T0 + timedelta(days=n),
            T0 + timedelta(days=n),
            "S",
            "t",
            None,
            (f"fact {n}",),
            n == 0,
        )
        for n in range(20)
    ]
    parts = timeline("Volcano", "20 sources", daily, UTCZ, tr, days=5)
    assert "…15 earlier days" in parts[0] and "fact 19" in parts[-1] and "fact 3" not in parts[0]
    ru = Catalogs().get("ru")
    [russian] = timeline("Вулкан", "", daily[:1], UTCZ, ru, days=5)
    assert ru.date(T0) in russian and "Первое сообщение" in russian
