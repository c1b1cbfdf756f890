"""Story-clustering scores and the README's online TF-IDF baseline, for benchmarks/stories.py."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np
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


def tfidf_matrix(texts: Sequence[str]) -> np.ndarray:
    """Return L2-normalised sublinear TF-IDF rows (IDF from the whole file) as a dense matrix."""
    vectorizer = TfidfVectorizer(analyzer=baseline_tokens, sublinear_tf=True)
    return vectorizer.fit_transform(texts).astype(np.float32).toarray()


def online_single_pass(x: np.ndarray, threshold: float) -> list[str]:
    """Join each row to the cluster with the most similar centroid if cosine ≥ threshold."""
    centroids = np.zeros((64, x.shape[1]), dtype=np.float32)
    norms: list[float] = []
    labels: list[str] = []
    for row in x:
        k = len(norms)
        best = -1
        if k:
            sims = centroids[:k] @ row / np.sqrt(np.asarray(norms))
            best = int(np.argmax(sims))
            if sims[best] < threshold:
                best = -1
        if best < 0:
            if k == centroids.shape[0]:
                centroids = np.vstack([centroids, np.zeros_like(centroids)])
            best = k
            norms.append(0.0)
        dot = float(centroids[best] @ row)
        centroids[best] += row
        norms[best] += 2 * dot + float(row @ row)
        labels.append(f"c{best}")
    return labels


def majority_gold(members: Sequence[str], gold_of: dict[str, str]) -> str:
    """Return the gold label most members of a predicted story carry."""
    return Counter(gold_of[m] for m in members).most_common(1)[0][0]


def sizes_by_gold(ids: Sequence[str], gold_of: dict[str, str]) -> dict[str, int]:
    """Count the given ids per gold label."""
    counts: dict[str, int] = defaultdict(int)
    for item_id in ids:
        counts[gold_of[item_id]] += 1
    return counts
