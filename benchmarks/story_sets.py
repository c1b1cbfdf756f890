"""The story dev sets and their protocols: loading, story-wise halves, languages, pair scores.

Each set is run through the engine the way the data README describes it:
- gnews_dev / mmds_dev: every article in file (published) order, one engine per run.
- ru_pairs_dev: per pool, the engine first reads every text of the pairs being scored (dated
  60 days earlier, so those stories have expired when the pairs arrive: only the document
  frequencies stay, "IDF warmed by the pool's own texts"); then each pair's first article,
  its second 30 minutes later, each pair 30 days after the previous one so no story carries
  over. A pair counts as joined when both land in one story.
- ruen_dev: each article 30 minutes after the previous one, in its original language, its
  other version 5 minutes later; title = the text's first line, body = the rest. An article
  counts as joined when its two versions share a story.

Languages on mmds_dev (the set labels none): the data README's rough rule, `rough_lang`:
CJK characters ≥ 30% of the letters → zh; else Malay/Indonesian function words ≥ 8% of the
words → ms; else en. It gives 137 en / 37 zh / 35 ms, the counts the README reports. The
project's detector is not used for scoring: the engine uses it, and the judge should not be
the thing judged.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any

from benchmarks.common import SHARED_DATA, iter_jsonl
from bot.stories import EngineSettings, StoryEngine, StoryItem

STORIES_DIR = SHARED_DATA / "stories"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+")
_MALAY = frozenset(
    [
        "yang",
        "dan",
        "di",
        "ini",
        "itu",
        "untuk",
        "dengan",
        "pada",
        "dalam",
        "akan",
        "telah",
        "oleh",
        "kepada",
        "bagi",
        "juga",
        "tidak",
        "daripada",
        "ialah",
        "iaitu",
        "adalah",
        "bahawa",
        "bahwa",
        "mereka",
        "kerana",
        "sebagai",
        "selepas",
    ]
)
T0 = datetime(2020, 1, 1, tzinfo=UTC)


def load_set(name: str) -> list[dict[str, Any]]:
    """Return the records of one dev set, in file (arrival) order."""
    return list(iter_jsonl(STORIES_DIR / f"{name}.jsonl"))


def to_items(records: Sequence[dict[str, Any]]) -> list[StoryItem]:
    """Return clustering records as engine items; the language is left to the engine."""
    return [
        StoryItem(
            id=r["id"],
            title=r.get("title") or "",
            body=r.get("body") or "",
            published=datetime.fromisoformat(r["published"]),
            source=r.get("source") or "",
        )
        for r in records
    ]


def run_engine(items: Sequence[StoryItem], settings: EngineSettings) -> list[str]:
    """Assign every item in order with a fresh engine; return the story labels."""
    engine = StoryEngine(settings)
    return [engine.assign(item) for item in items]


def rough_lang(title: str, body: str) -> str:
    """Return zh, ms or en by the data README's script and function-word rule."""
    sample = f"{title}\n{body}"[:600]
    letters = len(_LETTER.findall(sample)) or 1
    if len(_CJK.findall(sample)) >= 0.3 * letters:
        return "zh"
    words = [w.lower() for w in _WORD.findall(sample)]
    malay = sum(1 for w in words if w in _MALAY)
    return "ms" if words and malay >= 0.08 * len(words) else "en"


def halves(keys: Sequence[str], seed: str) -> tuple[set[str], set[str]]:
    """Split the distinct keys into two halves at random (seeded), as evenly as possible."""
    distinct = sorted(set(keys))
    random.Random(seed).shuffle(distinct)
    middle = len(distinct) // 2
    return set(distinct[:middle]), set(distinct[middle:])


def pair_scores(gold: Sequence[str], pred: Sequence[str], langs: Sequence[str]) -> dict[str, float]:
    """Return pair precision and recall, separately for same-language and cross-language pairs."""
    counts: Counter[tuple[str, str]] = Counter()
    for i, j in combinations(range(len(gold)), 2):
        kind = "same" if langs[i] == langs[j] else "cross"
        together, belongs = pred[i] == pred[j], gold[i] == gold[j]
        if together:
            counts[kind, "pred"] += 1
        if belongs:
            counts[kind, "gold"] += 1
        if together and belongs:
            counts[kind, "hit"] += 1
    out: dict[str, float] = {}
    for kind in ("same", "cross"):
        hit = counts[kind, "hit"]
        out[f"{kind} P"] = hit / counts[kind, "pred"] if counts[kind, "pred"] else 1.0
        out[f"{kind} R"] = hit / counts[kind, "gold"] if counts[kind, "gold"] else 1.0
    return out


@dataclass(frozen=True, slots=True)
class RuPair:
    """One labelled Russian pair: two articles, same story or only the same topic."""

    key: str
    pool: str
    same: bool
    first: tuple[str, str]  # title, body
    second: tuple[str, str]


def load_ru_pairs() -> list[RuPair]:
    """Return the Russian pairs in file order."""
    out = []
    for n, r in enumerate(iter_jsonl(STORIES_DIR / "ru_pairs_dev.jsonl")):
        first, second = r["first"], r["second"]
        out.append(
            RuPair(
                key=f"pair{n}",
                pool=r["pool"],
                same=bool(r["same_story"]),
                first=(first.get("title") or "", first.get("body") or ""),
                second=(second.get("title") or "", second.get("body") or ""),
            )
        )
    return out


def ru_pairs_joined(pairs: Sequence[RuPair], settings: EngineSettings) -> list[bool]:
    """Return, per pair, whether the engine put both articles in one story (module docstring)."""
    joined: dict[str, bool] = {}
    for pool in sorted({p.pool for p in pairs}):
        members = [p for p in pairs if p.pool == pool]
        engine = StoryEngine(settings)
        warm = T0 - timedelta(days=60)
        texts = {text for p in members for text in (p.first, p.second)}
        for n, (title, body) in enumerate(sorted(texts)):
            engine.assign(_ru_item(f"warm{n}", title, body, warm + timedelta(minutes=n)))
        for n, pair in enumerate(members):
            at = T0 + timedelta(days=30 * n)
            one = engine.assign(_ru_item(f"{pair.key}a", *pair.first, at))
            two = engine.assign(_ru_item(f"{pair.key}b", *pair.second, at + timedelta(minutes=30)))
            joined[pair.key] = one == two
    return [joined[p.key] for p in pairs]


def _ru_item(item_id: str, title: str, body: str, at: datetime) -> StoryItem:
    return StoryItem(id=item_id, title=title, body=body, published=at, lang="ru")


def load_ruen() -> list[dict[str, Any]]:
    """Return the Russian–English article records in file order."""
    return list(iter_jsonl(STORIES_DIR / "ruen_dev.jsonl"))


def ruen_stream(records: Sequence[dict[str, Any]]) -> list[StoryItem]:
    """Return the ruen protocol's items: original, then the other version 5 minutes later."""
    items = []
    for n, r in enumerate(records):
        at = T0 + timedelta(minutes=30 * n)
        first = r["origlang"]
        for lang, delay in ((first, 0), ("en" if first == "ru" else "ru", 5)):
            title, _, body = r[f"{lang}_text"].partition("\n")
            items.append(
                StoryItem(
                    id=f"{r['id']}:{lang}",
                    title=title,
                    body=body,
                    published=at + timedelta(minutes=delay),
                )
            )
    return items


def ruen_joined(records: Sequence[dict[str, Any]], settings: EngineSettings) -> list[bool]:
    """Return, per article, whether its Russian and English versions share a story."""
    labels = run_engine(ruen_stream(records), settings)
    return [labels[2 * n] == labels[2 * n + 1] for n in range(len(records))]
