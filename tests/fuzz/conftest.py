"""The fuzzing budget: short by default so ``make test`` stays fast; ``make fuzz`` sets
TIDINGS_FUZZ_EXAMPLES=20000. Each test also counts the inputs it tried, for docs/security.md
(``pytest tests/fuzz -s`` prints the totals)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("TIDINGS_FUZZ_EXAMPLES", "40"))
TRIED: Counter[str] = Counter()

settings.register_profile(
    "tidings-fuzz", max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 100,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
    print_blob=True,
)
FUZZ = settings.get_profile("tidings-fuzz")
#: the slowest targets (full extraction) get a tenth of the budget
SLOW = settings(FUZZ, max_examples=max(10, EXAMPLES // 10))


def tried(name: str) -> None:
    TRIED[name] += 1


@pytest.fixture(scope="session", autouse=True)
def _report_counts() -> Iterator[None]:
    yield
    if TRIED:
        total = sum(TRIED.values())
        lines = ", ".join(f"{k}: {v}" for k, v in sorted(TRIED.items()))
        print(f"\nfuzz inputs tried: {total} ({lines})")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Long campaigns (``make fuzz``) need more than the suite's per-test timeout."""
    budget = max(300, int(EXAMPLES * 0.5))
    for item in items:
        if "tests/fuzz" in str(item.fspath):
            item.add_marker(pytest.mark.timeout(budget))
