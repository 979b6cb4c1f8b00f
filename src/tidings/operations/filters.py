"""Readers' filter rules and saved searches.

A *mute* rule marks read the articles it matches; a *keep* rule marks read the articles of
its scope (one source, or all) that no keep rule matches. Rules look at the title, the text,
the source's name, the author, or any of them, by keyword (case-insensitive) or regular
expression. They act on unread articles as they arrive — :func:`apply_filters`, run before
each stream and count — and on every unread article when a rule is added; deleting a rule
leaves what it marked read as it is. Regular expressions are matched with the ``regex``
module under a time limit, on at most ``TEXT_CAP`` characters, so a pathological pattern
costs milliseconds, not the server. A saved search is a stream (``StreamQuery(kind="search",
ref=id)``) over the reader's own subscriptions.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import regex

from tidings.errors import InputError, NotFoundError
from tidings.store import Store
from tidings.store.filters import Candidate, FilterRule, SavedSearch

log = logging.getLogger(__name__)

ACTIONS = ("mute", "keep")
FIELDS = ("title", "text", "source", "author", "any")
KINDS = ("keyword", "regex")
MAX_PATTERN = 200
MAX_RULES = 100
TEXT_CAP = 20_000
MATCH_SECONDS = 0.05
BATCH = 2_000


def compile_pattern(kind: str, pattern: str) -> regex.Pattern[str]:
    """The rule's pattern, compiled; a clear one-line error when it cannot be one."""
    if kind not in KINDS:
        raise InputError(f"a rule matches by {' or '.join(KINDS)}")
    pattern = pattern.strip()
    if not pattern or len(pattern) > MAX_PATTERN:
        raise InputError(f"a pattern is 1 to {MAX_PATTERN} characters")
    source = regex.escape(pattern) if kind == "keyword" else pattern
    try:
        return regex.compile(source, regex.IGNORECASE | regex.V1)
    except regex.error as exc:
        raise InputError(f"bad regular expression: {str(exc).splitlines()[0]}") from None


def _matches(compiled: regex.Pattern[str], field: str, item: Candidate) -> bool:
    values = {"title": (item.title,), "text": (item.text,), "source": (item.source,),
              "author": (item.author,)}
    texts = [v for vs in values.values() for v in vs] if field == "any" else values[field]
    try:
        return any(compiled.search(t[:TEXT_CAP], timeout=MATCH_SECONDS) for t in texts)
    except TimeoutError:
        log.warning("filter pattern %r took too long; article %s kept", compiled.pattern,
                    item.id)
        return False


def add_rule(store: Store, user_id: int, *, action: str, field: str, kind: str, pattern: str,
             source_id: int | None = None, now: datetime | None = None) -> FilterRule:
    """Add a rule and apply it to the reader's unread articles at once."""
    if action not in ACTIONS:
        raise InputError(f"a rule's action is {' or '.join(ACTIONS)}")
    if field not in FIELDS:
        raise InputError(f"a rule looks at {', '.join(FIELDS)}")
    compile_pattern(kind, pattern)
    if source_id is not None and source_id not in store.subscriptions.source_ids(user_id):
        raise NotFoundError(f"not subscribed to source {source_id}")
    if len(store.filters.rules(user_id)) >= MAX_RULES:
        raise InputError(f"at most {MAX_RULES} filter rules")
    rule = store.filters.add_rule(
        user_id, FilterRule(0, action, field, kind, pattern.strip(), source_id),
        now or datetime.now(UTC))
    apply_filters(store, user_id)
    return rule


def list_rules(store: Store, user_id: int) -> list[FilterRule]:
    return store.filters.rules(user_id)


def delete_rule(store: Store, user_id: int, rule_id: int) -> None:
    store.filters.delete_rule(user_id, rule_id)


def _to_mark(rules: Sequence[tuple[FilterRule, regex.Pattern[str]]],
             items: Sequence[Candidate]) -> list[int]:
    out = []
    for item in items:
        mine = [(r, c) for r, c in rules if r.source_id in (None, item.source_id)]
        keeps = [(r, c) for r, c in mine if r.action == "keep"]
        if any(_matches(c, r.field, item) for r, c in mine if r.action == "mute") or (
                keeps and not any(_matches(c, r.field, item) for r, c in keeps)):
            out.append(item.id)
    return out


def apply_filters(store: Store, user_id: int) -> int:
    """Run the reader's rules over unread articles not looked at yet; how many were marked
    read. Costs one small query when the reader has no rules."""
    rules = store.filters.rules(user_id)
    if not rules:
        return 0
    compiled = [(r, compile_pattern(r.kind, r.pattern)) for r in rules]
    after = store.filters.filtered_through(user_id)
    marked = 0
    while True:
        batch = store.filters.candidates(user_id, after, BATCH)
        if not batch:
            break
        ids = _to_mark(compiled, batch)
        if ids:
            marked += len(store.read_state.set_read(user_id, ids, True))
        after = batch[-1].id
        store.filters.set_filtered_through(user_id, after)
        if len(batch) < BATCH:
            break
    return marked


# -- saved searches ----------------------------------------------------------------------------

def list_saved_searches(store: Store, user_id: int) -> list[SavedSearch]:
    return store.filters.saved_searches(user_id)


def add_saved_search(store: Store, user_id: int, name: str, query: str,
                     now: datetime | None = None) -> SavedSearch:
    name, query = " ".join(name.split()), " ".join(query.split())
    if not name or len(name) > 200:
        raise InputError("a saved search's name is 1 to 200 characters")
    if not query or len(query) > 500:
        raise InputError("a saved search's query is 1 to 500 characters")
    return store.filters.add_saved_search(user_id, name, query, now or datetime.now(UTC))


def delete_saved_search(store: Store, user_id: int, search_id: int) -> None:
    store.filters.delete_saved_search(user_id, search_id)
