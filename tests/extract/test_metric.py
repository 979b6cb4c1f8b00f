"""The extraction benchmark's metric on hand-computed examples."""

from __future__ import annotations

import pytest

from tidings.benchmarks._extraction_metric import (
    PageScore,
    bootstrap_f1,
    paired_bootstrap,
    score_page,
    shingles,
    summarize,
)


def test_shingles() -> None:
    assert sum(shingles("a b c d e").values()) == 2
    assert shingles("one two") == {("one", "two"): 1}  # shorter than four: one shingle
    assert shingles("") == {} and shingles("!!! ...") == {}
    assert shingles("a b c d a b c d")[("a", "b", "c", "d")] == 2  # a multiset


def test_page_scores() -> None:
    truth = "w1 w2 w3 w4 w5 w6 w7 w8"  # 5 shingles
    assert score_page(truth, truth) == PageScore(1.0, 1.0, False)
    half = score_page(truth, "w1 w2 w3 w4 w5 w6")  # 3 shingles, all right
    assert half.precision == 1.0 and half.recall == pytest.approx(3 / 5)
    noisy = score_page("w1 w2 w3 w4", "w1 w2 w3 w4 x1 x2 x3 x4")
    assert noisy.precision == pytest.approx(1 / 5) and noisy.recall == 1.0
    assert score_page("", "") == PageScore(1.0, 1.0, False)
    assert score_page(truth, "") == PageScore(0.0, 0.0, True)


def test_summary_is_f1_of_means() -> None:
    scores = [PageScore(1.0, 0.5, False), PageScore(0.5, 1.0, False), PageScore(0.0, 0.0, True)]
    s = summarize(scores)
    assert s.precision == pytest.approx(0.5) and s.recall == pytest.approx(0.5)
    assert s.f1 == pytest.approx(0.5) and s.empty == 1


def test_bootstraps() -> None:
    same = [PageScore(0.9, 0.8, False)] * 20
    std, half = bootstrap_f1(same, rounds=200)
    assert std == pytest.approx(0.0) and half == pytest.approx(0.0)
    better = [PageScore(1.0, 1.0, False)] * 20
    paired = paired_bootstrap(better, same, rounds=200)
    assert paired["delta_f1"] > 0 and paired["ci_low"] > 0 and paired["p_not_better"] == 0.0
    with pytest.raises(ValueError):
        paired_bootstrap(better, same[:3])
