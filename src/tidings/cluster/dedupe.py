"""Verbatim syndicated copies: MinHash signatures of word shingles, found through LSH.

A wire story republished by many outlets differs only in boilerplate around it, so its
word 5-shingles overlap almost completely while two reports of the same event written by
different newsrooms share few. The earliest copy seen is the original: later copies point
at it (``duplicate_of``), never at another copy.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import regex
from datasketch import MinHash, MinHashLSH

_WORD = regex.compile(r"[\p{L}\p{N}]+")


@dataclass(frozen=True, slots=True)
class DedupeConfig:
    threshold: float = 0.8  # estimated Jaccard of shingle sets that makes a copy
    shingle: int = 5  # words per shingle
    num_perm: int = 64
    min_words: int = 25  # shorter texts are compared whole (title + text), not by MinHash


class Deduper:
    """Finds the original of a near-verbatim copy among the documents added so far."""

    def __init__(self, config: DedupeConfig | None = None):
        self.config = config or DedupeConfig()
        self._lsh = MinHashLSH(threshold=self.config.threshold, num_perm=self.config.num_perm)
        self._signatures: dict[Hashable, MinHash] = {}
        self._original: dict[Hashable, Hashable] = {}  # copy -> original
        self._exact: dict[str, Hashable] = {}  # short normalized text -> first key
        self._exact_of: dict[Hashable, str] = {}
        # drawing the hash permutations is the slow part of a MinHash: draw them once
        template = MinHash(num_perm=self.config.num_perm, seed=1)
        self._permutations = template.permutations
        self._scheme = template.scheme

    def __len__(self) -> int:
        return len(self._signatures) + len(self._exact_of)

    def add(self, key: Hashable, title: str, text: str) -> Hashable | None:
        """Remember a document; return the key of the original it copies, or None."""
        words = _WORD.findall(text.lower())
        if len(words) < self.config.min_words:
            return self._add_short(key, title, words)
        signature = self._signature(words)
        best: tuple[float, Hashable] | None = None
        for other in self._lsh.query(signature):
            score = signature.jaccard(self._signatures[other])
            if score >= self.config.threshold and (best is None or score > best[0]):
                best = (score, other)
        self._signatures[key] = signature
        self._lsh.insert(key, signature, check_duplication=False)
        if best is None:
            return None
        original = self._original.get(best[1], best[1])
        self._original[key] = original
        return original

    def _add_short(self, key: Hashable, title: str, words: list[str]) -> Hashable | None:
        norm = " ".join([*_WORD.findall(title.lower()), "|", *words])
        if len(norm) < 40:  # a bare headline says too little to call it a copy
            return None
        self._exact_of[key] = norm
        first = self._exact.setdefault(norm, key)
        if first == key:
            return None
        self._original[key] = first
        return first

    def forget(self, key: Hashable) -> None:
        """Drop a document that left the time window (its copies keep their original)."""
        if key in self._signatures:
            self._lsh.remove(key)
            del self._signatures[key]
        norm = self._exact_of.pop(key, None)
        if norm is not None and self._exact.get(norm) == key:
            del self._exact[norm]
        self._original.pop(key, None)

    def _signature(self, words: list[str]) -> MinHash:
        n = self.config.shingle
        shingles = {" ".join(words[i:i + n]).encode() for i in range(max(1, len(words) - n + 1))}
        signature = MinHash(num_perm=self.config.num_perm, seed=1,
                            permutations=self._permutations, scheme=self._scheme)
        signature.update_batch(list(shingles))
        return signature
