"""Running Lighthouse (npm ``lighthouse``) against Debian's Chromium, for accessibility scores.

Lighthouse launches its own headless Chromium with the flags the other browser tests use; the
page's session cookie is passed as a header, so signed-in pages are measured as a reader sees
them. Missing Lighthouse skips like a missing browser (a failure under
TIDINGS_REQUIRE_BROWSER=1); ``scripts/ensure-test-services`` installs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import CHROMIUM, CHROMIUM_ARGS


@dataclass(frozen=True)
class Score:
    score: float
    failing: list[str]
    url: str  # the page Lighthouse ended on (a lost session would end on /login)


def need_lighthouse() -> str:
    found = shutil.which("lighthouse")
    if found is None:
        message = "npm lighthouse is not installed (scripts/ensure-test-services installs it)"
        if os.environ.get("TIDINGS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{message} (TIDINGS_REQUIRE_BROWSER=1)")
        pytest.skip(message)
    return found


def command(url: str, out: Path, *, cookie: str, preset: str | None = None) -> list[str]:
    """The exact command line (docs/benchmarks.md records it)."""
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    args = [need_lighthouse(), url, "--only-categories=accessibility", "--output=json",
            f"--output-path={out}", f"--chrome-flags={flags}", "--quiet",
            "--no-enable-error-reporting",
            "--extra-headers=" + json.dumps({"Cookie": cookie})]
    if preset:
        args.append(f"--preset={preset}")
    return args


def accessibility(url: str, out: Path, *, cookie: str, preset: str | None = None) -> Score:
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    done = subprocess.run(command(url, out, cookie=cookie, preset=preset), env=env,
                          capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(out.read_text())
    category = report["categories"]["accessibility"]
    failing = [ref["id"] for ref in category["auditRefs"]
               if ref.get("weight", 0) > 0
               and (report["audits"][ref["id"]].get("score") or 0) < 1]
    final = report.get("finalDisplayedUrl") or report.get("finalUrl") or ""
    return Score(float(category["score"]), failing, str(final))
