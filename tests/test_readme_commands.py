"""The README's commands, run the way a newcomer runs them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_readme_starts_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    head = readme[:2500]
    assert "make demo" in head and "make test" in head
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.MULTILINE), ".ci/run runs the README's test command"
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "-m replica.demo" in makefile


@pytest.mark.slow
def test_demo_crawls_the_replica_into_ferretdb(tmp_path: Path) -> None:
    out = tmp_path / "articles.jsonl"
    process = subprocess.run(
        [sys.executable, "-m", "replica.demo", "--articles", "60", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert process.returncode == 0, process.stderr[-3000:]
    stored = int(re.search(r"stored: (\d+) articles", process.stdout).group(1))
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert stored == len(items) >= 50
    assert "failed/redirect_loop 1" in process.stdout
    assert all(item["url"].startswith("http://127.0.0.1:") for item in items)
    report = tmp_path / "report.html"
    assert f"ops report: {report}" in process.stdout and "<svg" in report.read_text(encoding="utf-8")
