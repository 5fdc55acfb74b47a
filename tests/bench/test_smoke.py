"""Every bench script runs at its `--smoke` size, so none can rot: it must finish,
print its table, and end with one JSON object of its figures."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.crawling import REPO

pytestmark = pytest.mark.slow


def run_smoke(script: str) -> tuple[str, dict]:
    result = subprocess.run(
        [sys.executable, f"bench/{script}", "--smoke"], cwd=REPO, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    *table, last = result.stdout.strip().splitlines()
    return "\n".join(table), json.loads(last)


def test_recrawl_smoke() -> None:
    table, figures = run_smoke("recrawl.py")
    assert figures["bench"] == "recrawl" and "vs naive" in table
    runs = {(row["schedule"], row["run"]): row for row in figures["runs"]}
    assert len(runs) == 6
    for schedule in ("every few minutes", "daily backfill"):
        naive = runs[schedule, "naive"]
        assert naive["ratio_to_naive"] == 1.0 and naive["requests"] >= 0.9 * naive["first_crawl_requests"]
        for run in ("at once", "aged"):
            assert runs[schedule, run]["requests"] < naive["requests"], "a re-crawl costs less than a naive one"
            assert runs[schedule, run]["new_failures"] == 0
