"""Attribution detector against the hand-written case set (tests/data/attribution_cases.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tidings.extract.attribution import credit_prefix, detect_attribution

CASES = json.loads((Path(__file__).parents[1] / "data" / "attribution_cases.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=[f"{c['lang']}-{i}" for i, c in enumerate(CASES)])
def test_case(case: dict[str, str | None]) -> None:
    assert detect_attribution(case["title"], case["text"]) == case["expected"]


def test_case_set_is_large_and_mixed() -> None:
    assert len(CASES) >= 40
    assert {c["lang"] for c in CASES} >= {"en", "it", "de", "es", "fr", "ru"}
    assert sum(c["expected"] is None for c in CASES) >= 10


def test_precision_and_recall_on_case_set() -> None:
    tp = fp = fn = 0
    for case in CASES:
        got = detect_attribution(case["title"], case["text"])
        if got is not None and got == case["expected"]:
            tp += 1
        else:
            fp += got is not None
            fn += case["expected"] is not None
    assert tp / max(1, tp + fp) >= 0.95
    assert tp / max(1, tp + fn) >= 0.9


def test_credit_prefix_split() -> None:
    assert credit_prefix("Reuters: Israel, Syria talk") == ("Israel, Syria talk", "Reuters")
    assert credit_prefix("ANSA | Maltempo al sud") == ("Maltempo al sud", "ANSA")
    assert credit_prefix("Breaking: storm nears") == ("Breaking: storm nears", None)
    assert credit_prefix("Reuters") == ("Reuters", None)


def test_empty_inputs() -> None:
    assert detect_attribution(None, None) is None
    assert detect_attribution("", "") is None
