"""The article-metadata benchmark's metric, written from ``shared/data/metadata/README.md``.

Texts are compared after NFKC, case folding and every run of non-word characters made one
space. Title and author: both empty, or one contains the other. Date: both empty, or the
prediction's first ten characters equal the label. Body: snippet containment, F1 over all
snippets of all pages (``with`` found = true positive, missed = false negative; ``without``
found = false positive).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

_NON_WORD = re.compile(r"[\W_]+")
FIELDS = ("title", "author", "date")


def normalize(text: str | None) -> str:
    """NFKC, casefold, non-word runs → one space, stripped."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text or "").casefold()).strip()


def text_matches(predicted: str | None, label: str | None) -> bool:
    """Both empty, or neither empty and one normalized text contains the other."""
    p, t = normalize(predicted), normalize(label)
    if not p or not t:
        return not p and not t
    return p in t or t in p


def label_text(value: Any) -> str | None:
    """A label as text: several authors given as a list are joined with "; "."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value if v)
    return value if isinstance(value, str) else None


def date_matches(predicted: str | None, label: str | None) -> bool:
    """Both empty, or the first ten characters of the prediction equal the label."""
    p, t = (predicted or "").strip(), (label or "").strip()
    if not p or not t:
        return not p and not t
    return p[:10] == t


@dataclass(slots=True)
class MetadataScore:
    """Running counts for one side of the benchmark."""

    correct: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    labelled: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, label: dict[str, Any], got: dict[str, Any]) -> dict[str, bool]:
        """Score one page; returns which metadata fields were right (empty if unlabelled)."""
        body = normalize(got.get("body"))
        for snippet in label.get("with") or []:
            if normalize(snippet) in body:
                self.tp += 1
            else:
                self.fn += 1
        self.fp += sum(1 for s in label.get("without") or [] if normalize(s) in body)
        if label.get("title") is None:
            return {}
        self.labelled += 1
        right = {"title": text_matches(got.get("title"), label.get("title")),
                 "author": text_matches(got.get("author"), label_text(label.get("author"))),
                 "date": date_matches(got.get("date"), label.get("date"))}
        for name, ok in right.items():
            self.correct[name] += ok
        return right

    def summary(self) -> dict[str, float | int]:
        """Accuracy per field over the labelled pages, and body precision/recall/F1."""
        out: dict[str, float | int] = {
            name: round(self.correct[name] / self.labelled, 4) if self.labelled else 0.0
            for name in FIELDS}
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        out["body_precision"] = round(precision, 4)
        out["body_recall"] = round(recall, 4)
        out["body_f1"] = round(2 * precision * recall / (precision + recall)
                               if precision + recall else 0.0, 4)
        out["labelled_pages"] = self.labelled
        return out
