"""``tidings bench extract --metadata``: title, author, date and body of real pages, tidings
against plain trafilatura (``bare_extraction`` with metadata) in the same run.

The data set is ``shared/data/metadata`` (the dev half of trafilatura's evaluation pages);
its README defines the metric (``_metadata_metric``). Each page goes through both sides one
after the other, so machine load hits both alike; only the extraction call is timed.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tidings.benchmarks._metadata_metric import FIELDS, MetadataScore
from tidings.benchmarks._shared_data import shared_data_dir
from tidings.console import progress
from tidings.errors import TidingsError

Reader = Callable[[bytes, str], dict[str, Any]]


def default_metadata_dir() -> Path:
    return shared_data_dir("metadata")


def load_metadata_pages(data: Path) -> list[tuple[str, bytes, dict[str, Any]]]:
    """(key, HTML bytes, label) for every page of the set, sorted by key."""
    labels_file = data / "labels.json"
    if not labels_file.is_file():
        raise TidingsError(f"no labels.json in {data}")
    labels: dict[str, dict[str, Any]] = json.loads(labels_file.read_text(encoding="utf-8"))
    pages = []
    for key, label in sorted(labels.items()):
        path = data / (label.get("file") or f"pages/{key}.html.gz")
        if not path.is_file():
            raise TidingsError(f"missing page {path}")
        pages.append((key, gzip.decompress(path.read_bytes()), label))
    return pages


def tidings_reader(html: bytes, url: str) -> dict[str, Any]:
    from tidings.extract import extract_article

    result = extract_article(html, url or None)
    return {"title": result.title, "author": result.author, "body": result.content_text,
            "date": result.published_at.isoformat() if result.published_at else None}


def trafilatura_reader(html: bytes, url: str) -> dict[str, Any]:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url or None, with_metadata=True,
                                      favor_precision=True, include_comments=False)
    if doc is None:
        return {}
    fields = doc if isinstance(doc, dict) else doc.as_dict()
    return {"title": fields.get("title"), "author": fields.get("author"),
            "date": fields.get("date"), "body": fields.get("text")}


def run_metadata_bench(data: Path, limit: int | None = None) -> dict[str, Any]:
    """Score both sides on the set; one dict per side plus ``pages`` and ``misses`` counts."""
    pages = load_metadata_pages(data)[:limit]
    if not pages:
        raise TidingsError(f"no pages in {data}")
    sides: dict[str, Reader] = {"tidings": tidings_reader, "trafilatura": trafilatura_reader}
    for reader in sides.values():  # imports and caches outside the timed loop
        reader(pages[0][1], pages[0][2]["url"].strip())
    scores = {name: MetadataScore() for name in sides}
    seconds = dict.fromkeys(sides, 0.0)
    cpu = dict.fromkeys(sides, 0.0)
    for i, (_key, html, label) in enumerate(pages, 1):
        url = (label.get("url") or "").strip()
        for name, reader in sides.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            got = reader(html, url)
            seconds[name] += time.perf_counter() - start
            cpu[name] += time.process_time() - start_cpu
            scores[name].add(label, got)
        if i % 50 == 0:
            progress(f"metadata bench: {i}/{len(pages)} pages")
    result: dict[str, Any] = {}
    for name in sides:
        side: dict[str, Any] = dict(scores[name].summary())
        side["pages_per_s"] = round(len(pages) / seconds[name], 2) if seconds[name] else 0.0
        side["cpu_pages_per_s"] = round(len(pages) / cpu[name], 2) if cpu[name] else 0.0
        result[name] = side
    result["pages"] = len(pages)
    return result


def format_metadata(result: dict[str, Any]) -> list[str]:
    """Human-readable lines, one per side."""
    lines = []
    for name in ("tidings", "trafilatura"):
        r = result[name]
        fields = "  ".join(f"{f} {r[f]:.3f}" for f in FIELDS)
        lines.append(f"{name:12} on {r['labelled_pages']} labelled pages: {fields}  body F1 "
                     f"{r['body_f1']:.3f}  {r['pages_per_s']:.1f} pages/s "
                     f"({r['cpu_pages_per_s']:.1f} per CPU second)")
    return lines
