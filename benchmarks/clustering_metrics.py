"""Story-clustering scores and the README's online TF-IDF baseline, for benchmarks/stories.py."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import normalized_mutual_info_score

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"\w+")


def bcubed(gold: Sequence[str], pred: Sequence[str]) -> tuple[float, float, float]:
    """Return BCubed precision, recall and F1 of pred against gold (aligned label lists)."""
    pair = Counter(zip(gold, pred, strict=True))
    gold_size = Counter(gold)
    pred_size = Counter(pred)
    n = len(gold)
    precision = sum(c * c / pred_size[p] for (_, p), c in pair.items()) / n
    recall = sum(c * c / gold_size[g] for (g, _), c in pair.items()) / n
    return precision, recall, 2 * precision * recall / (precision + recall)


def scores(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float]:
    """Return BCubed P/R/F1, NMI and the predicted cluster count."""
    p, r, f = bcubed(gold, pred)
    nmi = normalized_mutual_info_score(gold, pred)
    return {"P": p, "R": r, "F1": f, "NMI": float(nmi), "clusters": len(set(pred))}


def score_row(name: str, gold: list[str], pred: list[str], seconds: float) -> list[str]:
    """Return a table row: name, BCubed P/R/F1, NMI, clusters (gold), ms per 1k articles."""
    s = scores(gold, pred)
    ms = seconds * 1e6 / len(gold)
    return [
        name,
        f"{s['P']:.3f}",
        f"{s['R']:.3f}",
        f"{s['F1']:.3f}",
        f"{s['NMI']:.3f}",
        f"{s['clusters']} ({len(set(gold))})",
        f"{ms:,.1f}",
    ]


def baseline_tokens(text: str) -> list[str]:
    """Lower-case words, with CJK runs split into character bigrams (as the README baseline)."""
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        pos = 0
        for run in _CJK.finditer(word):
            if run.start() > pos:
                out.append(word[pos : run.start()])
            chars = run.group()
            out.extend(
                [chars] if len(chars) == 1 else [chars[i : i + 2] for i in range(len(chars) - 1)]
            )
            pos = run.end()
        if pos < len(word):
            out.append(word[pos:])
    return out


def tfidf_matrix(texts: Sequence[str]) -> csr_matrix:
    """Return L2-normalised sublinear TF-IDF rows (IDF from the whole file), sparse."""
    vectorizer = TfidfVectorizer(analyzer=baseline_tokens, sublinear_tf=True, dtype=np.float32)
    return csr_matrix(vectorizer.fit_transform(texts))


def online_single_pass(x: csr_matrix, threshold: float) -> list[str]:
    """Join each row to the cluster with the most similar centroid if cosine ≥ threshold."""
    centroids = np.zeros((64, x.shape[1]), dtype=np.float32)
    norms = np.zeros(64, dtype=np.float64)
    labels: list[str] = []
    k = 0
    for i in range(x.shape[0]):
        cols = x.indices[x.indptr[i] : x.indptr[i + 1]]
        vals = x.data[x.indptr[i] : x.indptr[i + 1]]
        best = -1
        if k:
            # Only the row's non-zero columns matter, so score on those alone.
            sims = (centroids[:k, cols] @ vals) / np.sqrt(norms[:k])
            best = int(np.argmax(sims))
            if sims[best] < threshold:
                best = -1
        if best < 0:
            if k == centroids.shape[0]:
                centroids = np.vstack([centroids, np.zeros_like(centroids)])
                norms = np.concatenate([norms, np.zeros_like(norms)])
            best, k = k, k + 1
        dot = float(centroids[best, cols] @ vals)
        centroids[best, cols] += vals
        norms[best] += 2 * dot + float(vals @ vals)
        labels.append(f"c{best}")
    return labels


def majority_gold(members: Sequence[str], gold_of: dict[str, str]) -> str:
    """Return the gold label most members of a predicted story carry."""
    return Counter(gold_of[m] for m in members).most_common(1)[0][0]


def largest_gold(
    ids: Collection[str], gold_of: dict[str, str], k: int
) -> tuple[set[str], int, int]:
    """Return the gold labels among the k largest over ids (ties with the k-th included),
    the k-th largest size, and the number of gold labels."""
    sizes = Counter(gold_of[item_id] for item_id in ids)
    ranked = sorted(sizes.values(), reverse=True)
    kth = ranked[min(k, len(ranked)) - 1] if ranked else 0
    return {g for g, size in sizes.items() if size >= kth}, kth, len(sizes)
