"""Cross-validated story quality: settings chosen on one half of each dev set, scored on the other.

Every dev set is split in two halves at random, by story (gnews_dev, mmds_dev), by pair
(ru_pairs_dev) or by article (ruen_dev), `REPEATS` times with different seeds. For each half,
the engine's settings are chosen on that half alone (the in-fold figure) and scored on the
other half (the out-of-fold figure, the honest estimate for news never seen). The figures are
means over the 2 × REPEATS choices. The baseline, the data README's online single-pass TF-IDF,
gets the same treatment with its own threshold per set.

The choice: among the grid points, the best mean of gnews B³ F1, mmds B³ F1, Russian pairs
accuracy and the ruen share joined, less how far each precision figure falls under the issue's
floor: gnews B³ precision 0.95, mmds same-language pair precision 0.93 and cross-language pair
precision 0.90. Counted once each: ten times over, the same-language floor (0.58–0.75 on every
grid point) outweighed all else and chose the highest threshold; left out, the choice went to
the lowest threshold and no seed link, with cross-language precision 0.78 and topic chains on
the shared corpus.
A half of gnews holds 35 stories, not the 70
of the dev set nor the ~76 of the kept-apart half, so its clustering is a little easier.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from benchmarks.clustering_metrics import online_single_pass, scores, tfidf_matrix
from benchmarks.common import table
from benchmarks.story_sets import (
    RuPair,
    halves,
    load_ru_pairs,
    load_ruen,
    load_set,
    pair_scores,
    rough_lang,
    ru_pairs_joined,
    ruen_joined,
    ruen_stream,
    run_engine,
    to_items,
)
from bot.stories import EngineSettings

REPEATS = 2
BASELINE_THRESHOLDS = (0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.40, 0.50, 0.60)
Metrics = dict[str, float]


def grid() -> list[EngineSettings]:
    """Return the settings the folds choose from: threshold and length_power (the rest are guards).

    The seed link was in the grid too (0 and 0.1): every fold chose 0, since the dev sets hold
    no long-running topic to drift along; it is now a fixed guard (`EngineSettings`). So was
    the headline rule (title_shared 0 and 1, with these 6 points): every fold chose 1;
    the reworded headlines (reworded 2, 1 and off): 3 of 4 chose 2, the best mean over the
    halves; and country names as headline words (title_countries True and False): 3 of 4
    chose False, the best mean over the halves (0.920 against 0.855).
    """
    base = EngineSettings()
    return [
        replace(base, threshold=t, length_power=p) for t in (0.10, 0.125, 0.15) for p in (0.5, 0.75)
    ]


def describe(settings: EngineSettings) -> str:
    """Name a grid point by what differs from the defaults."""
    default = EngineSettings()
    changed = [
        f"{name}={getattr(settings, name)}"
        for name in settings.__slots__
        if getattr(settings, name) != getattr(default, name)
    ]
    return " ".join(changed) or "defaults"


@dataclass(frozen=True, slots=True)
class Dev:
    """The four dev sets (or a half of each)."""

    gnews: list[dict[str, Any]]
    mmds: list[dict[str, Any]]
    pairs: list[RuPair]
    ruen: list[dict[str, Any]]

    @classmethod
    def load(cls) -> Dev:
        """Load all four sets."""
        return cls(load_set("gnews_dev"), load_set("mmds_dev"), load_ru_pairs(), load_ruen())

    def split(self, repeat: int) -> tuple[Dev, Dev]:
        """Return the two halves of one repeat."""
        parts: list[list[list[Any]]] = []
        for name, rows, key in (
            ("gnews", self.gnews, lambda r: r["story"]),
            ("mmds", self.mmds, lambda r: r["story"]),
            ("pairs", self.pairs, lambda p: p.key),
            ("ruen", self.ruen, lambda r: r["id"]),
        ):
            first, _ = halves([key(r) for r in rows], f"{name}-{repeat}")
            parts.append(
                [[r for r in rows if key(r) in first], [r for r in rows if key(r) not in first]]
            )
        return Dev(*(p[0] for p in parts)), Dev(*(p[1] for p in parts))


def engine_metrics(dev: Dev, settings: EngineSettings) -> Metrics:
    """Return every figure of the engine with settings on dev."""
    out: Metrics = {}
    gnews = scores([r["story"] for r in dev.gnews], run_engine(to_items(dev.gnews), settings))
    out |= {f"gnews {k}": v for k, v in gnews.items()}
    out |= _mmds(dev.mmds, run_engine(to_items(dev.mmds), settings))
    out |= _pairs(dev.pairs, ru_pairs_joined(dev.pairs, settings))
    joined = ruen_joined(dev.ruen, settings)
    out["ruen"] = sum(joined) / len(joined)
    return out


def _mmds(records: list[dict[str, Any]], labels: Sequence[str]) -> Metrics:
    gold = [r["story"] for r in records]
    langs = [rough_lang(r["title"], r["body"]) for r in records]
    out = {f"mmds {k}": v for k, v in scores(gold, labels).items()}
    return out | pair_scores(gold, labels, langs)


def _pairs(pairs: Sequence[RuPair], joined: Sequence[bool]) -> Metrics:
    right = sum(j == p.same for p, j in zip(pairs, joined, strict=True))
    return {
        "ru acc": right / len(pairs),
        "ru false joined": sum(j and not p.same for p, j in zip(pairs, joined, strict=True)),
        "ru false": sum(not p.same for p in pairs),
        "ru true joined": sum(j and p.same for p, j in zip(pairs, joined, strict=True)),
        "ru true": sum(p.same for p in pairs),
    }


def objective(m: Metrics) -> float:
    """Return the figure a fold maximises (module docstring)."""
    mean = statistics.fmean([m["gnews F1"], m["mmds F1"], m["ru acc"], m["ruen"]])
    floors = (("gnews P", 0.95), ("same P", 0.93), ("cross P", 0.90))
    return mean - sum(max(0.0, floor - m[key]) for key, floor in floors)


def baseline_metrics(dev: Dev, thresholds: dict[str, float]) -> Metrics:
    """Return the online TF-IDF baseline's figures on dev at one threshold per set."""
    out: Metrics = {}
    for name, rows in (("gnews", dev.gnews), ("mmds", dev.mmds)):
        x = tfidf_matrix([f"{r['title']} {r['body']}" for r in rows])
        labels = online_single_pass(x, thresholds[name])
        if name == "gnews":
            out |= {f"gnews {k}": v for k, v in scores([r["story"] for r in rows], labels).items()}
        else:
            out |= _mmds(rows, labels)
    out |= _pairs(dev.pairs, _baseline_pairs(dev.pairs, thresholds["ru"]))
    items = ruen_stream(dev.ruen)
    labels = online_single_pass(
        tfidf_matrix([f"{i.title} {i.body}" for i in items]), thresholds["ruen"]
    )
    out["ruen"] = sum(labels[2 * n] == labels[2 * n + 1] for n in range(len(dev.ruen))) / len(
        dev.ruen
    )
    return out


def _baseline_pairs(pairs: Sequence[RuPair], threshold: float) -> list[bool]:
    """Return whether each pair's TF-IDF cosine (IDF from its pool's texts) reaches threshold."""
    joined: dict[str, bool] = {}
    for pool in {p.pool for p in pairs}:
        members = [p for p in pairs if p.pool == pool]
        x = tfidf_matrix([" ".join(t) for p in members for t in (p.first, p.second)])
        for n, pair in enumerate(members):
            joined[pair.key] = float(x[2 * n].multiply(x[2 * n + 1]).sum()) >= threshold
    return [joined[p.key] for p in pairs]


_BASELINE_TARGET: dict[str, Callable[[Metrics], float]] = {
    "gnews": lambda m: m["gnews F1"],
    "mmds": lambda m: m["mmds F1"],
    "ru": lambda m: m["ru acc"],
    "ruen": lambda m: m["ruen"],
}


def _best_baseline(dev: Dev) -> dict[str, float]:
    """Return the baseline threshold of each set that scores best on dev."""
    runs = {
        t: baseline_metrics(dev, dict.fromkeys(_BASELINE_TARGET, t)) for t in BASELINE_THRESHOLDS
    }
    return {
        name: max(BASELINE_THRESHOLDS, key=lambda t: (target(runs[t]), -t))
        for name, target in _BASELINE_TARGET.items()
    }


@dataclass
class CrossValidation:
    """In-fold and out-of-fold figures of the engine and the baseline, and the engine's choices."""

    engine_in: list[Metrics]
    engine_out: list[Metrics]
    baseline_in: list[Metrics]
    baseline_out: list[Metrics]
    chosen: Counter[str]
    defaults: Metrics
    # Grid point -> its objective on every half: the defaults are the best mean (GridSearchCV's
    # refit rule), steadier than the choice on the whole sets, which one gold cluster can swing.
    by_point: dict[str, list[float]] = field(default_factory=dict)


def cross_validate(dev: Dev, repeats: int = REPEATS) -> CrossValidation:
    """Run the grid and the baseline on every half; choose on one half, score the other."""
    cv = CrossValidation([], [], [], [], Counter(), engine_metrics(dev, EngineSettings()))
    points = grid()
    for repeat in range(repeats):
        parts = dev.split(repeat)
        runs = [[engine_metrics(part, s) for s in points] for part in parts]
        for i, point in enumerate(points):
            cv.by_point.setdefault(describe(point), []).extend(objective(r[i]) for r in runs)
        for h in (0, 1):
            best = max(range(len(points)), key=lambda i: objective(runs[h][i]))
            cv.chosen[describe(points[best])] += 1
            cv.engine_in.append(runs[h][best])
            cv.engine_out.append(runs[1 - h][best])
            thresholds = _best_baseline(parts[h])
            cv.baseline_in.append(baseline_metrics(parts[h], thresholds))
            cv.baseline_out.append(baseline_metrics(parts[1 - h], thresholds))
    return cv


def _mean(runs: list[Metrics], key: str) -> float:
    return float(np.mean([m[key] for m in runs]))


def _rows(cv: CrossValidation, cells: Callable[[list[Metrics]], list[str]]) -> list[list[str]]:
    return [
        ["online TF-IDF baseline, in-fold", *cells(cv.baseline_in)],
        ["online TF-IDF baseline, out-of-fold", *cells(cv.baseline_out)],
        ["engine, in-fold", *cells(cv.engine_in)],
        ["**engine, out-of-fold**", *cells(cv.engine_out)],
        ["engine, out-of-fold, worst half", *cells([min(cv.engine_out, key=objective)])],
        ["engine defaults, whole dev set", *cells([cv.defaults])],
    ]


def tables(cv: CrossValidation) -> str:
    """Render the three cross-validation tables and the choices."""

    def f(runs: list[Metrics], *keys: str) -> list[str]:
        return [f"{_mean(runs, k):.3f}" for k in keys]

    gnews = table(
        ["gnews_dev", "B³ P", "B³ R", "B³ F1", "NMI", "clusters"],
        _rows(
            cv,
            lambda r: [
                *f(r, "gnews P", "gnews R", "gnews F1", "gnews NMI"),
                f"{_mean(r, 'gnews clusters'):.0f}",
            ],
        ),
    )
    mmds = table(
        [
            "mmds_dev",
            "B³ P",
            "B³ R",
            "B³ F1",
            "same-lang P",
            "same-lang R",
            "cross-lang P",
            "cross-lang R",
        ],
        _rows(
            cv,
            lambda r: f(r, "mmds P", "mmds R", "mmds F1", "same P", "same R", "cross P", "cross R"),
        ),
    )

    def russian(r: list[Metrics]) -> list[str]:
        wrong = _mean(r, "ru false joined") / _mean(r, "ru false")
        right = _mean(r, "ru true joined") / _mean(r, "ru true")
        return [*f(r, "ru acc"), f"{wrong:.3f}", f"{right:.3f}", *f(r, "ruen")]

    ru = table(
        [
            "Russian",
            "ru pairs accuracy",
            "different-story pairs joined (share)",
            "same-story pairs joined (share)",
            "ruen share joined",
        ],
        _rows(cv, russian),
    )
    chosen = ", ".join(f"{name} ×{n}" for name, n in cv.chosen.most_common())
    means = sorted(((statistics.fmean(v), k) for k, v in cv.by_point.items()), reverse=True)
    points = ", ".join(f"{name} {mean:.3f}" for mean, name in means)
    note = (
        "In-fold and out-of-fold means coincide when both halves of a repeat choose the same "
        "settings: the choice then carried over. The worst half is the out-of-fold half with "
        "the lowest objective."
    )
    return (
        f"{gnews}\n\n{mmds}\n\n{ru}\n\nsettings chosen by the folds: {chosen}\n"
        f"mean objective over the halves, best first (the defaults): {points}\n{note}"
    )
