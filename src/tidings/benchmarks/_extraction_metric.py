"""The extraction benchmark's metric, written from the data set's README.

``\\w+`` tokens, multisets of overlapping 4-token shingles, per-page tp/fp/fn scaled to sum to 1,
precision and recall averaged over pages, F1 of the two means, and a bootstrap spread. A text
with fewer than four tokens is one (shorter) shingle, as in the benchmark's own evaluation.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+")
NGRAM = 4


def shingles(text: str, n: int = NGRAM) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True, slots=True)
class PageScore:
    precision: float
    recall: float
    empty: bool  # the prediction was empty while the truth was not


def score_page(truth: str, predicted: str) -> PageScore:
    """Per-page precision and recall from normalised tp/fp/fn."""
    t, p = shingles(truth), shingles(predicted)
    if not t and not p:
        return PageScore(1.0, 1.0, False)
    if not p:
        return PageScore(0.0, 0.0, True)
    tp = sum((t & p).values())
    fp = sum(p.values()) - tp
    fn = sum(t.values()) - tp
    total = tp + fp + fn
    tp_n, fp_n, fn_n = tp / total, fp / total, fn / total
    precision = tp_n / (tp_n + fp_n) if tp_n + fp_n else 0.0
    recall = tp_n / (tp_n + fn_n) if tp_n + fn_n else 0.0
    return PageScore(precision, recall, False)


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass(frozen=True, slots=True)
class Summary:
    precision: float
    recall: float
    f1: float
    empty: int


def summarize(scores: Sequence[PageScore]) -> Summary:
    if not scores:
        return Summary(0.0, 0.0, 0.0, 0)
    p = sum(s.precision for s in scores) / len(scores)
    r = sum(s.recall for s in scores) / len(scores)
    return Summary(p, r, f1(p, r), sum(s.empty for s in scores))


def bootstrap_f1(scores: Sequence[PageScore], *, rounds: int = 1000, seed: int = 0
                 ) -> tuple[float, float]:
    """Standard deviation of F1 over ``rounds`` resamples of the pages, and the 95% half-width."""
    rng = random.Random(seed)
    n = len(scores)
    values = []
    for _ in range(rounds):
        sample = [scores[rng.randrange(n)] for _ in range(n)]
        values.append(summarize(sample).f1)
    mean = sum(values) / rounds
    std = (sum((v - mean) ** 2 for v in values) / (rounds - 1)) ** 0.5
    values.sort()
    half = (values[int(0.975 * rounds) - 1] - values[int(0.025 * rounds)]) / 2
    return std, half


def paired_bootstrap(ours: Sequence[PageScore], base: Sequence[PageScore], *,
                     rounds: int = 1000, seed: int = 0) -> dict[str, float]:
    """F1 difference (ours − base) over paired page resamples: 95% interval, P(ours ≤ base)."""
    if len(ours) != len(base):
        raise ValueError("paired bootstrap needs the same pages on both sides")
    rng = random.Random(seed)
    n = len(ours)
    diffs = []
    for _ in range(rounds):
        idx = [rng.randrange(n) for _ in range(n)]
        diffs.append(summarize([ours[i] for i in idx]).f1 - summarize([base[i] for i in idx]).f1)
    diffs.sort()
    return {
        "delta_f1": summarize(ours).f1 - summarize(base).f1,
        "ci_low": diffs[int(0.025 * rounds)],
        "ci_high": diffs[int(0.975 * rounds) - 1],
        "p_not_better": sum(d <= 0 for d in diffs) / rounds,
    }
