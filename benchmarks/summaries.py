"""ROUGE of the extractive summariser against Lead-K and sumy LexRank/TextRank, with timings."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import orjson
from rouge_score.rouge_scorer import RougeScorer
from rouge_score.tokenizers import DefaultTokenizer
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.nlp.stemmers import Stemmer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer
from sumy.utils import get_stop_words

from benchmarks.common import SHARED_DATA, iter_jsonl, median, percentile, table
from bot.summarize import split_sentences, summarize

DATA = SHARED_DATA / "summarization"
SETS = (("cnndm_dev", 3), ("xsum_test_frank", 1), ("bbc_news_summary", 3))
ANCHORS = {"Lead": "lead", "LexRank (sumy)": "lexrank", "TextRank (sumy)": "textrank"}

Record = dict[str, Any]
System = Callable[[Record, int], list[str]]


class _RegexWords:
    """The word tokenizer sumy needs, without nltk's punkt data (not installable offline)."""

    _word = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")

    def to_words(self, text: str) -> list[str]:
        """Return the words of text."""
        return self._word.findall(text)


class _CachedTokenizer:
    """rouge-score's own tokenizer (Porter stemming), remembering texts it has seen.

    References are scored against four systems and system outputs repeat across them;
    stemming is most of ROUGE's cost, and the scores are identical.
    """

    def __init__(self) -> None:
        self._inner = DefaultTokenizer(use_stemmer=True)
        self._seen: dict[str, list[str]] = {}

    def tokenize(self, text: str) -> list[str]:
        """Return the stemmed tokens of text."""
        tokens = self._seen.get(text)
        if tokens is None:
            tokens = self._seen[text] = self._inner.tokenize(text)
        return tokens


def new_scorer() -> RougeScorer:
    """Return the scorer of the issue: ROUGE-1, -2 and -Lsum with Porter stemming."""
    return RougeScorer(["rouge1", "rouge2", "rougeLsum"], tokenizer=_CachedTokenizer())


def _sumy_system(kind: str) -> System:
    """Return a system running sumy's LexRank or TextRank over our own sentence split."""
    summarizer = LexRankSummarizer(Stemmer("english")) if kind == "lexrank" else None
    if summarizer is None:
        summarizer = TextRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    words = _RegexWords()

    def run(rec: Record, k: int) -> list[str]:
        sents = [Sentence(s, words) for s in split_sentences(rec["article"], "en")]
        if not sents:
            return []
        doc = ObjectDocumentModel([Paragraph(sents)])
        return [str(s) for s in summarizer(doc, k)]

    return run


def _ours(rec: Record, k: int) -> list[str]:
    """Run this project's summariser."""
    return summarize(rec["article"], rec.get("title") or "", sentences=k, lang="en")


def _lead(rec: Record, k: int) -> list[str]:
    """Return the first k sentences by our splitter."""
    return split_sentences(rec["article"], "en")[:k]


def evaluate(
    system: System, records: list[Record], k: int, scorer: RougeScorer | None = None
) -> dict[str, float]:
    """Return mean ROUGE F1 x100 and mean/median/p99 ms per article of system on records."""
    scorer = scorer or new_scorer()
    totals = {"rouge1": 0.0, "rouge2": 0.0, "rougeLsum": 0.0}
    times: list[float] = []
    for rec in records:
        start = time.perf_counter()
        output = system(rec, k)
        times.append((time.perf_counter() - start) * 1000)
        scores = scorer.score(rec["reference"], "\n".join(output))
        for key in totals:
            totals[key] += scores[key].fmeasure
    n = len(records) or 1
    result = {key: 100 * value / n for key, value in totals.items()}
    result["ms_mean"] = sum(times) / n
    result["ms_median"] = median(times)
    result["ms_p99"] = percentile(times, 99)
    return result


def _row(name: str, res: dict[str, float], anchor: dict[str, Any] | None) -> list[str]:
    """Format one table row: our measurement, then the anchor measured in baselines_measured."""
    ref = "—"
    if anchor:
        ms = anchor.get("ms_per_article")
        ref = f"{anchor['rouge1']:.2f} / {anchor['rouge2']:.2f} / {anchor['rougeLsum']:.2f}"
        ref += f" ({ms} ms)" if ms is not None else ""
    return [
        name,
        f"{res['rouge1']:.2f}",
        f"{res['rouge2']:.2f}",
        f"{res['rougeLsum']:.2f}",
        f"{res['ms_mean']:.2f} / {res['ms_median']:.2f} / {res['ms_p99']:.2f}",
        ref,
    ]


def main() -> None:
    """Print one Markdown table: every system on every set, with the measured anchors beside."""
    anchors = orjson.loads((DATA / "baselines_measured.json").read_bytes())
    systems: list[tuple[str, System]] = [
        ("newsbrief", _ours),
        ("Lead", _lead),
        ("LexRank (sumy)", _sumy_system("lexrank")),
        ("TextRank (sumy)", _sumy_system("textrank")),
    ]
    rows: list[list[str]] = []
    scorer = new_scorer()
    for name, k in SETS:
        records = list(iter_jsonl(DATA / f"{name}.jsonl"))
        measured = anchors.get(f"{name}@{k}", {})
        for label, system in systems:
            res = evaluate(system, records, k, scorer)
            anchor = measured.get(ANCHORS[label]) if label in ANCHORS else None
            rows.append(_row(f"{name} (n={len(records)}) {label}-{k}", res, anchor))
    headers = [
        "set / system",
        "R-1",
        "R-2",
        "R-Lsum",
        "ms mean / median / p99",
        "anchor R-1/2/Lsum",
    ]
    print(table(headers, rows))


if __name__ == "__main__":
    main()
