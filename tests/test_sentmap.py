"""The packed sent-stories map: every map round-trips through its stored form, small and in order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.digests.records import MAX_SENT
from bot.digests.sentmap import SentMap

_story = st.from_regex(r"s[0-9a-f]{10}", fullmatch=True)


@given(st.lists(st.tuples(_story, st.integers(0, 255)), max_size=40))
def test_story_ids_round_trip_in_order(pairs: list[tuple[str, int]]) -> None:
    expected = dict(pairs)
    sent = SentMap(expected.items())
    again = SentMap.from_doc(sent.to_doc())
    assert list(again.items()) == list(expected.items()) and len(again) == len(expected)
    assert again == expected and sent == again


@given(st.dictionaries(st.text(), st.integers(-(2**40), 2**40), max_size=20))
def test_any_id_and_count_round_trip(value: dict[str, int]) -> None:
    again = SentMap.from_doc(SentMap(value.items()).to_doc())
    assert list(again.items()) == list(value.items())
    assert {k: again[k] for k in value} == value


def test_an_older_versions_dict_is_read_and_junk_is_skipped() -> None:
    assert dict(SentMap.from_doc({"s0123456789": 4, "bad": "x"})) == {"s0123456789": 4}
    assert dict(SentMap.from_doc("not hex!")) == {} and dict(SentMap.from_doc(None)) == {}
    assert dict(SentMap.from_doc("02ff")) == {}  # not a form this version writes


def test_a_full_map_is_packed_small() -> None:
    full = SentMap((f"s{n:010x}", n % 200) for n in range(MAX_SENT))
    assert len(full.to_doc()) == 2 * (1 + 6 * MAX_SENT)  # 6 bytes a story, in hex
    assert len(full) == MAX_SENT and full["s0000000007"] == 7
