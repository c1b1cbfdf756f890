"""The services one newsbrief process runs, opened and closed together."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.archive.heap import freeze
from bot.archive.lock import DataDirLock, DataDirLocked
from bot.archive.protocol import ArticleStoreLike
from bot.archive.records import META_TABLE
from bot.archive.store import ArticleStore
from bot.archive.usertables import META_KEY, EmbeddedUserTables, UserTables
from bot.archive.writer import Writer
from bot.config import Config
from bot.digests.service import DigestService, DigestSettings
from bot.feeds import FeedService
from bot.feeds.defaults import default_feeds
from bot.feeds.opml import OpmlError
from bot.follows.service import FollowService
from bot.ingest.importer import ImportReport, import_paths
from bot.models import Laps, ProgressFactory, utcnow
from bot.search import SearchService
from bot.stories.facts import StoryFacts
from bot.stories.journal import JournalFactory
from bot.stories.service import StoryService

if TYPE_CHECKING:  # bot.pg imports psycopg: only a deployment with a database pays for it
    from bot.pg.database import Database
    from bot.pg.leader import Leader

log = logging.getLogger(__name__)

SEEDED_FLAG = "seeded"


class WarmUpStopped(Exception):
    """The bot is stopping: the warm-up leaves its work where it is (`Services.stop_warm_up`)."""


def default_seeds_dir() -> Path:
    """Return the project's seeds/ folder (beside the bot package)."""
    return Path(__file__).resolve().parent.parent / "seeds"


@dataclass
class Services:
    """Store, users file and search index of one data directory."""

    config: Config
    writable: bool
    lock: DataDirLock
    store: ArticleStoreLike
    users: UserTables
    search: SearchService
    feeds: FeedService
    digests: DigestService
    stories: StoryService
    facts: StoryFacts
    follows: FollowService
    seed_report: ImportReport | None = field(default=None)
    writer: Writer = field(default_factory=Writer)  # store and index writes, off the loop
    database: Database | None = None  # PostgreSQL (NEWSBRIEF_DATABASE_URL), else files only
    leader: Leader | None = None  # with a shared database: who polls and plans (bot/app)

    stopping: threading.Event = field(default_factory=threading.Event)  # stop_warm_up
    warming: threading.Lock = field(default_factory=threading.Lock)  # held by a running warm-up

    def warm_up(self, give_way: Callable[[], object] | None = None) -> None:
        """Reload the story engine's window, then freeze start-up's objects (bot.archive.heap).

        give_way, called between slices of the work, lets the replies in flight go first.
        """

        def pause() -> None:
            if self.stopping.is_set():
                raise WarmUpStopped
            if give_way is not None:
                give_way()

        with self.warming:
            if self.stopping.is_set():  # the bot is stopping: the executor ran it late
                return
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                self.stories.warm_up(pause)
            except WarmUpStopped:  # the engine resumes where it stopped if it is ever needed
                log.info("stories warm-up stopped: the bot is stopping")
                return
            freeze()
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        log.info("stories warm-up: %.2f s, CPU %.2f s (its thread)", wall, cpu)

    def stop_warm_up(self) -> None:
        """Make a running warm-up stop at its next pause: the loop's close waits for its thread."""
        self.stopping.set()

    def shutdown(self) -> None:
        """Stop a running warm-up, close everything in reverse order of opening, drop the lock."""
        # `newsbrief chat` and the tests close while the loop's executor may still run the
        # warm-up: it reads bodies, which a closed store (or pool) would fail. It stops at its
        # next pause, a slice of milliseconds away.
        self.stop_warm_up()
        with self.warming:
            pass
        self.writer.shutdown()  # the writes already asked for land first
        self.search.shutdown()
        self.stories.shutdown()
        # The digests and follows let their queued writes land: before the tables close.
        self.digests.shutdown()
        self.follows.shutdown()
        self.users.shutdown()
        self.store.shutdown()
        if self.database is not None:
            self.database.close()
        self.lock.release()


def open_services(
    config: Config,
    *,
    write: bool,
    allow_readonly: bool = True,
    digest_settings: DigestSettings | None = None,
    progress: ProgressFactory | None = None,
    follow_clock: Callable[[], datetime] = utcnow,
    laps: Laps | None = None,
) -> Services:
    """Open the data directory; as a writer when asked, or read-only beside a running writer.

    With write=True and the lock held elsewhere, DataDirLocked propagates unless
    allow_readonly says a read-only view is good enough for the caller. A search index
    rebuild reports through progress("indexing", total), a migration of the article files
    through progress("migrating article segments", n) (the CLI shows a bar). Follows pace
    their updates by follow_clock (tests move it by hand). Each step's time goes to laps.
    """
    laps = laps or Laps()
    config.data_dir.mkdir(parents=True, exist_ok=True)
    lock = DataDirLock(config.data_dir)
    try:
        lock.acquire()
    except DataDirLocked:
        if write and not allow_readonly:
            raise
    readonly = not lock.held
    database = open_database(config)
    store = open_store(config, database, readonly=readonly)
    store.initialize(progress)
    laps.lap("store")
    users = open_users(config, database, readonly=readonly)
    users.initialize()
    laps.lap("users")
    search = SearchService(store, config.data_dir / "index", readonly=readonly)
    writer = Writer()
    feeds = FeedService(
        store,
        users,
        writer=writer,
        allow_private=config.allow_private_feeds,
        fulltext=config.fulltext,
        proxy=config.feed_proxy,
    )
    stories = StoryService(
        store,
        config.data_dir / "stories",
        readonly=readonly,
        journal=story_records(database, readonly=readonly),
    )
    facts = StoryFacts(stories, store)  # developments: timelines, follows, digests
    digests = DigestService(
        config,
        store,
        users,
        search,
        stories,
        settings=digest_settings or DigestSettings(),
        facts=facts,
    )
    follows = FollowService(config, users, stories, facts, digests, clock=follow_clock)
    services = Services(
        config,
        not readonly,
        lock,
        store,
        users,
        search,
        feeds,
        digests,
        stories,
        facts,
        follows,
        writer=writer,
        database=database,
        # Several processes share a database; the one holding this lock polls and plans.
        leader=leader_of(database) if database is not None and not readonly else None,
    )
    if not readonly:
        services.seed_report = import_seeds_once(services)
    search.initialize(progress)
    laps.lap("search")
    stories.initialize()
    laps.lap("stories")
    digests.initialize()
    follows.initialize()
    store.add_listener(follows.on_articles)  # after the stories': it reads what they assigned
    store.add_removal_listener(search.remove_articles)
    if not readonly:
        store.prune()
    # Before the first reply, not in the first minute of replies: at 100,000 subscribers the
    # records are 400,000 objects, and the full collection that first walks them stalls
    # every reply for 0.1-0.6 s. Frozen without a collection first: opening leaves almost no
    # garbage, and a collection here would walk the whole archive (bot.archive.heap).
    freeze()
    laps.lap("digests and follows")
    return services


def open_database(config: Config) -> Database | None:
    """Return the shared database, opened, when NEWSBRIEF_DATABASE_URL names one."""
    if not config.database_url:
        return None
    from bot.pg.database import Database

    database = Database(config.database_url)
    database.open()
    return database


def leader_of(database: Database) -> Leader:
    """Return this process's hold on the scheduler lock of the shared database."""
    from bot.pg.leader import Leader

    return Leader(database.url)


def open_store(config: Config, database: Database | None, *, readonly: bool) -> ArticleStoreLike:
    """Return the article store: PostgreSQL's table when a database is configured, else files."""
    if database is not None:
        from bot.pg.articles import PgArticleStore

        return PgArticleStore(database, retention_days=config.retention_days, readonly=readonly)
    return ArticleStore(config.data_dir, retention_days=config.retention_days, readonly=readonly)


def open_users(config: Config, database: Database | None, *, readonly: bool) -> UserTables:
    """Return the users' tables: PostgreSQL's when a database is configured, else files."""
    if database is not None:
        from bot.pg.usertables import PgUserTables

        return PgUserTables(database, readonly=readonly)
    return EmbeddedUserTables(config.data_dir, readonly=readonly)


def story_records(database: Database | None, *, readonly: bool) -> JournalFactory | None:
    """Return where story records go with PostgreSQL (its table), or None for the data dir."""
    if database is None:
        return None
    from bot.stories.records_table import PgStoryJournal

    return lambda identity: PgStoryJournal(database, identity, readonly=readonly)


def first_feeds(config: Config) -> dict[str, str]:
    """Return the feeds a new data dir starts with (URL -> title): NEWSBRIEF_FEEDS, else the list."""
    if config.feeds or not config.default_feeds:
        return dict.fromkeys(config.feeds, "")
    try:
        listed = default_feeds(config.default_feeds_opml)
    except (OSError, OpmlError) as exc:  # the bot still runs; an admin can add feeds
        log.warning("default feed list not used: %s", exc)
        return {}
    log.info("registering %d default feeds (NEWSBRIEF_DEFAULT_FEEDS=0 turns this off)", len(listed))
    return {feed.url: feed.title for feed in listed}


def import_seeds_once(services: Services) -> ImportReport | None:
    """Import seeds/ and register the configured feeds the first time a data dir is written."""
    stamp = next(iter(services.users.load(META_TABLE)), {})
    if stamp.get(SEEDED_FLAG):
        return None
    seeds = services.config.seeds_dir or default_seeds_dir()
    if services.config.seeds_dir and not seeds.is_dir():  # a typo would pass unseen
        log.warning("NEWSBRIEF_SEEDS_DIR %s is not a directory: no seeds imported", seeds)
    paths = sorted(p for p in seeds.glob("*") if p.is_file()) if seeds.is_dir() else []
    report = import_paths(services.store, paths)
    feeds = first_feeds(services.config)
    services.feeds.seed_feeds(feeds, titles=feeds)
    services.users.put(META_TABLE, META_KEY, {**stamp, SEEDED_FLAG: True})
    services.users.flush_sync()
    return report
