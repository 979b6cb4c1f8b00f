"""The benchmark harness: its scorer matches the reference definitions, the clusterer sees
only title, text and date, and ``--json`` ends with the agreed object."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from tidings.benchmarks import cluster as bench
from tidings.benchmarks.cluster_score import bcubed, cross_language, evaluate, pairwise
from tidings.cli import cli

from .reports import QUAKE_CALIFORNIA, QUAKE_JAPAN

SCORE_PY = Path(__file__).resolve().parents[3] / "shared" / "data" / "stories" / "score.py"


def test_pairwise_and_bcubed_by_hand() -> None:
    gold = {1: "a", 2: "a", 3: "a", 4: "b"}
    pred = {1: "x", 2: "x", 3: "y", 4: "y"}
    # predicted pairs (1,2) right and (3,4) wrong; gold pairs (1,2) (1,3) (2,3)
    assert pairwise(gold, pred) == pytest.approx({"precision": 0.5, "recall": 1 / 3,
                                                  "f1": 0.4})
    b3 = bcubed(gold, pred)
    assert b3["precision"] == pytest.approx((1 + 1 + 0.5 + 0.5) / 4)
    assert b3["recall"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)
    assert pairwise({1: "a"}, {1: "x"})["precision"] == 1.0  # no pairs: nothing wrong


@pytest.mark.skipif(not SCORE_PY.exists(), reason="benchmark data not beside the repository")
def test_scorer_agrees_with_the_reference_score_py() -> None:
    spec = importlib.util.spec_from_file_location("reference_score", SCORE_PY)
    assert spec and spec.loader
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    rng = random.Random(7)
    records = [{"id": f"d{i}", "story": f"s{rng.randrange(6)}", "dataset": rng.choice("ab")}
               for i in range(60)]
    pred = {r["id"]: f"p{rng.randrange(8)}" for r in records[:-3]}  # three missing
    mine = evaluate(records, pred)
    for row in reference.evaluate(records, pred):
        ours = mine if row["scope"] == "ALL" else mine["by_dataset"][row["scope"]]
        for metric in ("pairwise", "bcubed"):
            for short, long in (("P", "precision"), ("R", "recall"), ("F1", "f1")):
                assert ours[metric][long] == pytest.approx(row[metric][short], abs=1e-12)


def test_orders_keep_dated_documents_in_date_order() -> None:
    records = [{"id": i, "published": f"2020-01-0{9 - i}" if i < 4 else None}
               for i in range(8)]
    for seed in range(3):
        order = [r["id"] for r in bench.arrival_order(records, seed)]
        assert order[:4] == [3, 2, 1, 0] and sorted(order[4:]) == [4, 5, 6, 7]
    assert bench.arrival_order(records, 1) == bench.arrival_order(records, 1)


def test_clusterer_never_sees_gold_fields() -> None:
    doc = bench.to_doc({"id": "x", "title": "T", "text": "B", "published": "2020-02-03",
                        "story": "gold", "dataset": "ecb+", "language": "en"})
    assert "gold" not in repr(doc) and "ecb+" not in repr(doc)


def test_bench_command_prints_the_json_last(tmp_path: Path) -> None:
    lines = []
    for i, (title, text) in enumerate(QUAKE_JAPAN + QUAKE_CALIFORNIA):
        lines.append(json.dumps({"id": f"d{i}", "title": title, "text": text,
                                 "published": None, "language": "en",
                                 "story": "jp" if i < 3 else "us", "dataset": "toy"}))
    path = tmp_path / "toy.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(cli, ["bench", "cluster", "--input", str(path), "--orders", "3",
                                      "--json"])
    assert result.exit_code == 0, result.output
    last = json.loads(result.output.strip().splitlines()[-1])
    assert last["pairwise"]["f1"] == 1.0 and last["bcubed"]["f1"] == 1.0
    assert set(last["by_dataset"]) == {"toy"} and last["docs_per_s"] > 0


def test_cross_language_pairs_by_hand() -> None:
    gold = {1: "a", 2: "a", 3: "a", 4: "b"}
    pred = {1: "x", 2: "x", 3: "y", 4: "y"}
    language = {1: "en", 2: "es", 3: "en", 4: "es"}
    # gold pairs across languages: (1,2) (2,3); predicted: (1,2) right, (3,4) wrong
    assert cross_language(gold, pred, language) == pytest.approx(
        {"precision": 0.5, "recall": 0.5, "f1": 0.5})
    assert cross_language(gold, gold, {d: "en" for d in gold})["recall"] == 1.0


def test_bench_reports_a_cross_language_file_beside_the_english_one(tmp_path: Path) -> None:
    from .test_xling import NORLAND, SVELAND

    def write(name: str, reports: list[tuple[str, str, str]]) -> Path:
        path = tmp_path / name
        path.write_text("".join(json.dumps(
            {"id": f"{name}{i}", "title": title, "text": text, "published": None,
             "language": language, "story": story, "dataset": "toy"}) + "\n"
            for i, (story, language, (title, text)) in enumerate(reports)))
        return path

    languages = ("en", "es", "it", "ru")
    xling = write("x", [("n", lang, r) for lang, r in zip(languages, NORLAND, strict=True)]
                  + [("s", lang, r) for lang, r in zip(languages, SVELAND, strict=True)])
    english = write("e", [("jp", "en", r) for r in QUAKE_JAPAN]
                    + [("us", "en", r) for r in QUAKE_CALIFORNIA])
    result = CliRunner().invoke(cli, ["bench", "cluster", "--input", str(english), "--xling",
                                      str(xling), "--orders", "2", "--json"])
    assert result.exit_code == 0, result.output
    last = json.loads(result.output.strip().splitlines()[-1])
    assert last["pairwise"]["f1"] == 1.0 and "cross_language" not in last
    assert last["xling"]["pairwise"]["f1"] == 1.0
    assert last["xling"]["cross_language"]["recall"] == 1.0
    assert last["xling"]["documents"] == 8 and last["xling"]["docs_per_s"] > 0
