"""Known-item search: can a person find a story again from 2-3 words of its title, even misspelt?

From KNOWN_ITEMS random titled articles (fixed seed) the query is 2 or 3 of the title's rarest
words (document frequency over all titles and bodies), in title order, lowercased, as a
person would remember them; the misspelt copy has one of its 4+-letter words with one letter
dropped, doubled, swapped with the next or replaced. A query succeeds when the article is in
the top 5. The corpus repeats headlines (Reuters' daily "FED ADDS RESERVES VIA CUSTOMER
REPURCHASES" has many bodies), so a second figure also counts an article with the same title,
which a person who remembers only the title could not tell apart either. For this engine it
also counts how often a misspelt query gets a did-you-mean, and how often that is exactly the
clean query.
Run alone: `python -m benchmarks.search_quality`.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any, Protocol

from benchmarks.search_corpus import misspell, title_words

SEED = 5
KNOWN_ITEMS = 300
TOP = 5


class Searchable(Protocol):
    """An engine that returns the ids of its top 10 for a list of words."""

    def search(self, words: list[str]) -> list[str]: ...


def document_frequency(records: list[dict[str, Any]]) -> Counter[str]:
    """Return in how many records each title-style word occurs (title or body)."""
    df: Counter[str] = Counter()
    for rec in records:
        text = f"{rec.get('title') or ''} {rec.get('body') or ''}"
        df.update(set(title_words(text)))
    return df


def known_items(records: list[dict[str, Any]]) -> list[tuple[str, list[str], list[str]]]:
    """Return (id, clean words, misspelt words) for KNOWN_ITEMS random titled articles."""
    df = document_frequency(records)
    rng = random.Random(SEED)
    order = list(range(len(records)))
    rng.shuffle(order)
    out: list[tuple[str, list[str], list[str]]] = []
    for i in order:
        words = title_words(records[i].get("title") or "")
        if len(words) < 2 or not any(len(w) >= 4 for w in words):
            continue
        k = min(len(words), rng.choice((2, 3)))
        rarest = sorted(words, key=lambda w: df[w])[:k]
        clean = [w for w in words if w in rarest]
        typo = list(clean)
        j = rng.choice([n for n, w in enumerate(typo) if len(w) >= 4] or [0])
        typo[j] = misspell(typo[j], rng)
        out.append((str(records[i]["id"]), clean, typo))
        if len(out) == KNOWN_ITEMS:
            break
    return out


def evaluate(engine: Searchable, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the top-5 hit rates of the clean and misspelt known-item queries."""
    titles = {str(r["id"]): " ".join((r.get("title") or "").lower().split()) for r in records}
    items = known_items(records)
    counts = Counter[str]()
    misses: list[str] = []
    for article_id, clean, typo in items:
        for kind, words in (("clean", clean), ("misspelt", typo)):
            top = engine.search(words)[:TOP]
            strict = article_id in top
            counts[kind] += strict
            same = any(titles.get(t) == titles[article_id] for t in top)
            counts[kind + "_title"] += strict or same
            if not strict and len(misses) < 12:
                misses.append(f"{kind}: {' '.join(words)!r} -> {article_id}")
        suggest = getattr(engine, "suggest", None)
        if suggest is not None:
            offered = suggest(typo)
            counts["offered"] += offered is not None
            counts["restored"] += offered == " ".join(clean)
    n = len(items)
    keys = ("clean", "misspelt", "clean_title", "misspelt_title", "offered", "restored")
    rates = {k: counts[k] / n for k in keys}
    return {"n": n, **rates, "sample_misses": misses}


def main() -> None:
    """Build this project's engine over the corpus and print its known-item figures."""
    from benchmarks.search import print_quality

    print_quality(["tantivy", "fts5"])


if __name__ == "__main__":
    main()
