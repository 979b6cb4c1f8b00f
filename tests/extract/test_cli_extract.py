"""``tidings extract`` end to end: JSON lines in input order, errors per input, many files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from click.testing import CliRunner

from tidings.cli import main

PAGES = Path(__file__).parents[1] / "data" / "pages"
KEYS = ["input", "title", "author", "published_at", "image_url", "language", "site_name",
        "canonical_url", "attribution", "content_text", "content_html", "error"]


def _run(home: Path, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    env = {"TIDINGS_HOME": str(home), "TIDINGS_ALLOW_PRIVATE": "1", "TIDINGS_DATABASE_URL": ""}
    with runner.isolation(env=env) as (out, err, _):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        return code, out.getvalue().decode(), err.getvalue().decode()


def test_json_lines_in_order(tmp_path: Path, feed_server) -> None:  # type: ignore[no-untyped-def]
    gz = tmp_path / "story.html.gz"
    gz.write_bytes(gzip.compress((PAGES / "wire_story.html").read_bytes()))
    url = feed_server.add("/fr", (PAGES / "latin1_article.html").read_bytes(),
                          content_type="text/html")
    pdf = feed_server.add("/x.pdf", b"%PDF-1.4 binary", content_type="application/pdf")
    inputs = [str(gz), str(tmp_path / "missing.html"), url, str(PAGES / "only_scripts.html"),
              pdf, feed_server.url("/404")]
    code, out, _err = _run(tmp_path / "home", "extract", "--json", *inputs)
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["input"] for r in records] == inputs
    assert all(list(r) == KEYS for r in records)
    story, missing, french, scripts, not_html, gone = records
    assert story["error"] is None and story["title"] == "Harbour strike halts exports"
    assert story["attribution"] == "Reuters" and story["published_at"].startswith("2026-01-20")
    assert "<script" not in story["content_html"]
    assert french["error"] is None and french["language"] == "fr"
    assert french["attribution"] == "AFP"
    for bad in (missing, scripts, not_html, gone):
        assert bad["error"] and "\n" not in bad["error"] and bad["content_text"] is None


def test_text_and_markdown(tmp_path: Path) -> None:
    page = str(PAGES / "wire_story.html")
    code, out, _ = _run(tmp_path / "home", "extract", page)
    assert code == 0 and out.startswith("ROTTERDAM (Reuters)")
    code, out, _ = _run(tmp_path / "home", "extract", "--markdown", page)
    assert code == 0 and out.startswith("# Harbour strike halts exports")
    assert "- attribution: Reuters" in out
    code, out, err = _run(tmp_path / "home", "extract", str(tmp_path / "nope.html"))
    assert code == 1 and "nope.html" in err and "Traceback" not in err


def test_many_files_in_one_call(tmp_path: Path) -> None:
    template = (PAGES / "wire_story.html").read_text(encoding="utf-8")
    files = []
    for i in range(300):
        path = tmp_path / f"page{i:04d}.html"
        path.write_text(template.replace("Harbour strike halts exports",
                                         f"Harbour strike halts exports, day {i}"),
                        encoding="utf-8")
        files.append(str(path))
    code, out, _ = _run(tmp_path / "home", "extract", "--json", *files)
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 300 and all(r["error"] is None for r in records)
    assert records[123]["title"] == "Harbour strike halts exports, day 123"
