"""``tidings extract URL|FILE...``: articles from web addresses or saved pages, in input order.

Every input gives one result; a bad one gives an error line (or JSON ``error``) and the rest go
on. Files may be gzip-compressed. URLs go through tidings' fetcher (guards and limits), a
batch at a time, so a thousand inputs run in one process with bounded memory.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from tidings.cli.context import AppContext, pass_app
from tidings.config import Settings
from tidings.console import progress
from tidings.errors import FetchError
from tidings.extract import ExtractResult, extract_article

KEYS = ("input", "title", "author", "published_at", "image_url", "language", "site_name",
        "canonical_url", "attribution", "content_text", "content_html", "error")
URL_BATCH = 32
MAX_FILE_BYTES = 64 * 1024 * 1024


def _is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def _read_file(name: str) -> tuple[bytes | None, str | None]:
    path = Path(name)
    try:
        if not path.exists():
            return None, f"no such file: {name}"
        if not path.is_file():
            return None, f"not a file: {name}"
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, f"file too large ({path.stat().st_size // 1_048_576} MiB): {name}"
        data = path.read_bytes()
    except OSError as exc:
        return None, f"cannot read {name}: {exc.strerror or exc}"
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            return None, f"broken gzip data in {name}: {exc}"
    return data, None


async def _fetch_batch(urls: list[str], settings: Settings
                       ) -> dict[str, tuple[bytes | str | None, str | None, str | None]]:
    from tidings.extract.stage import fetch_page
    from tidings.fetch.http import Fetcher

    out: dict[str, tuple[bytes | str | None, str | None, str | None]] = {}
    async with Fetcher(settings) as fetcher:
        async def one(url: str) -> None:
            try:
                content, final = await fetch_page(fetcher, url)
                out[url] = (content, final, None)
            except FetchError as exc:
                out[url] = (None, None, " ".join(str(exc).split()))
            except Exception as exc:  # one bad address never stops the others
                out[url] = (None, None, f"cannot fetch {url}: {type(exc).__name__}")

        await asyncio.gather(*(one(u) for u in dict.fromkeys(urls)))
    return out


def _results(inputs: list[str], settings: Settings) -> Iterator[tuple[str, ExtractResult]]:
    """(input, result) in input order; URLs fetched a batch at a time."""
    for start in range(0, len(inputs), URL_BATCH):
        chunk = inputs[start:start + URL_BATCH]
        urls = [i for i in chunk if _is_url(i)]
        fetched = asyncio.run(_fetch_batch(urls, settings)) if urls else {}
        for item in chunk:
            if _is_url(item):
                data, final, error = fetched[item]
                source_url: str | None = final or item
            else:
                (data, error), source_url = _read_file(item), None
            if data is None:
                yield item, ExtractResult(error=error or "nothing to read")
                continue
            try:
                yield item, extract_article(data, source_url)
            except Exception as exc:  # the extractor's bugs are one input's error, not the run's
                yield item, ExtractResult(error=f"extraction failed: {type(exc).__name__}: "
                                                f"{' '.join(str(exc).split())[:200]}")


def as_record(item: str, result: ExtractResult) -> dict[str, Any]:
    from tidings.sanitize import sanitize_html

    data = result.as_dict()
    record = {key: data.get(key) for key in KEYS}
    record["input"] = item
    if record["content_html"]:
        record["content_html"] = sanitize_html(record["content_html"],
                                               result.canonical_url or None)
    if record["error"]:
        record["error"] = " ".join(str(record["error"]).split())
    return record


def _markdown(record: dict[str, Any]) -> str:
    lines = [f"# {record['title']}" if record["title"] else f"# {record['input']}", ""]
    facts = [(k, record[k]) for k in ("author", "published_at", "site_name", "canonical_url",
                                      "language", "attribution") if record[k]]
    lines += [f"- {k}: {v}" for k, v in facts]
    if facts:
        lines.append("")
    lines.append(record["content_text"] or "")
    return "\n".join(lines).rstrip() + "\n"


@click.command("extract")
@click.argument("inputs", nargs=-1, required=True, metavar="URL|FILE...")
@click.option("--json", "fmt", flag_value="json", help="One JSON object per input per line.")
@click.option("--markdown", "fmt", flag_value="markdown", help="Title, facts and text.")
@click.option("--text", "fmt", flag_value="text", default=True, help="Plain text (default).")
@pass_app
def extract_command(app: AppContext, inputs: tuple[str, ...], fmt: str) -> None:
    """Extract articles (text, metadata, credited agency) from URLs or saved HTML files."""
    failures = 0
    out = sys.stdout
    for item, result in _results(list(inputs), app.settings):
        record = as_record(item, result)
        if record["error"]:
            failures += 1
        if fmt == "json":
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif record["error"]:
            progress(f"tidings: {item}: {record['error']}")
        elif fmt == "markdown":
            out.write(_markdown(record) + ("\n" if len(inputs) > 1 else ""))
        else:
            out.write((record["content_text"] or "") + "\n" + ("\n" if len(inputs) > 1 else ""))
        out.flush()
    if failures == len(inputs):
        sys.exit(1)


COMMANDS = [extract_command]
