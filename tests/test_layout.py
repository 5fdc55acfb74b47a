"""The layout's rules: the shipped packages import nothing dev-only, and imports go
one way, `pipelines` -> `crawler` (settings name the pipelines by dotted path)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEV_ONLY = ("replica", "devservers", "tests", "bench")


def imported(package: str) -> dict[str, set[str]]:
    """Top-level packages each module of `package` imports."""
    found: dict[str, set[str]] = {}
    for path in sorted((REPO / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(REPO))] = names
    return found


@pytest.mark.parametrize("package", ["crawler", "pipelines"])
def test_the_shipped_packages_import_nothing_dev_only(package: str) -> None:
    offending = {module: names & set(DEV_ONLY) for module, names in imported(package).items() if names & set(DEV_ONLY)}
    assert offending == {}, "the image ships crawler/ and pipelines/ only"


def test_crawler_does_not_import_pipelines() -> None:
    offending = [module for module, names in imported("crawler").items() if "pipelines" in names]
    assert offending == []
