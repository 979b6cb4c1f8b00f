"""Scores for story clustering, defined exactly as the benchmark's reference ``score.py``.

Pairwise precision/recall/F1 (Miranda et al. 2018): over the gold × predicted contingency
table, tp = Σ C(n_ij, 2), fp = Σ_j C(n_.j, 2) − tp, fn = Σ_i C(n_i., 2) − tp; with no
predicted pairs precision is 1.0, with no gold pairs recall is 1.0. BCubed (Bagga & Baldwin
1998) averages per-document precision and recall, F1 of the averages. A gold document with
no prediction is its own singleton; per-dataset scores restrict both clusterings to that
dataset's documents.

When the records say which language each document is in (read for scoring only), the
cross-language pairwise scores count only pairs of documents in different languages: did
the clusterer join each report to its translations, and only to them?
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from typing import Any


def _c2(n: int) -> int:
    return n * (n - 1) // 2


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def pairwise(gold: Mapping[Any, Hashable], pred: Mapping[Any, Hashable]) -> dict[str, float]:
    """Pairwise P/R/F1 over the documents of ``gold`` (``pred`` must cover the same keys)."""
    cells = Counter((gold[d], pred[d]) for d in gold)
    tp = sum(_c2(n) for n in cells.values())
    pred_pairs = sum(_c2(n) for n in Counter(pred[d] for d in gold).values())
    gold_pairs = sum(_c2(n) for n in Counter(gold.values()).values())
    p = tp / pred_pairs if pred_pairs else 1.0
    r = tp / gold_pairs if gold_pairs else 1.0
    return {"precision": p, "recall": r, "f1": _f1(p, r)}


def bcubed(gold: Mapping[Any, Hashable], pred: Mapping[Any, Hashable]) -> dict[str, float]:
    """BCubed P/R/F1: per-document averages, F1 of the averages."""
    n = len(gold)
    if n == 0:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    cells = Counter((gold[d], pred[d]) for d in gold)
    gsize = Counter(gold.values())
    psize = Counter(pred[d] for d in gold)
    p = sum(cells[(gold[d], pred[d])] / psize[pred[d]] for d in gold) / n
    r = sum(cells[(gold[d], pred[d])] / gsize[gold[d]] for d in gold) / n
    return {"precision": p, "recall": r, "f1": _f1(p, r)}


def _cross_pairs(groups: Counter[tuple[Hashable, ...]]) -> int:
    """Pairs in different languages, from counts keyed by (group..., language)."""
    by_group: dict[tuple[Hashable, ...], list[int]] = {}
    for key, n in groups.items():
        by_group.setdefault(key[:-1], []).append(n)
    return sum(_c2(sum(ns)) - sum(_c2(n) for n in ns) for ns in by_group.values())


def cross_language(gold: Mapping[Any, Hashable], pred: Mapping[Any, Hashable],
                   language: Mapping[Any, Hashable]) -> dict[str, float]:
    """Pairwise P/R/F1 over pairs of documents whose languages differ."""
    tp = _cross_pairs(Counter((gold[d], pred[d], language[d]) for d in gold))
    pred_pairs = _cross_pairs(Counter((pred[d], language[d]) for d in gold))
    gold_pairs = _cross_pairs(Counter((gold[d], language[d]) for d in gold))
    p = tp / pred_pairs if pred_pairs else 1.0
    r = tp / gold_pairs if gold_pairs else 1.0
    return {"precision": p, "recall": r, "f1": _f1(p, r)}


def evaluate(records: Sequence[Mapping[str, Any]], pred: Mapping[Any, Hashable]
             ) -> dict[str, Any]:
    """Overall and per-dataset scores: ``{"pairwise", "bcubed", "by_dataset": {name: ...}}``."""
    gold_all = {r["id"]: r["story"] for r in records}
    pred_all = {d: pred.get(d, ("__missing__", d)) for d in gold_all}
    result: dict[str, Any] = {"pairwise": pairwise(gold_all, pred_all),
                              "bcubed": bcubed(gold_all, pred_all), "by_dataset": {}}
    for name in sorted({str(r["dataset"]) for r in records}):
        ids = [r["id"] for r in records if r["dataset"] == name]
        g = {d: gold_all[d] for d in ids}
        p = {d: pred_all[d] for d in ids}
        result["by_dataset"][name] = {"pairwise": pairwise(g, p), "bcubed": bcubed(g, p)}
    language = {r["id"]: r.get("language") for r in records}
    if len(set(language.values()) - {None}) > 1:
        result["cross_language"] = cross_language(gold_all, pred_all, language)
    return result
