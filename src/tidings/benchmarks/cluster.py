"""``tidings bench cluster``: story clustering quality and speed on the benchmark JSON Lines.

The clusterer sees only each document's title, text and date, through the same
:class:`~tidings.cluster.clusterer.StoryClusterer` the server's clustering stage uses; the gold
``story`` and ``dataset`` fields are read only for scoring. Dated documents arrive in date
order, undated ones after them in a seeded shuffle, once per order (``--orders``); scores are
the mean over orders, with their spread. ``--scale`` instead measures the cost of one
assignment as the index grows (see :mod:`tidings.benchmarks.cluster_scale`).

A file whose records are in several languages (the ``language`` field, read for scoring
only) also gets cross-language pairwise scores; ``--xling FILE`` runs such a file after the
``--input`` one and adds its summary under ``"xling"``, so one run judges both.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click

from tidings.benchmarks.cluster_score import evaluate
from tidings.cluster.clusterer import ClusterConfig, ClusterDoc, StoryClusterer
from tidings.console import print_json, progress
from tidings.errors import TidingsError

REQUIRED = ("id", "title", "text", "story", "dataset")


def load_records(path: Path) -> list[dict[str, Any]]:
    """Benchmark records, checked for the fields scoring needs."""
    records: list[dict[str, Any]] = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    raise TidingsError(f"{path}:{number}: not a JSON object") from None
                if not isinstance(record, dict) or any(k not in record for k in REQUIRED):
                    raise TidingsError(f"{path}:{number}: needs fields {', '.join(REQUIRED)}")
                records.append(record)
    except OSError as exc:
        raise TidingsError(f"cannot read {path}: {exc.strerror}") from None
    if not records:
        raise TidingsError(f"{path}: no records")
    return records


def to_doc(record: Mapping[str, Any]) -> ClusterDoc:
    """Only title, text and date reach the clusterer (the language is guessed from stop words
    of the common languages, as for an article whose feed declares none)."""
    published = record.get("published")
    day = date.fromisoformat(str(published)[:10]) if published else None
    return ClusterDoc(id=record["id"], title=str(record["title"] or ""),
                      text=str(record["text"] or ""), published=day)


def arrival_order(records: Sequence[Mapping[str, Any]], seed: int) -> list[Mapping[str, Any]]:
    """Dated documents by date (stable), then the undated ones in a seeded shuffle."""
    dated = sorted((r for r in records if r.get("published")), key=lambda r: str(r["published"]))
    undated = [r for r in records if not r.get("published")]
    random.Random(seed).shuffle(undated)
    return dated + undated


def run_once(records: Sequence[Mapping[str, Any]], seed: int,
             config: ClusterConfig | None = None) -> tuple[dict[str, Any], float]:
    """Cluster one arrival order; return its scores and documents per second."""
    docs = [to_doc(r) for r in arrival_order(records, seed)]
    clusterer = StoryClusterer(config)
    # CPU time of this process: "documents per second on one core", whatever else runs
    start = time.process_time()
    for doc in docs:
        clusterer.add(doc)
    elapsed = time.process_time() - start
    return evaluate(records, clusterer.labels()), len(docs) / elapsed if elapsed > 0 else 0.0


def _mean_scores(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for metric in ("pairwise", "bcubed"):
        out[metric] = {k: statistics.fmean(r[metric][k] for r in runs)
                       for k in ("precision", "recall", "f1")}
        f1s = [r[metric]["f1"] for r in runs]
        out[metric]["f1_min"] = min(f1s)
        out[metric]["f1_max"] = max(f1s)
        out[metric]["f1_std"] = statistics.pstdev(f1s)
    return out


def run_orders(records: Sequence[Mapping[str, Any]], orders: int, seed: int,
               config: ClusterConfig | None = None) -> dict[str, Any]:
    """Mean (and spread) of the scores over ``orders`` seeded arrival orders."""
    runs, speeds = [], []
    for i in range(orders):
        scores, speed = run_once(records, seed + i, config)
        runs.append(scores)
        speeds.append(speed)
    summary = _mean_scores(runs)
    datasets = sorted(runs[0]["by_dataset"])
    summary["by_dataset"] = {name: _mean_scores([r["by_dataset"][name] for r in runs])
                             for name in datasets}
    if "cross_language" in runs[0]:
        summary["cross_language"] = {
            k: statistics.fmean(r["cross_language"][k] for r in runs)
            for k in ("precision", "recall", "f1")}
    summary["docs_per_s"] = statistics.fmean(speeds)
    summary["orders"] = orders
    summary["seed"] = seed
    summary["documents"] = len(records)
    return summary


def _row(name: str, scores: Mapping[str, Any]) -> str:
    pw, b3 = scores["pairwise"], scores["bcubed"]
    return (f"{name:8} pairwise P {pw['precision']:.3f} R {pw['recall']:.3f} "
            f"F1 {pw['f1']:.3f} [{pw['f1_min']:.3f}-{pw['f1_max']:.3f}] | "
            f"BCubed P {b3['precision']:.3f} R {b3['recall']:.3f} F1 {b3['f1']:.3f} "
            f"[{b3['f1_min']:.3f}-{b3['f1_max']:.3f}]")


@click.command("cluster")
@click.option("--input", "input_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Benchmark JSON Lines (id, title, text, published, story, dataset).")
@click.option("--xling", "xling_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Also a cross-language file of the same format; its summary is 'xling'.")
@click.option("--orders", default=5, show_default=True, type=click.IntRange(1, 100),
              help="Seeded shufflings of the undated documents to average over.")
@click.option("--seed", default=0, show_default=True, help="Seed of the first order.")
@click.option("--scale", is_flag=True, help="Time assignments with 10k and 100k preloaded.")
@click.option("--million", is_flag=True, help="With --scale, also preload 1M articles.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object last.")
def command(input_path: Path | None, xling_path: Path | None, orders: int, seed: int,
            scale: bool, million: bool, as_json: bool) -> None:
    """Story clustering: pairwise and BCubed P/R/F1 and documents per second."""
    if scale:
        from tidings.benchmarks.cluster_scale import run_scale

        result = run_scale(million=million, seed=seed, report=progress)
        if as_json:
            print_json(result)
        else:
            click.echo(json.dumps(result, indent=1))
        return
    if input_path is None and xling_path is None:
        raise click.UsageError("give --input FILE.jsonl and/or --xling FILE.jsonl (or --scale)")
    summary: dict[str, Any] = _run_file(input_path, orders, seed) if input_path else {}
    if xling_path is not None:
        summary["xling"] = _run_file(xling_path, orders, seed)
    if as_json:
        print_json(summary)


def _run_file(path: Path, orders: int, seed: int) -> dict[str, Any]:
    """Score one benchmark file over ``orders`` orders and print its rows."""
    records = load_records(path)
    progress(f"{path.name}: clustering {len(records)} documents in {orders} orders")
    summary = run_orders(records, orders, seed)
    summary["input"] = str(path)
    click.echo(_row("overall", summary))
    for name, scores in summary["by_dataset"].items():
        click.echo(_row(name, scores))
    if "cross_language" in summary:
        cross = summary["cross_language"]
        click.echo(f"{'across languages':8} pairwise P {cross['precision']:.3f} "
                   f"R {cross['recall']:.3f} F1 {cross['f1']:.3f}")
    click.echo(f"docs/s {summary['docs_per_s']:.0f} (one core, mean over orders)")
    return summary
