"""Filter rules and saved searches from /settings, and saved searches as lists on /reader."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from .test_reading import titles
from .test_settings import change, error_of


def test_a_mute_rule_marks_matching_articles_read(alice: TestClient, bob: TestClient) -> None:
    done = change(alice, "filter-add", action="mute", field="title", kind="keyword",
                  pattern="love arch")
    assert done.status_code == 303 and done.headers["location"].endswith("#filters")
    left = titles(alice.get("/reader").text)
    assert len(left) == 5 and not any("love arch" in t for t in left)  # two of seven match
    page = alice.get("/settings").text
    assert "Mute · Title: “love arch” · Every feed" in page
    assert len(titles(bob.get("/reader").text)) == 7  # Bob's list is his own
    rule = re.search(r'name="filter_id" value="(\d+)"', page)
    assert rule is not None
    assert change(bob, "filter-delete", filter_id=rule.group(1)).status_code in (303, 400)
    assert "Mute · Title" in alice.get("/settings").text
    assert change(alice, "filter-delete", filter_id=rule.group(1)).status_code == 303
    assert "No filters." in alice.get("/settings").text


def test_bad_rules_are_refused_kindly(alice: TestClient) -> None:
    for fields in ({"action": "explode", "field": "title", "pattern": "x"},
                   {"action": "mute", "field": "nowhere", "pattern": "x"},
                   {"action": "mute", "field": "title", "kind": "regex", "pattern": "(unclosed"},
                   {"action": "mute", "field": "title", "pattern": ""},
                   {"action": "mute", "field": "title", "pattern": "x", "source_id": "99999"}):
        refused = change(alice, "filter-add", **fields)
        assert refused.status_code == 400, fields
        assert error_of(refused), fields
    assert len(titles(alice.get("/reader").text)) == 7


def test_saved_searches_are_lists(alice: TestClient, bob: TestClient) -> None:
    done = change(alice, "search-add", name="Arch", query="arch")
    assert done.status_code == 303
    page = alice.get("/reader").text
    found = re.search(r'href="/reader\?search=(\d+)">Arch<', page)
    assert found, page
    listing = alice.get(f"/reader?search={found.group(1)}")
    assert listing.status_code == 200 and ">Arch</h1>" in listing.text
    assert titles(listing.text) and all("arch" in t.lower() for t in titles(listing.text))
    assert bob.get(f"/reader?search={found.group(1)}").status_code == 404
    assert "Arch" not in bob.get("/settings").text
    assert change(alice, "search-add", name="", query="x").status_code == 400
    assert change(alice, "search-delete", search_id=found.group(1)).status_code == 303
    assert "?search=" not in alice.get("/reader").text
