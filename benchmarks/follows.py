"""Finding follow updates: 10,000 chats following 1,000 stories, batches of 100 new articles.

Stories are built from the shared corpus (real article texts, 12 reports each); every chat
follows three stories, so the 1,000 stories have 30,000 follows between them. Timed, per
batch of 100 new articles added to random stories: what a tick does off the loop, from the
stories that changed to each follower's new facts (`bot.follows.updates.find_updates`, the
ledgers of `bot.stories.facts` extended by the new reports only). The anchor is the naive
scan: every follow looked at, each story's developments computed afresh from all its reports.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.common import load_corpus, median, percentile
from bot.archive.usertables import EmbeddedUserTables
from bot.follows.records import Follow
from bot.follows.store import FollowStore
from bot.follows.updates import Ask, find_updates
from bot.models import Article, Development
from bot.stories.facts import DevelopmentCache, Ledger

CHATS = 10_000
STORIES = 1_000
PER_STORY = 12
FOLLOWS_PER_CHAT = 3
BATCH = 100
BATCHES = 20
ANCHOR_BATCHES = 3
T0 = datetime(2026, 3, 2, tzinfo=UTC)


class Corpus:
    """Stories as member lists over articles kept in memory (what StoryService answers)."""

    def __init__(self, records: Sequence[dict[str, object]]) -> None:
        self.articles: dict[str, Article] = {}
        self.members: dict[str, list[str]] = {}
        self._records = iter(records)
        self._n = 0
        self.cache = DevelopmentCache(STORIES * 2)

    def add(self, story_id: str) -> None:
        record = next(self._records)
        self._n += 1
        at = T0 + timedelta(seconds=self._n)
        article = Article(
            f"a{self._n}",
            str(record.get("title") or ""),
            str(record.get("body") or ""),
            at,
            at,
            source=str(record.get("source") or f"src{self._n % 50}"),
        )
        self.articles[article.id] = article
        self.members.setdefault(story_id, []).append(article.id)

    def developments(self, story_id: str) -> list[Development]:
        return self.cache.developments(story_id, self.members[story_id], self.articles.get)


def fresh_developments(corpus: Corpus, story_id: str) -> list[Development]:
    """Read every report of the story again (the anchor: no ledger kept)."""
    ledger = Ledger()
    for article_id in corpus.members[story_id]:
        ledger.read(corpus.articles[article_id])
    return ledger.developments


def build(data_dir: Path) -> tuple[Corpus, FollowStore, EmbeddedUserTables, random.Random]:
    rng = random.Random(7)
    records = load_corpus()
    rng.shuffle(records)
    corpus = Corpus(records)
    stories = [f"s{n:010x}" for n in range(STORIES)]
    for story_id in stories:
        for _ in range(PER_STORY):
            corpus.add(story_id)
    users = EmbeddedUserTables(data_dir)
    users.initialize()
    store = FollowStore(users, data_dir)
    store.initialize()
    cursor = corpus.articles[f"a{STORIES * PER_STORY}"].added  # every report so far was seen
    store.add_many(
        Follow(chat, story_id, "h", T0, cursor=cursor)
        for chat in range(1, CHATS + 1)
        for story_id in rng.sample(stories, FOLLOWS_PER_CHAT)
    )
    users.flush_sync()
    for story_id in stories:  # the steady state: every followed story's ledger is kept
        corpus.developments(story_id)
    return corpus, store, users, rng


def batch(corpus: Corpus, rng: random.Random) -> set[str]:
    """Add BATCH new articles to random stories; return the stories they joined."""
    touched = set()
    for _ in range(BATCH):
        story_id = f"s{rng.randrange(STORIES):010x}"
        corpus.add(story_id)
        touched.add(story_id)
    return touched


def read_reports(corpus: Corpus, touched: set[str]) -> None:
    """Do what the writer thread does after a batch: extend the followed stories' ledgers."""
    for story_id in sorted(touched):
        corpus.developments(story_id)


def ours(corpus: Corpus, store: FollowStore, checked: dict[str, tuple[int, str]]) -> int:
    """Do what a tick does: spot the changed stories by their marks, find each follower's news."""
    asks = []
    for story_id in store.stories():
        members = corpus.members[story_id]
        mark = (len(members), members[-1])
        if checked.get(story_id) == mark:
            continue
        checked[story_id] = mark
        asks.append(
            Ask(story_id, tuple((f.chat_id, f.cursor, "en") for f in store.followers(story_id)))
        )
    return len(find_updates(corpus, asks))


def naive(corpus: Corpus, store: FollowStore) -> int:
    computed: dict[str, list[Development]] = {}
    found = 0
    for follow in store.all():
        if follow.story_id not in computed:
            computed[follow.story_id] = fresh_developments(corpus, follow.story_id)
        cursor = follow.cursor
        found += any(
            not d.first and (cursor is None or d.added > cursor) for d in computed[follow.story_id]
        )
    return found


def main() -> None:
    """Print the finding time per batch beside the naive scan's."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus, store, users, rng = build(Path(tmp))
        times, reading, found = [], [], []
        checked = {s: (len(m), m[-1]) for s, m in corpus.members.items()}
        for _ in range(BATCHES):
            touched = batch(corpus, rng)
            start = time.perf_counter()
            read_reports(corpus, touched)
            middle = time.perf_counter()
            found.append(ours(corpus, store, checked))
            reading.append((middle - start) * 1000)
            times.append((time.perf_counter() - middle) * 1000)
        anchor_times, anchor_found = [], []
        for _ in range(ANCHOR_BATCHES):
            batch(corpus, rng)
            start = time.perf_counter()
            anchor_found.append(naive(corpus, store))
            anchor_times.append((time.perf_counter() - start) * 1000)
        users.shutdown()
    follows = CHATS * FOLLOWS_PER_CHAT
    total = [a + b for a, b in zip(reading, times, strict=True)]
    print(f"{CHATS:,} chats, {follows:,} follows of {STORIES:,} stories ({PER_STORY} reports each)")
    print(f"batches of {BATCH} new articles; updates found per batch: median {median(found):.0f}\n")
    rows = [
        ("this tree: the tick (changed stories, each follower's news)", times, "≤ 50"),
        ("this tree: reading the batch's reports (writer thread, at commit)", reading, ""),
        ("this tree: both", total, ""),
        ("anchor: naive scan (every follow, stories re-read)", anchor_times, ""),
    ]
    print("| finding the updates of a batch | median ms | p90 ms | target |")
    print("| --- | --- | --- | --- |")
    for name, values, target in rows:
        print(f"| {name} | {median(values):.1f} | {percentile(values, 90):.1f} | {target} |")
    print(f"\nratio anchor/this tree (both): {median(anchor_times) / median(total):.0f}×")
