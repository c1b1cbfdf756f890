"""StoryService: every stored article assigned to a story on arrival, stories ranked on demand.

Stories are derived from the store like the search index: the service listens to the store's
batches (assigning each new article online, in arrival order) and removals (retention and /forget
shrink or drop stories), keeps its records (`<data_dir>/stories/` or a PostgreSQL table) so story
ids survive restarts, and rebuilds from the store when they are missing or from other settings.
Story ids come from the first article's id: a rebuild in the same arrival order gives the same ids.

Threading: the store calls the listeners from the thread that commits a batch (the writer
thread in the bot) while the event loop reads. `_engine_lock` orders the engine's work, which
may take seconds for a big batch; `_lock` guards the records, held a CHUNK at a time.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from bot.archive.records import from_micros
from bot.archive.writer import paced
from bot.models import Article, RankedStory, Story, utcnow
from bot.stories.analysis_worker import AnalysisWorker, Prepared, prepared_chunks
from bot.stories.engine import StoryEngine
from bot.stories.journal import JournalFactory, StoryRecord, open_journal, other_headlines
from bot.stories.reader import ArticleReader
from bot.stories.startup import newest_time, share_members, unassigned
from bot.stories.values import EngineSettings
from bot.stories.views import ViewCache, member_facts, ranked, story_view
from bot.stories.window import reload_window

log = logging.getLogger(__name__)

COMPACT_FACTOR = 3  # rewrite the file when it holds 3× more lines than live stories
CHUNK = 64  # articles assigned per hold of the records' lock
VIEW_CACHE = 1024  # story views kept until their story changes (bot.stories.views)
LINGER = 30.0  # seconds the analysis worker of a big batch waits for the next (an import's)


class StoryService:
    """Own the story engine and the story records of one data directory."""

    def __init__(
        self,
        store: ArticleReader,
        directory: Path,
        *,
        settings: EngineSettings | None = None,
        readonly: bool = False,
        clock: Callable[[], datetime] = utcnow,
        journal: JournalFactory | None = None,  # the records elsewhere than `directory`
    ) -> None:
        self._store = store
        self.settings = settings or EngineSettings()
        self._journal = open_journal(directory, self.settings, readonly=readonly, factory=journal)
        self._readonly = readonly
        self._clock = clock
        self._lock = threading.RLock()  # the records; held briefly
        self._engine_lock = threading.Lock()  # the engine; held while assigning
        self._engine = StoryEngine(self.settings)
        self._records: dict[str, StoryRecord] = {}
        self._story_of: dict[str, str] = {}
        self._engine_ready = True
        self._worker = AnalysisWorker(self.settings)  # big batches, `add_articles`
        self.version = 0  # bumped on every change: callers cache rankings by it
        self._views = ViewCache(VIEW_CACHE)
        self.opened = (0, 0)  # (stories loaded from the records, articles assigned) at open

    def initialize(self) -> None:
        """Load the records, drop what the store lost, assign what it gained, listen.

        Reads no article when the file is current and the store lost nothing (`startup.py`).
        """
        with self._engine_lock, self._lock:
            self._records = self._journal.load()
            self._story_of, gone = share_members(self._records.values(), self._store)
            if gone:
                self._remove(gone, journal=False)
            for record in self._records.values():
                if record.last is None:  # a format-1 file: once, from the store
                    record.last = newest_time(record, self._store)
            self._engine_ready = False  # restored on first need: reading needs no engine
            missing = len(self._store) - len(self._story_of)  # vanished ones were dropped
            self.opened = (len(self._records), missing)
            if missing:
                log.info("assigning %d articles to stories", missing)
                for chunk in unassigned(self._store, self._story_of, self.settings):
                    self._assign(chunk, journal=False)
            stale = missing or gone or self._journal.outdated or not self._journal.exists()
            if not self._readonly and stale:
                self._journal.rewrite(self._records)
        self._store.add_listener(self.add_articles)
        self._store.add_removal_listener(self.remove_articles)

    def warm_up(self, give_way: Callable[[], object] | None = None) -> None:
        """Reload the engine's window now (a start-up thread), giving way to replies (`paced`)."""
        with self._engine_lock:
            self._engine_now(give_way)

    def shutdown(self) -> None:
        """Stop the analysis worker; compact the records file if it grew (or has no snapshot)."""
        self._worker.close()
        with self._lock:
            if self._journal.lines > len(self._records) or self._journal.rewrite_at_close:
                self._journal.rewrite(self._records)
            self._journal.close()

    def rebuild(self) -> int:
        """Forget every story and cluster the whole store again, in arrival order."""
        with self._engine_lock, self._lock:
            self._engine, self._engine_ready = StoryEngine(self.settings), True
            self._records, self._story_of = {}, {}
            for chunk in unassigned(self._store, self._story_of, self.settings):
                self._assign(chunk, journal=False)
            self._journal.rewrite(self._records)
            return len(self._records)

    def add_articles(self, articles: Sequence[Article]) -> None:
        """Assign a committed batch to stories (called by the store, maybe off the loop)."""
        # The GIL goes to replies between chunks (paced); the worker waits LINGER for the next.
        with self._engine_lock, self._worker.lent(LINGER) as worker:
            for chunk in paced(prepared_chunks([articles], self.settings, CHUNK, worker)):
                self._assign((p for p in chunk if p[0].id not in self._story_of), journal=True)

    def remove_articles(self, article_ids: Sequence[str]) -> None:
        """Take removed articles out of their stories; drop stories left empty."""
        with self._lock:
            self._remove(article_ids, journal=True)

    # --- queries --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._records)

    def story_of(self, article_id: str) -> str | None:
        """Return the id of the article's story."""
        return self._story_of.get(article_id)

    def story(self, story_id: str, *, lang: str | None = None) -> Story | None:
        """Return a story with its articles, or None when it is unknown."""
        with self._lock:
            record = self._records.get(story_id)
            if record is None:
                return None
            key = (story_id, len(record.members), record.members[-1], record.headline, lang)
            cached = self._views.get(key)
            if cached is not None:  # a fan-out asks for the same few stories 10,000 times
                return cached
            record = record.copy()
        view = story_view(record, member_facts(record, self._store), self._store.get, lang)
        if view is not None:
            self._views.put(key, view)
        return view

    def story_for_article(self, article_id: str, *, lang: str | None = None) -> Story | None:
        """Return the story an article belongs to."""
        story_id = self._story_of.get(article_id)
        return self.story(story_id, lang=lang) if story_id else None

    def group(self, article_ids: Sequence[str]) -> list[tuple[str, list[str]]]:
        """Collapse an ordered list of articles into (story id, its articles in the list), in order."""
        groups: dict[str, list[str]] = {}
        for article_id in article_ids:
            key = self._story_of.get(article_id) or f"article:{article_id}"
            groups.setdefault(key, []).append(article_id)
        return list(groups.items())

    def rank(
        self, now: datetime, period: timedelta, *, within: Collection[str] | None = None
    ) -> list[RankedStory]:
        """Return the stories with an article in the period ending at now, most important first.

        `within` (article ids, e.g. a topic's search hits) narrows the candidates first: only
        stories holding one of them are ranked, but each is scored on all its articles. Reads
        no article: `views` reads the few a user is shown.
        """
        start = now - period
        with self._lock:  # copy the candidates, rank them without the lock
            if within is not None:
                ids = {self._story_of[a] for a in within if a in self._story_of}
                found = [self._records[i] for i in ids if i in self._records]
            else:
                found = list(self._records.values())
            candidates = [r.copy() for r in found if r.last is not None and r.last > start]
        at, span = now.timestamp(), period.total_seconds()
        placed = (ranked(r, member_facts(r, self._store), at, span) for r in candidates)
        return sorted(filter(None, placed), key=lambda r: (-r.score, -r.source_count, r.id))

    def views(self, ranking: Iterable[RankedStory], *, lang: str | None = None) -> list[Story]:
        """Return the user-facing stories of ranked ones (any that vanished since are left out)."""
        out = []
        for place in ranking:
            view = self.story(place.id, lang=lang)
            if view is not None:
                out.append(view if view.score == place.score else replace(view, score=place.score))
        return out

    def top(
        self,
        now: datetime,
        period: timedelta,
        *,
        within: Collection[str] | None = None,
        lang: str | None = None,
        limit: int | None = None,
    ) -> list[Story]:
        """Return the views of the `limit` most important stories of the period (`rank`)."""
        return self.views(self.rank(now, period, within=within)[:limit], lang=lang)

    def newest(self) -> datetime | None:
        """Return the newest publication time of any story's article."""
        with self._lock:
            return max((r.last for r in self._records.values() if r.last), default=None)

    def _assign(self, prepared: Iterable[Prepared], *, journal: bool) -> None:
        """Assign articles one by one as they come (engine lock held), then record them."""
        decided = [(a, self._engine_now().assign(item, ahead)) for a, item, ahead in prepared]
        if not decided:
            return
        copies = {a.id: o for a, _ in decided if (o := self._engine.copy_of(a.id)) is not None}
        with self._lock:
            self._record(decided, copies, journal=journal)

    def _record(
        self, decided: list[tuple[Article, str]], copies: dict[str, str], *, journal: bool
    ) -> None:
        """Add assigned articles to their records; refresh headlines; journal what changed."""
        touched: dict[str, StoryRecord] = {}
        added = Counter(story_id for _, story_id in decided)
        for article, story_id in decided:
            record = self._records.get(story_id)
            if record is None:
                record = self._records[story_id] = StoryRecord(story_id)
            record.members.append(article.id)
            if article.id in copies:  # replaced whole: readers may hold the old mapping
                record.copies = {**record.copies, article.id: copies[article.id]}
            self._story_of[article.id] = story_id
            if record.last is None or article.published > record.last:
                record.last = article.published
            touched[story_id] = record
        for record in touched.values():
            if not record.headline_due(added[record.id]):
                continue
            summary = self._engine.summary(record.id)
            if summary is not None:
                record.headline = summary.headline
                record.headlines = other_headlines(summary.headline, summary.headlines_by_lang)
        if touched:
            self.version += 1
        if journal:
            self._journal.append(list(touched.values()), [])
            self._maybe_compact()

    def _remove(self, article_ids: Iterable[str], *, journal: bool) -> None:
        """Drop articles from their stories; journal what changed."""
        by_story: dict[str, set[str]] = {}
        for article_id in article_ids:
            story_id = self._story_of.pop(article_id, None)
            if story_id is not None and story_id in self._records:
                by_story.setdefault(story_id, set()).add(article_id)
        # One pass per story: retention drops thousands of members of a big story at once.
        changed = {s: self._records[s] for s, ids in by_story.items() if self._records[s].drop(ids)}
        gone = [sid for sid, r in changed.items() if not r.members]
        for story_id in gone:
            del self._records[story_id]
            del changed[story_id]
        for record in changed.values():
            if record.copies:
                kept = set(record.members)
                record.copies = {c: o for c, o in record.copies.items() if c in kept}
            facts = member_facts(record, self._store)
            if facts and record.headline not in {title for *_, title in facts}:
                record.headline = facts[0][3]
            record.last = from_micros(max(f[0] for f in facts)) if facts else None
        if changed or gone:
            self.version += 1
        if journal:
            self._journal.append(list(changed.values()), gone)
            self._maybe_compact()

    def _maybe_compact(self) -> None:
        if self._journal.lines > COMPACT_FACTOR * len(self._records) + 1000:
            self._journal.rewrite(self._records)

    def _engine_now(self, give_way: Callable[[], object] | None = None) -> StoryEngine:
        if not self._engine_ready:
            self._restore_window(give_way)
            self._engine_ready = True
        return self._engine

    def _restore_window(self, give_way: Callable[[], object] | None = None) -> None:
        """Reload the engine with the stories still open for new articles."""
        with self._lock:  # the references only: readers wait for no pass over the members
            records = list(self._records.values())
        reload_window(self._engine, records, self._store, self.settings, give_way)
