"""The layout's rules: the shipped packages import nothing dev-only, imports go one
way (`pipelines` -> `crawler`; settings name the pipelines by dotted path), and the
packages of `crawler/` follow the data's path without cycles."""

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


# The data's path, lowest first: a package imports only packages before it, so
# there is no cycle and a newcomer can read the tree in this order. The modules
# at the top of `crawler/` (settings and the ops commands, `report/` among them) may
# import any of them.
LAYERS = ["article", "read", "sites", "store", "fetch", "frontier", "discover", "observe", "spiders", "commands"]
OPS_COMMANDS = {"report"}


def crawler_packages_imported(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        found.update(m.split(".")[1] for m in modules if m.startswith("crawler.") and m.count(".") >= 1)
    return found


def test_every_crawler_package_has_its_place_in_the_layers() -> None:
    packages = {path.parent.name for path in (REPO / "crawler").glob("*/__init__.py")}
    assert packages == set(LAYERS) | OPS_COMMANDS


@pytest.mark.parametrize("package", LAYERS)
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    below = set(LAYERS[: LAYERS.index(package)])
    offending = {
        str(path.relative_to(REPO)): sorted(names - below - {package})
        for path in sorted((REPO / "crawler" / package).rglob("*.py"))
        if (names := crawler_packages_imported(path) & set(LAYERS)) - below - {package}
    }
    assert offending == {}
