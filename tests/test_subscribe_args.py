"""/subscribe's arguments and the zones it reads: times and zones before or after the topic,
names and abbreviations, what a wrong one is told."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.digests.args import ABBREVIATIONS, abbreviated, find_zone, parse_subscribe, suggest_zone
from bot.i18n import Translator


def test_zone_names_are_found_case_insensitively_with_suggestions() -> None:
    assert find_zone("europe/berlin") == "Europe/Berlin"
    assert find_zone("Mars/Olympus") is None
    assert suggest_zone("Europe/Berln") == "Europe/Berlin"
    assert suggest_zone("Kolkata") == "Asia/Kolkata"
    assert parse_subscribe(["AC/DC", "tour"], Translator.english()).topic == "AC/DC tour"


def test_each_named_abbreviation_is_what_tzdata_calls_its_zone() -> None:
    for abbreviation, zone in ABBREVIATIONS.items():
        assert zone in abbreviated()[abbreviation], abbreviation
    assert find_zone("msk") == "Europe/Moscow"
    assert suggest_zone("JST") in (None, "Asia/Tokyo", "Japan")  # never "EST", a near name


@given(st.lists(st.text(max_size=15), max_size=6))
def test_parse_subscribe_is_total(args: list[str]) -> None:
    parsed = parse_subscribe(args, Translator.english())
    assert parsed.problem is not None or len(parsed.topic) <= 100
    if parsed.hhmm is not None:
        assert 0 <= parsed.hhmm[0] < 24 and 0 <= parsed.hhmm[1] < 60


@pytest.mark.parametrize(
    ("text", "hhmm", "zone", "topic"),
    [
        ("9 нефть", None, None, "9 нефть"),  # a bare number starts the topic: "9 11 memorial"
        ("50 cent", None, None, "50 cent"),
        ("Europe/Moscow 5 G", None, "Europe/Moscow", "5 G"),
        ("Europe/Paris 10:00 нефть", (10, 0), "Europe/Paris", "нефть"),
        ("10:00 Europe/Paris нефть", (10, 0), "Europe/Paris", "нефть"),
        ("07:30 MSK", (7, 30), "Europe/Moscow", ""),
        ("MSK 7:00 oil", (7, 0), "Europe/Moscow", "oil"),
        ("wet weather", None, None, "wet weather"),  # an abbreviation only in capitals
        ("2024 election", None, None, "2024 election"),
        ("08:00 50 cent", (8, 0), None, "50 cent"),  # the topic starts after time and zone
    ],
)
def test_subscribe_reads_a_leading_time_and_zone_in_either_order(
    text: str, hhmm: tuple[int, int] | None, zone: str | None, topic: str
) -> None:
    parsed = parse_subscribe(text.split(), Translator.english())
    assert (parsed.hhmm, parsed.zone, parsed.topic, parsed.problem) == (hhmm, zone, topic, None)


@pytest.mark.parametrize(
    ("text", "hhmm", "zone", "topic"),
    [
        # Written after the topic, as people say it: "sport 09:00" was a topic at 08:00.
        ("спорт 09:00", (9, 0), None, "спорт"),
        ("sport Europe/Berlin", None, "Europe/Berlin", "sport"),
        ("climate policy 7:30 MSK", (7, 30), "Europe/Moscow", "climate policy"),
        ("oil Europe/Paris 10:00", (10, 0), "Europe/Paris", "oil"),
        ("09:00 sport 10:00", (9, 0), None, "sport 10:00"),  # a time given first is the time
        ("chelsea 2:1", None, None, "chelsea 2:1"),  # a score: minutes are two digits
        ("ios 17.10", None, None, "ios 17.10"),  # a version: only a colon ends a topic as time
        ("AC/DC", None, None, "AC/DC"),
    ],
)
def test_subscribe_reads_a_time_and_zone_after_the_topic_too(
    text: str, hhmm: tuple[int, int] | None, zone: str | None, topic: str
) -> None:
    parsed = parse_subscribe(text.split(), Translator.english())
    assert (parsed.hhmm, parsed.zone, parsed.topic, parsed.problem) == (hhmm, zone, topic, None)


def test_a_wrong_time_or_offset_after_the_topic_says_what_is_wrong() -> None:
    english = Translator.english()
    problem = parse_subscribe(["sport", "25:00"], english).problem
    assert problem == "“25:00”: the hour must be from 00 to 23. Use HH:MM, e.g. 07:30."
    problem = parse_subscribe(["sport", "UTC+3"], english).problem
    assert problem is not None and problem.startswith("“UTC+3” is a UTC offset")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("25:00 oil", "“25:00”: the hour must be from 00 to 23. Use HH:MM, e.g. 07:30."),
        ("Europe/Paris 7:61", "“7:61”: the minutes must be from 00 to 59. Use HH:MM, e.g. 07:30."),
        ("7:5 oil", "“7:5” is not a time. Use HH:MM, e.g. 07:30."),
    ],
)
def test_a_time_that_is_none_says_which_part_is_wrong(text: str, problem: str) -> None:
    assert parse_subscribe(text.split(), Translator.english()).problem == problem


_topic_words = st.lists(
    st.text("abcxyzнефть", min_size=1, max_size=8).filter(lambda w: w not in ("utc", "gmt")),
    max_size=4,
)


@given(
    st.integers(0, 23),
    st.integers(0, 59),
    st.sampled_from(["{h}:{m:02d}", "{h:02d}:{m:02d}", "{h}.{m:02d}"]),
    st.sampled_from([*sorted(ABBREVIATIONS), "Europe/Paris", "utc", "asia/tokyo"]),
    _topic_words,
    st.booleans(),
)
def test_time_and_zone_are_read_in_either_order_before_any_topic(
    hour: int, minute: int, form: str, zone: str, topic: list[str], zone_first: bool
) -> None:
    time_word = form.format(h=hour, m=minute)
    lead = [zone, time_word] if zone_first else [time_word, zone]
    parsed = parse_subscribe([*lead, *topic], Translator.english())
    assert (parsed.hhmm, parsed.zone) == ((hour, minute), find_zone(zone))
    assert parsed.topic == " ".join(topic) and parsed.problem is None
