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


def test_extract_smoke() -> None:
    table, figures = run_smoke("extract.py")
    assert "trafilatura" in table
    assert figures["bench"] == "extract" and figures["speed"] and "trafilatura" in figures["accuracy"]


def test_store_smoke() -> None:
    """The second pass is a re-crawl: every article unchanged (before: counted new again)."""
    table, figures = run_smoke("store.py")
    assert "naive new/s" in table
    assert figures["bench"] == "store" and [row["articles"] for row in figures["rows"]] == [200, 400]
    assert all(row["first_ratio"] > 0 and row["unchanged_ratio"] > 0 for row in figures["rows"])


def test_crawl_smoke() -> None:
    table, figures = run_smoke("crawl.py")
    runs = {row["run"]: row for row in figures["runs"]}
    assert "bare scrapy + lxml parse" in table
    assert figures["bench"] == "crawl" and len(runs) == 5
    assert all(row["pages"] > 0 and row["ratio_to_bare"] > 0 for row in runs.values())


def test_render_smoke() -> None:
    table, figures = run_smoke("render.py")
    assert "client-rendered" in table and figures["bench"] == "render"
    assert {label: row["pages"] for label, row in figures["runs"].items()} == {"client-rendered": 20, "static": 20}


def test_scale_smoke() -> None:
    table, figures = run_smoke("scale.py")
    runs = {row["run"]: row for row in figures["runs"]}
    assert "vs 1 worker" in table and figures["bench"] == "scale" and len(runs) == 4
    assert all(row["pages"] == figures["articles"] for row in runs.values()), "each run stores every article once"
    assert runs["2 workers, Redis frontier"]["workers"] == 2 and figures["speedup_2_workers"] > 0


def test_frontier_memory_smoke() -> None:
    table, figures = run_smoke("frontier_memory.py")
    assert "MB per million" in table and figures["bench"] == "frontier_memory"
    sizes = figures["bytes_per_url"]
    assert 0 < sizes["duplicate filter (scrapy-redis, SHA1 set)"] < sizes["duplicate filter (ours, SHA1 -> lastmod)"]
    assert sizes["duplicate filter (ours, SHA1 -> lastmod)"] < sizes["queue, JSON (ours)"]
