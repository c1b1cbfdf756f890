"""The engine's errors on the dev sets, to read before changing a rule: which articles it mixed.

`python -m benchmarks.story_errors` runs the engine with its defaults on the whole dev sets
and prints:
- every mmds_dev story holding same-language articles of different gold events, its members
  with their gold event, language (`story_sets.rough_lang`) and headline;
- every Russian pair the engine decides wrongly: joined though only the topic is shared, or
  apart though the event is one, with both headlines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from benchmarks.common import table
from benchmarks.story_sets import (
    RuPair,
    load_ru_pairs,
    load_set,
    rough_lang,
    ru_pairs_joined,
    run_engine,
    to_items,
)
from bot.stories import EngineSettings


def mixed_stories(records: Sequence[dict[str, Any]], labels: Sequence[str]) -> str:
    """Return the stories whose same-language members belong to different gold events."""
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record, label in zip(records, labels, strict=True):
        members[label].append(record)
    rows = []
    for label, group in members.items():
        by_lang: dict[str, set[str]] = defaultdict(set)
        for r in group:
            by_lang[rough_lang(r["title"], r["body"])].add(r["story"])
        if any(len(golds) > 1 for golds in by_lang.values()):
            rows += [
                [label, r["story"], rough_lang(r["title"], r["body"]), r["title"][:70]]
                for r in group
            ]
    if not rows:
        return "no story mixes same-language articles of different gold events"
    return table(["story", "gold event", "lang", "headline"], rows)


def wrong_pairs(pairs: Sequence[RuPair], joined: Sequence[bool]) -> str:
    """Return the Russian pairs the engine joined or parted wrongly."""
    rows = [
        [
            pair.key,
            "joined, topic only" if together else "apart, one event",
            pair.first[0][:60],
            pair.second[0][:60],
        ]
        for pair, together in zip(pairs, joined, strict=True)
        if together != pair.same
    ]
    if not rows:
        return "every Russian pair decided right"
    return table(["pair", "error", "first headline", "second headline"], rows)


def main() -> None:
    """Print the mixed mmds stories and the wrong Russian pairs of the default settings."""
    settings = EngineSettings()
    mmds = load_set("mmds_dev")
    print("### mmds_dev stories mixing same-language articles of different events\n")
    print(mixed_stories(mmds, run_engine(to_items(mmds), settings)) + "\n", flush=True)
    pairs = load_ru_pairs()
    print("### ru_pairs_dev pairs decided wrongly\n")
    print(wrong_pairs(pairs, ru_pairs_joined(pairs, settings)), flush=True)


if __name__ == "__main__":
    main()
