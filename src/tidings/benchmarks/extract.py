"""``tidings bench extract``: tidings' extraction path against plain trafilatura, same pages.

Each page is run through both, one after the other, so machine load hits both sides alike.
Only the extraction call is timed (decompressing the files is not). Scoring follows the data
set's README (see ``_extraction_metric``).
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from tidings.benchmarks._extraction_metric import (
    PageScore,
    bootstrap_f1,
    paired_bootstrap,
    score_page,
    summarize,
)
from tidings.benchmarks._metadata_bench import (
    default_metadata_dir,
    format_metadata,
    run_metadata_bench,
)
from tidings.benchmarks._metadata_eval import default_labels_file, evaluate, load_labels
from tidings.benchmarks._shared_data import shared_data_dir
from tidings.console import print_json, progress
from tidings.errors import TidingsError


def default_data_dir() -> Path:
    return shared_data_dir("extraction")


def load_pages(data: Path) -> list[tuple[str, bytes, str, str]]:
    """(page id, HTML bytes, URL, true article body) for every page of the set."""
    truth_file = data / "ground-truth.json"
    if not truth_file.is_file():
        raise TidingsError(f"no ground-truth.json in {data}")
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    pages = []
    for page_id, item in sorted(truth.items()):
        path = data / "html" / f"{page_id}.html.gz"
        if not path.is_file():
            raise TidingsError(f"missing page {path}")
        pages.append((page_id, gzip.decompress(path.read_bytes()), item.get("url") or "",
                      item.get("articleBody") or ""))
    return pages


def tidings_text(html: bytes, url: str) -> str:
    from tidings.extract import extract_article

    return extract_article(html, url).content_text or ""


def trafilatura_text(html: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, favor_precision=True, include_comments=False) or ""


def tidings_metadata(html: bytes, url: str) -> dict[str, Any]:
    from tidings.extract import extract_article

    return extract_article(html, url).as_dict()


def trafilatura_metadata(html: bytes, url: str) -> dict[str, Any]:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_precision=True,
                                      include_comments=False)
    if doc is None:
        return {}
    fields = doc if isinstance(doc, dict) else doc.as_dict()
    return {"title": fields.get("title"), "author": fields.get("author"),
            "published_at": fields.get("date")}


def _report(scores: list[PageScore], seconds: float) -> dict[str, Any]:
    summary = summarize(scores)
    std, half = bootstrap_f1(scores)
    return {
        "precision": round(summary.precision, 4),
        "recall": round(summary.recall, 4),
        "f1": round(summary.f1, 4),
        "pages_per_s": round(len(scores) / seconds, 2) if seconds else 0.0,
        "f1_std": round(std, 4),
        "f1_ci95": round(half, 4),
        "empty": summary.empty,
        "pages": len(scores),
    }


@click.command("extract")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder with ground-truth.json and html/ (default: "
              "../shared/data/extraction beside the repository); with --metadata, the folder "
              "with labels.json and pages/.")
@click.option("--limit", type=int, default=None, help="Only the first N pages.")
@click.option("--metadata", "metadata", is_flag=True,
              help="Title, author, date and body snippets on ../shared/data/metadata instead "
              "(tidings vs trafilatura's bare_extraction with metadata).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
def command(data_dir: Path | None, limit: int | None, metadata: bool, as_json: bool) -> None:
    """Article extraction: tidings vs trafilatura (favor_precision) on the same pages."""
    if metadata:
        _metadata_command(data_dir, limit, as_json)
        return
    data = data_dir or default_data_dir()
    pages = load_pages(data)[:limit]
    if not pages:
        raise TidingsError(f"no pages in {data}")
    sides: dict[str, Callable[[bytes, str], str]] = {
        "tidings": tidings_text, "trafilatura": trafilatura_text}
    result, scores = _run_sides(pages, sides)
    paired = paired_bootstrap(scores["tidings"], scores["trafilatura"])
    result["tidings"]["vs_trafilatura"] = {k: round(v, 4) for k, v in paired.items()}
    _add_metadata_accuracy(result, pages)
    _echo_results(result, paired)
    if as_json:
        print_json(result)


def _metadata_command(data_dir: Path | None, limit: int | None, as_json: bool) -> None:
    """``--metadata``: a different data set and report, so it runs on its own."""
    result = run_metadata_bench(data_dir or default_metadata_dir(), limit)
    for line in format_metadata(result):
        click.echo(line)
    if as_json:
        print_json(result)


def _run_sides(pages: list[tuple[str, bytes, str, str]],
               sides: dict[str, Callable[[bytes, str], str]]
               ) -> tuple[dict[str, dict[str, Any]], dict[str, list[PageScore]]]:
    """Report and page scores of every side; sides alternate page by page so load hits all."""
    # warm every side up (imports, model loading) outside the timed loop
    for fn in sides.values():
        fn(pages[0][1], pages[0][2])
    scores: dict[str, list[PageScore]] = {name: [] for name in sides}
    seconds = dict.fromkeys(sides, 0.0)
    cpu = dict.fromkeys(sides, 0.0)  # CPU time does not depend on how busy the machine is
    for i, (_page_id, html, url, truth) in enumerate(pages, 1):
        for name, fn in sides.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            predicted = fn(html, url)
            seconds[name] += time.perf_counter() - start
            cpu[name] += time.process_time() - start_cpu
            scores[name].append(score_page(truth, predicted))
        if i % 50 == 0:
            progress(f"extract bench: {i}/{len(pages)} pages")
    result = {name: _report(scores[name], seconds[name]) for name in sides}
    for name in sides:
        result[name]["cpu_pages_per_s"] = round(len(pages) / cpu[name], 2) if cpu[name] else 0.0
    return result, scores


def _add_metadata_accuracy(result: dict[str, dict[str, Any]],
                           pages: list[tuple[str, bytes, str, str]]) -> None:
    """Metadata accuracy on the hand-labelled pages, when the labels are present."""
    labels_file = default_labels_file()
    if not labels_file.is_file():
        return
    labels = load_labels(labels_file)
    by_id = {page_id: html for page_id, html, _url, _truth in pages}
    readers: dict[str, Callable[[bytes, str], dict[str, Any]]] = {
        "tidings": tidings_metadata, "trafilatura": trafilatura_metadata}
    for name, reader in readers.items():
        accuracy = evaluate(labels, by_id, reader)
        accuracy.pop("misses")
        result[name]["metadata"] = accuracy


def _echo_results(result: dict[str, dict[str, Any]], paired: dict[str, float]) -> None:
    """The human-readable summary: one line per side, metadata lines, the paired bootstrap."""
    for name, r in result.items():
        click.echo(f"{name:12} P {r['precision']:.4f}  R {r['recall']:.4f}  F1 {r['f1']:.4f} "
                   f"± {r['f1_std']:.4f}  empty {r['empty']}  {r['pages_per_s']:.1f} pages/s "
                   f"({r['cpu_pages_per_s']:.1f} per CPU second)")
    for name, r in result.items():
        if "metadata" in r:
            m = r["metadata"]
            click.echo(f"{name:12} metadata on {m['pages']} hand-labelled pages: title "
                       f"{m['title']:.3f}  author {m['author']:.3f}  date {m['date']:.3f} "
                       f"(±1 day {m['date_1d']:.3f})")
    click.echo(f"paired bootstrap ΔF1 {paired['delta_f1']:+.4f} "
               f"(95% {paired['ci_low']:+.4f} … {paired['ci_high']:+.4f}, "
               f"P(not better) {paired['p_not_better']:.2f})")
