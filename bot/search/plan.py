"""Turn a ParsedQuery into tantivy Query objects; user text never reaches tantivy's query parser.

Scoring weights live here: a body match scores BM25; a title match scores TITLE_BOOST times the
term's BM25 idf whatever the title's length (see `_title_query`); words completed from a typed
prefix count PREFIX_WEIGHT of an exact word (KNOWN_PREFIX_WEIGHT when the prefix is itself a
word: it is then more likely finished); typo matches get a constant score (tantivy scores fuzzy
terms that way), FUZZY_TITLE in the title and FUZZY_BODY in the body.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial

import tantivy
from tantivy import Occur, Query

from bot.search.analysis import GROUPS, allowed_edits, stop_word
from bot.search.index import BODY_RAW, GROUP, LANG, SOURCE, TITLE_RAW, TS, stemmed_fields
from bot.search.query import ParsedQuery, Term
from bot.search.results import Typo
from bot.text.analysis import fold_yo as fold

TITLE_BOOST = 3.0
PREFIX_WEIGHT = 0.5
KNOWN_PREFIX_WEIGHT = 0.2
FUZZY_TITLE = 3.0
FUZZY_BODY = 1.0
COMPLETIONS = 12  # the most frequent words a typed prefix stands for
COMPLETE_UP_TO = 5
# Each forgiven word costs a Levenshtein automaton walk per field: a query of forty made-up
# words must not cost forty. Words past the budget must match as typed.
MAX_FUZZY_WORDS = 4


Compiled = tuple[Query | None, Query | None]
Stem = tuple[str, ...]  # a word stemmed for each language group present in the index


@dataclass
class Plan:
    """The compiled clauses of a query and what a snippet should bold."""

    groups: list[Query] = field(default_factory=list)
    loose_groups: list[Query] = field(default_factory=list)
    filters: list[Query] = field(default_factory=list)
    excluded: list[Query] = field(default_factory=list)
    stems: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    typos: list[Typo] = field(default_factory=list)
    loose_typos: list[Typo] = field(default_factory=list)

    @property
    def searchable(self) -> bool:
        """Return whether the query asks for anything at all."""
        return bool(self.groups or self.filters or self.excluded)

    def query(self, *, relaxed: bool = False, loose: bool = False) -> Query:
        """Return the full query; relaxed turns the AND of groups into an OR, loose lets
        known words match their near neighbours too."""
        clauses = [(Occur.Must, f) for f in self.filters]
        groups = self.loose_groups if loose else self.groups
        if groups and relaxed:
            anyof = Query.boolean_query([(Occur.Should, g) for g in groups], 1)
            clauses.append((Occur.Must, anyof))
        else:
            clauses += [(Occur.Must, g) for g in groups]
        if not clauses:
            clauses.append((Occur.Must, Query.all_query()))
        clauses += [(Occur.MustNot, e) for e in self.excluded]
        return Query.boolean_query(clauses)


class Planner:
    """Compile queries against one searcher (its term dictionary decides typos and prefixes)."""

    def __init__(
        self,
        schema: tantivy.Schema,
        searcher: tantivy.Searcher,
        analyzers: dict[str, tantivy.TextAnalyzer],
        folded: tantivy.TextAnalyzer,
    ) -> None:
        """Keep what compiling needs; only the language groups the index holds are searched."""
        self._schema = schema
        self._searcher = searcher
        present = [g for g in GROUPS if searcher.doc_freq(GROUP, g) > 0]
        self._groups = present or ["en"]
        self._fields = [stemmed_fields(g) for g in self._groups]
        self._analyzers = [analyzers[g] for g in self._groups]
        self._mixed = analyzers["ru"]  # typo corrections compare stems of any Latin/Cyrillic word
        self._folded = folded

    def plan(self, parsed: ParsedQuery, *, fuzzy: bool = True, typing: bool = False) -> Plan:
        """Compile a parsed query (`fuzzy`: words match neighbours; `typing`: inline, unsent)."""
        plan = Plan()
        groups = list(dict.fromkeys(parsed.groups))  # "oil oil" asks no more than "oil"
        last = len(groups) - 1
        lone = typing and len(groups) == 1 and len(groups[0]) == 1
        for i, group in enumerate(groups):
            tail = parsed.prefix and i == last
            # A stop word after other words was typed as a word: completing "and" of "the of
            # and" gave Andersen. Alone, while typed, it may begin one ("не" of "нефть"); alone
            # in a message sent whole it is the word: "/search the" listed "Theatre".
            alts = [self._term(t, plan, tail and (lone or not self._stop(t)), fuzzy) for t in group]
            kept = [pair for pair in alts if pair[0] is not None]
            if kept:
                plan.groups.append(_any([q for q, _ in kept if q is not None]))
                plan.loose_groups.append(_any([lq or q for q, lq in kept if q is not None]))
        excluded = [self._term(t, Plan(), False, False)[0] for t in parsed.excluded]
        plan.excluded += [q for q in excluded if q is not None]
        plan.excluded += [self._source(s) for s in parsed.excluded_sources]
        plan.excluded += [Query.term_query(self._schema, LANG, c) for c in parsed.excluded_langs]
        if parsed.langs:
            langs = [Query.term_query(self._schema, LANG, code) for code in parsed.langs]
            plan.filters.append(_any(langs))
        if parsed.sources:
            plan.filters.append(_any([self._source(s) for s in parsed.sources]))
        if parsed.since or parsed.before:
            plan.filters.append(self._dates(parsed.since, parsed.before))
        return plan

    def _term(self, term: Term, plan: Plan, prefix: bool, fuzzy: bool) -> Compiled:
        """Compile a word or phrase (None: only stop words or punctuation), and its loose form."""
        text = fold(term.text)
        tokens = self._mixed.pre_tokenize(text).tokens
        # Every analyzer drops the same stop words, so their tokens pair up one to one.
        stems: list[Stem] = list(zip(*(a.analyze(text) for a in self._analyzers), strict=True))
        plan.stems.update(s for each in stems for s in each)
        if term.phrase or len(self._folded.analyze(text)) > 1:
            if len(stems) <= 1:
                return (self._stem_query(stems[0]) if stems else None), None
            first = tokens[0].position
            offsets = [t.position - first for t in tokens]
            return self._phrase_query(offsets, stems), None
        raw = self._folded.analyze(text)
        if not raw:
            return None, None
        return self._word(term.text, raw[0], stems[0] if stems else None, plan, prefix, fuzzy)

    def _stop(self, term: Term) -> bool:
        """Return whether a term is a bare stop word."""
        return not term.phrase and stop_word(term.text, self._folded, self._mixed)

    def _word(
        self, typed: str, raw: str, stem: Stem | None, plan: Plan, prefix: bool, fuzzy: bool
    ) -> Compiled:
        """Compile one word: its stem, completions when it is a prefix, neighbours when a typo.

        The loose form also lets a known word match its neighbours: used only when nothing
        matches every word, it forgives typos that happen to be words (or corpus typos).
        """
        alts: list[Query] = []
        if stem is not None and self._holding(stem):
            alts.append(self._stem_query(stem))
        surface = self._freq(TITLE_RAW, raw) + self._freq(BODY_RAW, raw)
        if prefix and len(raw) >= 2:
            alts += self._completion_queries(raw, stem if alts else None, surface > 0, plan)
        budget = len(plan.typos) + len(plan.loose_typos) < MAX_FUZZY_WORDS
        edits = allowed_edits(raw) if fuzzy and budget else 0
        if alts:
            if edits == 0:
                return _any(alts), None
            mixed = self._mixed.analyze(raw)  # as suggest.py stems the words it offers
            plan.loose_typos.append(Typo(typed, raw, edits, prefix, surface, "".join(mixed[:1])))
            return _any(alts), _any([*alts, self._neighbours(raw, edits, prefix)])
        if stem is None:
            return None, None  # a stop word, and no word it begins ("и", "a" are too short)
        if edits == 0:
            return Query.empty_query(), None
        plan.typos.append(Typo(typed, raw, edits, prefix))
        return self._neighbours(raw, edits, prefix), None

    def _neighbours(self, raw: str, edits: int, prefix: bool) -> Query:
        """Match words within `edits` of raw (of its start, when prefix), title boosted."""
        return _fields(
            Query.boost_query(self._fuzzy(TITLE_RAW, raw, edits, prefix), FUZZY_TITLE),
            Query.boost_query(self._fuzzy(BODY_RAW, raw, edits, prefix), FUZZY_BODY),
        )

    def _completion_queries(
        self, raw: str, stem: Stem | None, is_word: bool, plan: Plan
    ) -> list[Query]:
        """Complete the last word, which may be unfinished (inline search as you type).

        Short words and strings that are no word of the index are completed; a longer word
        that is one is taken as typed: that keeps finished queries fast, and stemming already
        matches its inflections. Completions of a word weigh less than those of a fragment.
        """
        if len(raw) > COMPLETE_UP_TO and is_word:
            return []
        completions = self._completions(raw, stem)
        if completions:
            plan.prefixes.add(raw)
        weight = KNOWN_PREFIX_WEIGHT if is_word else PREFIX_WEIGHT
        return [self._raw_query(c, weight) for c in completions]

    def _completions(self, prefix: str, stem: Stem | None) -> set[str]:
        """Return the most frequent indexed words starting with prefix, but no stop word ("the"
        found every article) nor an inflection of `stem`, which the stem query already matches."""
        words: set[str] = set()
        for field_name in (BODY_RAW, TITLE_RAW):  # stop words fill the top of "th": ask more
            found = self._searcher.terms_with_prefix(field_name, prefix, limit=3 * COMPLETIONS)
            kept = [t for t, _ in found if not stop_word(t, self._folded, self._mixed)]
            words.update(kept[:COMPLETIONS])
        if stem is not None:
            pairs = list(zip(self._analyzers, stem, strict=True))
            words = {w for w in words if all(a.analyze(w) != [s] for a, s in pairs)}
        return words

    def _holding(self, stem: Stem) -> list[tuple[tuple[str, str], str]]:
        """Return the (title, body) fields of each language holding its stem, with the stem."""
        found = zip(self._fields, stem, strict=True)
        return [(f, s) for f, s in found if self._freq(f[0], s) + self._freq(f[1], s) > 0]

    def _stem_query(self, stem: Stem) -> Query:
        """Match a stem in the title (boosted) or the body, in each language that holds it."""
        queries = [
            _fields(self._title_query(title, s), self._term_query(body, s))
            for (title, body), s in self._holding(stem)
        ]
        return _any(queries) if queries else Query.empty_query()

    def _title_query(self, field_name: str, term: str) -> Query:
        """Match a term in a title, scored by its rarity alone.

        Titles are a handful of words: BM25's length normalisation would rank a short title
        far above a long one holding the same words, a bias a person looking for a headline
        does not share. So a title match scores the term's BM25 idf (its average-length score).
        """
        df = self._freq(field_name, term)
        n = max(1, self._searcher.num_docs)
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return Query.const_score_query(self._term_query(field_name, term), idf)

    def _term_query(self, field_name: str, term: str) -> Query:
        """Match one indexed term (positions are not needed to score it)."""
        return Query.term_query(self._schema, field_name, term, index_option="freq")

    def _phrase_query(self, offsets: list[int], stems: list[Stem]) -> Query:
        """Match stems at these relative positions, in each language's articles."""
        phrase = partial(Query.phrase_query, self._schema)
        queries = []
        for i, (title, body) in enumerate(self._fields):
            words: list[str | tuple[int, str]] = [
                (at, each[i]) for at, each in zip(offsets, stems, strict=True)
            ]
            queries.append(_fields(phrase(title, words), phrase(body, words)))
        return _any(queries)

    def _raw_query(self, word: str, weight: float) -> Query:
        """Match a surface word in the title (boosted) or the body, scaled by weight."""
        title = Query.term_query(self._schema, TITLE_RAW, word, index_option="freq")
        body = Query.term_query(self._schema, BODY_RAW, word, index_option="freq")
        return Query.boost_query(_fields(title, body), weight)

    def _fuzzy(self, field_name: str, word: str, edits: int, prefix: bool) -> Query:
        """Match words within `edits` of word (of its start, when prefix)."""
        return Query.fuzzy_term_query(self._schema, field_name, word, edits, True, prefix)

    def _source(self, name: str) -> Query:
        """Match a source name, word for word."""
        words = self._folded.analyze(fold(name))
        if not words:
            return Query.empty_query()
        if len(words) == 1:
            return Query.term_query(self._schema, SOURCE, words[0])
        return Query.phrase_query(self._schema, SOURCE, list(words))

    def _dates(self, since: date | None, before: date | None) -> Query:
        """Match articles published on or after since and before before (UTC days)."""
        low = _epoch(since) if since else None
        high = _epoch(before) if before else None
        return Query.range_query(
            self._schema, TS, tantivy.FieldType.Integer, low, high, include_upper=high is None
        )

    def _freq(self, field_name: str, term: str) -> int:
        """Return how many documents hold term in field."""
        return int(self._searcher.doc_freq(field_name, term))


def _any(queries: list[Query]) -> Query:
    """Return a query matching any of queries, summing the scores of those that match."""
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Should, q) for q in queries])


def _fields(title: Query, body: Query) -> Query:
    """Combine a title and a body query, the title boosted."""
    return _any([Query.boost_query(title, TITLE_BOOST), body])


def _epoch(day: date) -> int:
    """Return the Unix time of midnight UTC at the start of day."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
