"""Syndicated copies (MinHash) and online story clustering; see docs/clustering.md."""
