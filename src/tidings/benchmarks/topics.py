"""``tidings bench topics``: precision of topic membership against a self-labelled sample.

The stories benchmark's articles (``../shared/data/stories/``, real news) go through the real
cluster stage into a temporary SQLite store, which forms the topics as it would in service.
No named-entity annotations come with those corpora, so the labels are our own: a sample of
(topic, article) memberships, each marked ``true`` when the article speaks of the very person,
organization or place the topic is named for, and ``false`` otherwise (another thing of that
name, or a name that is no such thing). ``--sample N`` prints memberships to label, seeded;
``--labels FILE`` scores the current output against the labelled ones. A regression check, not
an independent measurement: the labeller wrote the code.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import regex

from tidings.benchmarks._shared_data import shared_data_dir
from tidings.cluster import stage
from tidings.config import Settings
from tidings.console import print_json
from tidings.models import ExtractState, NewArticle, Source
from tidings.store import Store, open_store

_START = datetime(2000, 1, 1, tzinfo=UTC)


def load(store: Store, path: Path) -> dict[int, dict[str, Any]]:
    """Store every record as an article of one outlet; undated ones keep file order."""
    source = store.sources.add(Source(None, "benchmark", "https://bench.example"), _START)
    assert source.id is not None
    docs: dict[int, dict[str, Any]] = {}
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    with store.db.write() as conn:
        for i, rec in enumerate(rows):
            when = (datetime.fromisoformat(rec["published"]).replace(tzinfo=UTC)
                    if rec.get("published") else _START + timedelta(minutes=i))
            article = NewArticle(source_id=source.id, entry_key=rec["id"], title=rec["title"],
                                 published_at=when, fetched_at=when, content_text=rec["text"],
                                 language=rec.get("language"),
                                 extract_state=ExtractState.DONE)
            (aid,) = store.articles.insert_many(conn, [article])
            docs[aid] = rec
    return docs


def memberships(store: Store, docs: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every (listed topic, article) pair, with what a labeller needs to judge it."""
    listed, _ = store.topics.listed(limit=10_000, offset=0)
    out = []
    for topic in listed:
        for aid in store.topics.members(topic.id):
            rec = docs[aid]
            out.append({"topic": topic.name, "key": topic.key, "sense": topic.sense,
                        "doc": rec["id"], "title": rec["title"],
                        "context": _context(rec["title"] + ". " + rec["text"], topic.name)})
    return out


def _context(text: str, name: str, width: int = 160) -> str:
    first = regex.search(regex.escape(name.split()[-1]), text)
    start = 0 if first is None else max(0, first.start() - width // 2)
    return " ".join(text[start:start + width].split())


def score(found: list[dict[str, Any]], labels: list[dict[str, Any]]) -> dict[str, Any]:
    current = {(m["key"], m["sense"], m["doc"]) for m in found}
    judged = [lab for lab in labels if (lab["key"], lab["sense"], lab["doc"]) in current]
    right = sum(1 for lab in judged if lab["correct"])
    return {"labelled": len(labels), "still_members": len(judged),
            "correct": right, "precision": round(right / len(judged), 4) if judged else None,
            "topics_labelled": len({(lab["key"], lab["sense"]) for lab in judged})}


@click.command("topics")
@click.option("--input", "input_path", type=click.Path(exists=True, path_type=Path),
              default=None, help="JSONL of the stories benchmark (default: its dev split)")
@click.option("--labels", type=click.Path(exists=True, path_type=Path), default=None,
              help="labelled memberships (JSONL: key, sense, doc, correct)")
@click.option("--sample", type=int, default=0, help="print this many memberships to label")
@click.option("--seed", type=int, default=1)
@click.option("--json", "as_json", is_flag=True)
def command(input_path: Path | None, labels: Path | None, sample: int, seed: int,
            as_json: bool) -> None:
    """Topics formed from the stories benchmark; precision against labelled memberships."""
    path = input_path or shared_data_dir("stories") / "dev.jsonl"
    with tempfile.TemporaryDirectory() as home:
        store = open_store(f"sqlite:///{home}/bench.db")
        docs = load(store, path)
        started, cpu = time.perf_counter(), time.process_time()
        stage.run_pending(store, Settings.from_dict({"home": home}))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        found = memberships(store, docs)
        store.close()
    for row in random.Random(seed).sample(found, min(sample, len(found))):
        click.echo(json.dumps(row, ensure_ascii=False))
    listed = len({(m["key"], m["sense"]) for m in found})
    result: dict[str, Any] = {
        "input": str(path), "articles": len(docs), "topics_listed": listed,
        "memberships": len(found),
        # the whole cluster stage (stories and topics, SQLite writes): wall time and this
        # process's CPU time, which a busy machine disturbs less
        "cluster_stage_docs_per_s": round(len(docs) / seconds, 1) if seconds else None,
        "cluster_stage_docs_per_cpu_s": round(len(docs) / cpu, 1) if cpu else None}
    if labels is not None:
        result["score"] = score(found, [json.loads(line) for line in
                                        labels.read_text("utf-8").splitlines() if line.strip()])
    if as_json:
        print_json(result)
    else:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
