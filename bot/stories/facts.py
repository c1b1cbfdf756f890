"""A story's developments: the first report, then each later report's sentences that are news.

The novelty rule, one for updates, timelines and digests: a sentence of a report is a new
fact when it brings at least MIN_NEW content terms (stems without stop words, and numbers;
`bot.text.analysis`, the project's one text analysis) that no earlier report of the story
used, and they are at least NEW_SHARE of its terms. Reports are read in arrival order, each
one's lead sentences (LEAD_SENTENCES) before its headline, so the headline announcing a
fact does not hide the sentence telling it.

Why terms against the whole story rather than sentence against sentence: a story repeats its
subject in every report ("lava", "Grindavik", "Iceland"), so a new fact shares most of its
words with some earlier sentence ("The lava flow near Grindavik slowed on Tuesday"); what it
adds is a few words nobody used yet ("slowed", "Tuesday"). A reprint adds none, a rewording
of the same facts one at most, and a count or a name that changes is a new term. The price:
synonyms ("molten rock" for "lava") look new. Numbers count even when short ("12 dead"),
because they carry most facts in news.

Languages: terms are one language's stems, so in a language the story had no report in every
word is new, and a translation or another edition's account would retell the whole story. Such
a report is `retold` unless it gives a number or date no report did (they read the same in
every language), and a retelling is news only to readers of its language (`told_to`): on the
71 Russian-English dev pairs, an English follower was sent the Russian one 71 times, now 10.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from cachetools import LRUCache

from bot.archive.records import from_micros
from bot.models import Article, Development
from bot.stories.reader import ArticleReader
from bot.stories.views import source_key

if TYPE_CHECKING:
    from bot.stories.service import StoryService
from bot.summarize.sentences import mark_cut, split_sentences
from bot.text.analysis import analyzer
from bot.text.names import number_keys

MIN_NEW = 2  # new content terms a sentence needs to be news
NEW_SHARE = 0.2  # and at least this share of its terms (a fifth: "slowed on Tuesday")
LEAD_SENTENCES = 5  # sentences of a report read for facts: news puts them first
FACTS_PER_REPORT = 3  # at most this many facts of one report are told
FIRST_FACTS = 2  # the first report is told by its lead
MIN_TERMS = 3  # shorter sentences ("Read more.") are no facts
CACHE_STORIES = 4096
_NUMBER = re.compile(r"\d+")


def sentence_terms(sentence: str, lang: str | None) -> frozenset[str]:
    """Return the content terms of a sentence, numbers included."""
    terms = set(analyzer(lang).terms(sentence))
    terms.update(_NUMBER.findall(sentence))
    return frozenset(terms)


@dataclass(slots=True)
class Ledger:
    """What a story has said so far, as terms, and its developments in arrival order."""

    members: list[str] = field(default_factory=list)
    known: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)  # number and date keys: one in every language
    langs: set[str | None] = field(default_factory=set)
    developments: list[Development] = field(default_factory=list)

    def read(self, article: Article) -> Development | None:
        """Take in the next report; return its development when it brought a fact."""
        first = not self.members
        self.members.append(article.id)
        # One sentence more than read tells whether the lead is the whole text (then it may
        # stop mid-sentence: a feed's cut description).
        found = split_sentences(article.body, article.lang, LEAD_SENTENCES + 1)
        lead = mark_cut(found[:LEAD_SENTENCES], len(found) <= LEAD_SENTENCES) or [article.title]
        facts: list[str] = []
        numbers = set(number_keys(article.title, 1))
        for sentence in lead:
            numbers.update(number_keys(sentence, 1))
            terms = sentence_terms(sentence, article.lang)
            if len(terms) < MIN_TERMS and not first:
                continue
            fresh = terms - self.known
            if first or (len(fresh) >= MIN_NEW and len(fresh) >= NEW_SHARE * len(terms)):
                facts.append(sentence)
            self.known |= terms  # a later sentence repeating this one is no news either
        self.known |= sentence_terms(article.title, article.lang)
        # In a language the story had no report in, every word is new: the terms cannot tell
        # a retelling from news. Numbers and dates read the same in every language.
        retold = not first and article.lang not in self.langs and numbers <= self.numbers
        self.langs.add(article.lang)
        self.numbers |= numbers
        told = facts[: FIRST_FACTS if first else FACTS_PER_REPORT]
        if not told and not first:
            return None
        development = Development(
            article.id,
            article.added,
            article.published,
            article.source,
            article.title,
            article.url,
            tuple(told),
            first,
            article.lang,
            retold,
        )
        self.developments.append(development)
        return development


Reader = Callable[[str], Article | None]


class DevelopmentCache:
    """Each story's ledger, extended as reports arrive; rebuilt when a member left (retention).

    Shared by threads (the follow finder, /story answers), so one lock guards it; reading the
    few new reports of a story under it is short, a rebuild of a big story is rare.
    """

    def __init__(self, size: int = CACHE_STORIES) -> None:
        self._ledgers: LRUCache[str, Ledger] = LRUCache(size)
        self._lock = threading.Lock()

    def developments(
        self, story_id: str, members: Sequence[str], read: Reader
    ) -> list[Development]:
        """Return the story's developments, first report first, reading only new members."""
        with self._lock:
            ledger = self._ledgers.get(story_id)
            done = len(ledger.members) if ledger is not None else 0
            if ledger is None or list(members[:done]) != ledger.members:
                ledger, done = Ledger(), 0
            for article_id in members[done:]:
                article = read(article_id)
                if article is not None:
                    ledger.read(article)
                else:
                    ledger.members.append(article_id)
            self._ledgers[story_id] = ledger
            return list(ledger.developments)


class StoryFacts:
    """Stories as developments, for timelines, follows and digests (thread-safe)."""

    def __init__(self, stories: StoryService, store: ArticleReader) -> None:
        self._stories = stories
        self._store = store
        self._cache = DevelopmentCache()

    def members(self, story_id: str) -> list[str]:
        """Return the ids of a story's articles in arrival order (empty when it is unknown)."""
        # The records are this package's own; StoryService, at its size, lends them here.
        record = self._stories._records.get(story_id)
        return list(record.members) if record is not None else []  # one C call: atomic

    def developments(
        self, story_id: str, batch: Mapping[str, Article] | None = None
    ) -> list[Development]:
        """Return the story's developments in arrival order; reads new members only.

        `batch` holds articles just stored (the writer thread has them in memory): they are
        read from it rather than from the store, whose bodies are read from disk on first use.
        """
        members = self.members(story_id)
        if not members:
            return []
        if not batch:
            return self._cache.developments(story_id, members, self._store.get)
        get = self._store.get

        def read(article_id: str) -> Article | None:
            return batch.get(article_id) or get(article_id)

        return self._cache.developments(story_id, members, read)

    def newest_arrival(self, story_id: str) -> datetime | None:
        """Return when the story's newest report arrived (what a new follower has seen)."""
        members = self.members(story_id)
        added = [at for at, _ in self._store.light(members, "added", "id")]
        return from_micros(max(added)) if added else None

    def news_since(self, story_id: str, sources_before: int) -> list[Development]:
        """Return the developments of the reports that came after the story had that many sources.

        A digest remembers a story it sent by its source count then. Sources only grow as
        reports arrive, so the reports after the last one that kept that count are new.
        """
        members = self.members(story_id)
        light = self._store.light(members, "id", "source")
        seen: set[Hashable] = set()
        cut = 0
        for index, (article_id, source) in enumerate(light):
            seen.add(source_key(source, article_id))
            if len(seen) > sources_before:
                break
            cut = index + 1
        later = {article_id for article_id, _ in light[cut:]}
        developments = self.developments(story_id)
        return [d for d in developments if not d.first and d.article_id in later]

    def mark(self, story_id: str) -> tuple[int, str] | None:
        """Return what changes when a story gains or loses a report (size, newest member)."""
        members = self.members(story_id)
        return (len(members), members[-1]) if members else None
