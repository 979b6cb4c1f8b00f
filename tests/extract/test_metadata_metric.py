"""The metadata benchmark's metric, as the data set's README defines it."""

from __future__ import annotations

from tidings.benchmarks._metadata_metric import (
    MetadataScore,
    date_matches,
    label_text,
    normalize,
    text_matches,
)


def test_normalize_and_containment() -> None:
    assert normalize("  Größtes   Kraftwerk — der Welt! ") == "grösstes kraftwerk der welt"
    assert normalize("ﬁne_print") == "fine print"  # NFKC, underscores are non-word
    assert text_matches("Jane Doe, John Roe", "Jane Doe; John Roe")
    assert text_matches("Nils", "Nils Pickert")  # one contains the other
    assert text_matches(None, "") and not text_matches("Jane", None)
    assert label_text(["A B", "C D"]) == "A B; C D"


def test_date_first_ten_characters() -> None:
    assert date_matches("2022-12-01T08:00:00+01:00", "2022-12-01")
    assert not date_matches("2022-12-02", "2022-12-01")
    assert date_matches(None, "") and not date_matches("2022-12-01", None)


def test_score_counts_body_snippets_and_labelled_pages_only() -> None:
    score = MetadataScore()
    label = {"title": "T", "author": "", "date": "2020-01-02", "with": ["alpha beta", "gamma"],
             "without": ["footer"]}
    got = {"title": "T | Site", "author": None, "date": "2020-01-02T10:00:00Z",
           "body": "Alpha, beta! and footer"}
    assert score.add(label, got) == {"title": True, "author": True, "date": True}
    assert score.add({"title": None, "with": ["x"]}, {"body": "x"}) == {}
    summary = score.summary()
    assert summary["labelled_pages"] == 1 and summary["title"] == 1.0
    assert (score.tp, score.fn, score.fp) == (2, 1, 1)
