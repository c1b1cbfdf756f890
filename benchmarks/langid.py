"""Article language detection: what the store runs (an English fast path, then py3langid),
py3langid alone, and the old script rule (the anchor).

Accuracy on the titles+bodies of the shared feeds (language known per feed) and corpora (all
English), and on the generated sentences of `benchmarks/langid_sentences.py` (343 a language);
cost per article is the median of `detect_language` on title + body.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from benchmarks.common import CORPUS_DIR, CORPUS_FILES, SHARED_DATA, iter_jsonl, median, table
from benchmarks.langid_sentences import sentences
from bot.ingest.feedparse import parse_feed
from bot.text.lang import _identifier, detect_language

FEEDS = {
    "guardian_us.rss.xml": "en",
    "heise_developer.atom.xml": "de",
    "jn_pt_iso8859-1.rss.xml": "pt",
    "uol_noticias_iso8859-1.rss.xml": "pt",
}
CORPUS_SAMPLE = 3000  # records of each corpus file


def script_rule(text: str, sample: int = 2000) -> str:
    """Return the language the store guessed before: Russian when mostly Cyrillic, else English."""
    cyrillic = latin = 0
    for ch in text[:sample]:
        if "\u0400" <= ch <= "\u04ff":
            cyrillic += 1
        elif ch.isascii() and ch.isalpha():
            latin += 1
    return "ru" if cyrillic > latin else "en"


def py3langid_alone(text: str, sample: int = 2000) -> str:
    """Return py3langid's guess (over the same languages) without the English fast path."""
    return str(_identifier().classify(text[:sample])[0])


Detector = Callable[[str], str]
DETECTORS: tuple[tuple[str, Detector], ...] = (
    ("newsbrief (fast path + py3langid)", detect_language),
    ("py3langid alone", py3langid_alone),
    ("script rule (before)", script_rule),
)


def _feed_texts() -> list[tuple[str, str, str]]:
    """Return (set, expected language, title + body) for each item of the shared feeds."""
    out = []
    now = datetime.now(UTC)
    for name, lang in FEEDS.items():
        raw = (SHARED_DATA / "feeds" / name).read_bytes()
        for draft in parse_feed(raw, source=name, fetched_at=now).drafts:
            out.append((f"feed {name}", lang, f"{draft.title}\n{draft.body}"))
    return out


def _corpus_texts() -> list[tuple[str, str, str]]:
    """Return (set, "en", title + body) for a sample of each corpus file."""
    out = []
    for name in CORPUS_FILES:
        for i, rec in enumerate(iter_jsonl(CORPUS_DIR / name)):
            if i >= CORPUS_SAMPLE:
                break
            out.append(
                (f"corpus {name}", "en", f"{rec.get('title') or ''}\n{rec.get('body') or ''}")
            )
    return out


def _sentence_texts() -> list[tuple[str, str, str]]:
    """Return (set, language, sentence) for the generated sentences."""
    return [(f"sentences {lang}", lang, s) for lang, items in sentences().items() for s in items]


def main() -> None:
    """Print accuracy per set and detector, the commonest mistakes, and the cost per article."""
    texts = _feed_texts() + _corpus_texts() + _sentence_texts()
    sets = list(dict.fromkeys(name for name, _, _ in texts))
    right: dict[tuple[str, str], int] = Counter()
    seen: Counter[str] = Counter()
    wrong: Counter[tuple[str, str]] = Counter()
    costs: dict[str, list[float]] = {label: [] for label, _ in DETECTORS}
    detect_language("warm up: load the model before timing")
    for name, lang, text in texts:
        seen[name] += 1
        for label, detect in DETECTORS:
            start = time.perf_counter()
            guess = detect(text)
            costs[label].append((time.perf_counter() - start) * 1000)
            right[name, label] += guess == lang
            if guess != lang and detect is detect_language:
                wrong[lang, guess] += 1
    rows = [
        [f"{name} (n={seen[name]})", *(_pct(right[name, lbl], seen[name]) for lbl, _ in DETECTORS)]
        for name in sets
    ]
    total = sum(seen.values())
    rows.append(
        [
            f"**all** (n={total})",
            *(_pct(sum(right[n, lbl] for n in sets), total) for lbl, _ in DETECTORS),
        ]
    )
    rows.append(["ms per text, median", *(f"{median(costs[lbl]):.3f}" for lbl, _ in DETECTORS)])
    rows.append(
        ["ms per text, mean", *(f"{sum(costs[lbl]) / len(costs[lbl]):.3f}" for lbl, _ in DETECTORS)]
    )
    print(table(["set", *(label for label, _ in DETECTORS)], rows))
    mistakes = ", ".join(f"{a}→{b} ×{n}" for (a, b), n in wrong.most_common(8)) or "none"
    print(f"\npy3langid's commonest mistakes (expected→guessed): {mistakes}")


def _pct(hits: int, n: int) -> str:
    """Return hits/n as a percentage with one decimal."""
    return f"{100 * hits / n:.1f} %" if n else "-"


if __name__ == "__main__":
    main()
