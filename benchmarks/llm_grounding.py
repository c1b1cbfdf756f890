"""The grounding check of model briefs, measured without a model (issue 23).

Each event's reference summary of `stories/mmds_dev_summaries.jsonl` (written by GPT-4o from the
event's articles) plays the model's answer, every sentence citing all the event's articles:
- kept: the share of those sentences the check keeps (target ≥ 0.85);
- corrupted: each sentence with a number or a name/place has one swapped for one of another
  event's summary that none of this event's articles mentions; the share rejected (≥ 0.95);
- off-story: the sentences of the next event's summary cited against this event's articles;
  the share rejected (no target: it is what the content-word share is for).

A name here is a capitalised word past a sentence's first whose lower-case form never occurs in
lower case in any summary: defined apart from the check's own name rule. The one setting,
`min_share` (content words a sentence must share with its sources), is chosen by 5-fold
cross-validation over events (maximise kept + off-story rejected on four folds, report the
fifth); in-fold and out-of-fold figures are printed side by side.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from benchmarks.common import SHARED_DATA, iter_jsonl
from bot.briefs.grounding import MIN_SHARE, Evidence, evidence, unsupported
from bot.models import Article
from bot.summarize import split_sentences

DATA = SHARED_DATA / "stories" / "mmds_dev_summaries.jsonl"
GRID = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
FOLDS = 5
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")
_CAPS = re.compile(r"\b[A-Z][a-zA-Z'-]+")
# Months and weekdays are capitalised but name no person or place.
_CALENDAR_WORDS = """january february march april may june july august september october november
december monday tuesday wednesday thursday friday saturday sunday"""
_CALENDAR = set(_CALENDAR_WORDS.split())


@dataclass(frozen=True)
class Event:
    """One event: its articles' evidence and raw text, and its summary's sentences."""

    number: int
    found: Evidence
    text: str  # the articles' raw text, lower-cased, to pick swaps they do not mention
    sentences: list[str]


def load() -> list[Event]:
    """Return the dev events."""
    events = []
    for row in iter_jsonl(DATA):
        articles = [_article(a) for a in row["articles"]]
        # What the articles support by their dates too: a swap to one of these is no error.
        days = {f"{a.published.year} {a.published.month} {a.published.day}" for a in articles}
        text = " ".join([*(f"{a.title} {a.body}" for a in articles), *days]).lower()
        sentences = split_sentences(row["reference"], "en")
        events.append(Event(row["event"], evidence(articles), text, sentences))
    return events


def _article(raw: dict[str, str]) -> Article:
    published = datetime.fromisoformat(raw["published"]).astimezone(UTC)
    return Article(
        id=raw["id"],
        title=raw["title"],
        body=raw["body"],
        published=published,
        added=published,
        lang=raw["lang"],
    )


def names_and_numbers(events: list[Event]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Return each event's swappable names and numbers, by the benchmark's own definition."""
    lower = {w for e in events for s in e.sentences for w in re.findall(r"\b[a-z][a-z'-]+", s)}
    names: dict[int, list[str]] = {}
    numbers: dict[int, list[str]] = {}
    for e in events:
        found = [w for s in e.sentences for w in _CAPS.findall(s.split(" ", 1)[-1])]
        names[e.number] = sorted({w for w in found if w.lower() not in lower | _CALENDAR})
        numbers[e.number] = sorted({n for s in e.sentences for n in _NUMBER.findall(s)})
    return names, numbers


def corrupt(events: list[Event]) -> dict[int, list[tuple[str, str]]]:
    """Return each event's corrupted sentences: one number and one name swapped where present."""
    names, numbers = names_and_numbers(events)
    out: dict[int, list[tuple[str, str]]] = {}
    for e in events:
        rng = random.Random(e.number)
        foreign_names = _fresh([n for o in events if o is not e for n in names[o.number]], e.text)
        foreign_numbers = _fresh(
            [n for o in events if o is not e for n in numbers[o.number]], e.text
        )
        out[e.number] = []
        for sentence in e.sentences:
            for kind, own, foreign in (
                ("number", numbers[e.number], foreign_numbers),
                ("name", names[e.number], foreign_names),
            ):
                swapped = _swap(sentence, own, foreign, rng)
                if swapped:
                    out[e.number].append((kind, swapped))
    return out


def _fresh(words: list[str], text: str) -> list[str]:
    """Return the words the (lower-cased) text never mentions, in order, once each."""
    mentioned = set(re.findall(r"\w+(?:[.,]\d+)*", text))
    return sorted({w for w in words if w.lower() not in mentioned})


def _swap(sentence: str, own: list[str], fresh: list[str], rng: random.Random) -> str:
    """Return the sentence with one of its own tokens replaced by an unmentioned foreign one."""
    present = [w for w in own if re.search(rf"(?<![\w.,]){re.escape(w)}(?![\w])", sentence)]
    if not present or not fresh:
        return ""
    old, new = rng.choice(present), rng.choice(fresh)
    return re.sub(rf"(?<![\w.,]){re.escape(old)}(?![\w])", new, sentence, count=1)


Bad = dict[int, list[tuple[str, str]]]


def score(
    events: list[Event], bad: Bad, share: float, kind: str = ""
) -> tuple[float, float, float]:
    """Return (kept, corrupted rejected, off-story rejected) over the events at a setting."""
    kept = total = rejected = swaps = foreign_out = foreign = 0
    for i, e in enumerate(events):
        for s in e.sentences:
            total += 1
            kept += not unsupported(s, "en", e.found, share)
        for k, s in bad[e.number]:
            if kind and k != kind:
                continue
            swaps += 1
            rejected += bool(unsupported(s, "en", e.found, share))
        other = events[(i + 1) % len(events)]
        for s in other.sentences:
            foreign += 1
            foreign_out += bool(unsupported(s, "en", e.found, share))
    return kept / total, rejected / max(swaps, 1), foreign_out / max(foreign, 1)


def cross_validate(events: list[Event], bad: Bad) -> str:
    """Return the in-fold and out-of-fold table of min_share chosen on the other folds."""
    lines = [
        "| fold | min_share | in-fold kept / corrupted rejected / off-story rejected | out-of-fold |",
        "| --- | --- | --- | --- |",
    ]
    inside, outside = [], []
    for k in range(FOLDS):
        train = [e for e in events if e.number % FOLDS != k]
        test = [e for e in events if e.number % FOLDS == k]
        best = max(GRID, key=lambda g: _objective(score(train, bad, g)))
        inside.append(score(train, bad, best))
        outside.append(score(test, bad, best))
        lines.append(f"| {k} | {best} | {_fmt(inside[-1])} | {_fmt(outside[-1])} |")
    lines.append(f"| mean | | {_fmt(_mean(inside))} | {_fmt(_mean(outside))} |")
    return "\n".join(lines)


def _mean(rows: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    kept, rejected, off_story = (sum(column) / len(rows) for column in zip(*rows, strict=True))
    return kept, rejected, off_story


def _objective(figures: tuple[float, float, float]) -> float:
    kept, _, off_story = figures
    return kept + off_story


def _fmt(figures: tuple[float, float, float]) -> str:
    return " / ".join(f"{f:.3f}" for f in figures)


def main() -> None:
    """Print the grounding table."""
    events = load()
    bad = corrupt(events)
    sentences = sum(len(e.sentences) for e in events)
    corrupted = sum(len(v) for v in bad.values())
    kinds = {
        k: sum(1 for v in bad.values() for kind, _ in v if kind == k) for k in ("number", "name")
    }
    start = time.perf_counter()
    kept, rejected, off_story = score(events, bad, MIN_SHARE)
    ms = (time.perf_counter() - start) * 1000 / (sentences + corrupted + sentences)
    print(f"{len(events)} events, {sentences} summary sentences, {corrupted} corrupted\n")
    print(f"| what | check (min_share {MIN_SHARE}) | target |")
    print("| --- | --- | --- |")
    print(f"| summary sentences kept | {kept:.3f} | ≥ 0.85 |")
    print(f"| corrupted sentences rejected (number or name swapped) | {rejected:.3f} | ≥ 0.95 |")
    for kind, count in kinds.items():
        kind_rejected = score(events, bad, MIN_SHARE, kind)[1]
        print(f"| … of them, a {kind} swapped ({count}) | {kind_rejected:.3f} | — |")
    print(f"| off-story sentences rejected | {off_story:.3f} | — |")
    print(f"| check time per sentence (mean) | {ms:.2f} ms | — |\n")
    print("sweep over all events (kept / corrupted rejected / off-story rejected):")
    for g in GRID:
        print(f"  min_share {g}: {_fmt(score(events, bad, g))}")
    print()
    print(cross_validate(events, bad))


if __name__ == "__main__":
    main()
