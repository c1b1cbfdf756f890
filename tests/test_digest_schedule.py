"""Schedule arithmetic: digests fall due at the chosen wall time in every zone, DST included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.digests.schedule import (
    Slot,
    TimeWordError,
    catch_up_due,
    is_delivered,
    read_time,
)

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_new_york_0730_stays_at_0730_local_across_spring_forward() -> None:
    slot = Slot(7, 30, NY)
    sat = slot.next_due(utc(2026, 3, 7, 0, 0))
    sun = slot.next_due(sat)
    mon = slot.next_due(sun)
    assert sat == utc(2026, 3, 7, 12, 30)  # EST, UTC-5
    assert sun == utc(2026, 3, 8, 11, 30)  # EDT, UTC-4: 23 hours later
    assert sun - sat == timedelta(hours=23)
    assert mon - sun == timedelta(hours=24)
    assert {d.astimezone(NY).strftime("%H:%M") for d in (sat, sun, mon)} == {"07:30"}


def test_new_york_fall_back_day_is_25_hours_long() -> None:
    slot = Slot(7, 30, NY)
    sat = slot.next_due(utc(2026, 10, 31, 0, 0))
    sun = slot.next_due(sat)
    assert sat == utc(2026, 10, 31, 11, 30)
    assert sun == utc(2026, 11, 1, 12, 30)
    assert sun - sat == timedelta(hours=25)


def test_nonexistent_wall_time_falls_due_after_the_gap() -> None:
    # 02:30 does not exist in New York on 2026-03-08: the digest comes at 03:30 EDT.
    due = Slot(2, 30, NY).next_due(utc(2026, 3, 8, 0, 0))
    assert due == utc(2026, 3, 8, 7, 30)
    assert due.astimezone(NY).strftime("%H:%M") == "03:30"


def test_ambiguous_wall_time_falls_due_once_at_first_occurrence() -> None:
    # 01:30 happens twice in New York on 2026-11-01; deliver at the first (EDT) one only.
    slot = Slot(1, 30, NY)
    first = slot.next_due(utc(2026, 11, 1, 0, 0))
    assert first == utc(2026, 11, 1, 5, 30)
    assert slot.next_due(first) == utc(2026, 11, 2, 6, 30)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (utc(2026, 3, 28, 12), [utc(2026, 3, 29, 6), utc(2026, 3, 30, 6)]),  # spring: CET->CEST
        (utc(2026, 10, 24, 12), [utc(2026, 10, 25, 7), utc(2026, 10, 26, 7)]),  # fall
    ],
)
def test_berlin_0800_across_changes(start: datetime, expected: list[datetime]) -> None:
    slot = Slot(8, 0, BERLIN)
    first = slot.next_due(start)
    assert [first, slot.next_due(first)] == expected
    assert first.astimezone(BERLIN).hour == 8


def test_berlin_0230_on_spring_day_comes_at_0330() -> None:
    due = Slot(2, 30, BERLIN).next_due(utc(2026, 3, 29, 0, 0))
    assert due == utc(2026, 3, 29, 1, 30)
    assert due.astimezone(BERLIN).strftime("%H:%M") == "03:30"


def test_kolkata_half_hour_offset() -> None:
    slot = Slot(8, 0, KOLKATA)
    due = slot.next_due(utc(2026, 6, 1, 0, 0))
    assert due == utc(2026, 6, 1, 2, 30)
    assert slot.next_due(due) - due == timedelta(days=1)


def test_next_due_is_strictly_after_and_latest_due_is_at_or_before() -> None:
    slot = Slot(7, 0, ZoneInfo("UTC"))
    at = utc(2026, 1, 5, 7, 0)
    assert slot.next_due(at) == utc(2026, 1, 6, 7, 0)
    assert slot.latest_due(at) == at
    assert slot.latest_due(at - timedelta(seconds=1)) == utc(2026, 1, 4, 7, 0)


def test_restart_within_grace_catches_up_once() -> None:
    slot = Slot(7, 30, BERLIN)
    created = utc(2026, 1, 1, 0, 0)
    missed = utc(2026, 1, 10, 6, 30)  # 07:30 CET
    now = missed + timedelta(hours=2)
    assert catch_up_due(slot, now, last_due=None, created=created) == missed
    # Delivered at start: a second restart the same morning sends nothing again.
    assert catch_up_due(slot, now + timedelta(minutes=5), last_due=missed, created=created) is None
    assert is_delivered(missed, missed)


def test_restart_after_grace_skips_the_missed_digest() -> None:
    slot = Slot(7, 30, BERLIN)
    missed = utc(2026, 1, 10, 6, 30)
    late = missed + timedelta(hours=6, seconds=1)
    assert catch_up_due(slot, late, last_due=None, created=utc(2026, 1, 1)) is None
    custom = catch_up_due(
        slot, late, last_due=None, created=utc(2026, 1, 1), grace=timedelta(hours=12)
    )
    assert custom == missed


def test_subscription_created_after_due_does_not_catch_up() -> None:
    slot = Slot(7, 30, ZoneInfo("UTC"))
    now = utc(2026, 1, 10, 8, 0)
    assert catch_up_due(slot, now, last_due=None, created=utc(2026, 1, 10, 7, 45)) is None


def test_yesterdays_delivery_does_not_hide_todays_missed_digest() -> None:
    slot = Slot(7, 30, ZoneInfo("UTC"))
    now = utc(2026, 1, 10, 9, 0)
    got = catch_up_due(slot, now, last_due=utc(2026, 1, 9, 7, 30), created=utc(2026, 1, 1))
    assert got == utc(2026, 1, 10, 7, 30)


@pytest.mark.parametrize(
    ("text", "hhmm"), [("7:30", (7, 30)), (" 23:59 ", (23, 59)), ("7.30", (7, 30)), ("9", (9, 0))]
)
def test_read_time_takes_hh_mm_and_a_bare_hour(text: str, hhmm: tuple[int, int]) -> None:
    assert read_time(text) == hhmm


@pytest.mark.parametrize(
    ("text", "part"),
    [("24:00", "hour"), ("25", "hour"), ("07:60", "minute"), ("7:5", "form"), ("7:300", "form")],
)
def test_read_time_says_which_part_of_a_time_is_wrong(text: str, part: str) -> None:
    with pytest.raises(TimeWordError) as caught:
        read_time(text)
    assert caught.value.part == part


@pytest.mark.parametrize("text", ["", "climate", "2024", "-1:30", "٠٧:٣٠", "07:30:00", "ab:cd"])
def test_read_time_leaves_other_words_alone(text: str) -> None:
    assert read_time(text) is None


@given(st.text(max_size=12))
def test_read_time_never_crashes_otherwise(text: str) -> None:
    try:
        got = read_time(text)
    except TimeWordError:
        return
    assert got is None or (0 <= got[0] < 24 and 0 <= got[1] < 60)


ZONES = ["America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]


@given(
    st.sampled_from(ZONES),
    st.integers(0, 23),
    st.integers(0, 59),
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)),
)
def test_consecutive_dues_are_one_local_day_apart(
    zone: str, hour: int, minute: int, naive: datetime
) -> None:
    slot = Slot(hour, minute, ZoneInfo(zone))
    now = naive.replace(tzinfo=UTC)
    first = slot.next_due(now)
    second = slot.next_due(first)
    assert now < first <= now + timedelta(hours=26)
    assert timedelta(hours=22) <= second - first <= timedelta(hours=26)
    local = first.astimezone(slot.zone).date()
    assert second.astimezone(slot.zone).date() == local + timedelta(days=1)
    assert slot.latest_due(first) == first
