"""Metadata accuracy against hand labels (tests/data/metadata_labels.json).

Title: equal after case folding, quote unification and whitespace collapsing. Author: the same
set of names (case-insensitive), and null only when the label is null. Date: the same calendar
day in the page's own offset; ``date_1d`` also accepts one day off (time-zone slips).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "–": "-",
                         "—": "-", "\u00a0": " "})


def _norm_title(value: str | None) -> str:
    return " ".join((value or "").translate(_QUOTES).casefold().split())


def _names(value: str | None) -> set[str]:
    if not value:
        return set()
    parts = re.split(r"\s*(?:,|;|\band\b|&)\s*", value)
    return {" ".join(p.casefold().split()) for p in parts if p.strip()}


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def default_labels_file() -> Path:
    return Path(__file__).resolve().parents[3] / "tests" / "data" / "metadata_labels.json"


def load_labels(path: Path) -> dict[str, dict[str, Any]]:
    return dict(json.loads(path.read_text(encoding="utf-8"))["pages"])


def evaluate(labels: dict[str, dict[str, Any]], pages: dict[str, bytes],
             extract: Callable[[bytes, str], dict[str, Any]]) -> dict[str, Any]:
    """Accuracy per field of ``extract`` (→ {"title", "author", "published_at"}) on labels."""
    hits = {"title": 0, "author": 0, "date": 0, "date_1d": 0}
    misses: list[dict[str, Any]] = []
    n = 0
    for page_id, label in labels.items():
        if page_id not in pages:
            continue
        n += 1
        got = extract(pages[page_id], label["url"])
        ok_title = _norm_title(got.get("title")) == _norm_title(label["title"])
        ok_author = _names(got.get("author")) == _names(label["author"])
        want, have = _day(label["date"]), _day(got.get("published_at"))
        ok_date = want == have
        ok_near = ok_date or (want is not None and have is not None
                              and abs((want - have).days) <= 1)
        hits["title"] += ok_title
        hits["author"] += ok_author
        hits["date"] += ok_date
        hits["date_1d"] += ok_near
        if not (ok_title and ok_author and ok_date):
            misses.append({"page": page_id[:12], "title": None if ok_title else got.get("title"),
                           "author": None if ok_author else got.get("author"),
                           "date": None if ok_date else got.get("published_at")})
    result: dict[str, Any] = {k: round(v / n, 3) if n else 0.0 for k, v in hits.items()}
    result["pages"] = n
    result["misses"] = misses
    return result
