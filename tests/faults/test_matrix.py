"""The README's fault table and this suite say the same: each row names the tests
that make its fault, each named test exists, and each test here belongs to a row."""

from __future__ import annotations

import ast
import re
from pathlib import Path

HERE = Path(__file__).parent
README = HERE.parents[1] / "README.md"
REFERENCE = re.compile(r"`(test_\w+\.py)::(test_\w+)`")


def fault_rows() -> dict[str, list[tuple[str, str]]]:
    """Each row of the table under "### Faults": its fault, and the tests it names."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("### Faults") :].split("\n\n")[1]
    rows = [line for line in table.splitlines() if line.startswith("| ")][1:]
    return {row.split(" | ")[0].strip("| "): REFERENCE.findall(row) for row in rows}


def suite_tests() -> set[tuple[str, str]]:
    tests = set()
    for path in HERE.glob("test_*.py"):
        if path.name == Path(__file__).name:
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
                tests.add((path.name, node.name))
    return tests


def test_every_fault_row_names_its_tests() -> None:
    rows = fault_rows()
    assert len(rows) >= 18
    assert [fault for fault, tests in rows.items() if not tests] == []


def test_every_test_named_in_the_table_exists() -> None:
    named = {test for tests in fault_rows().values() for test in tests}
    assert sorted(named - suite_tests()) == []


def test_every_test_of_the_suite_is_named_in_the_table() -> None:
    named = {test for tests in fault_rows().values() for test in tests}
    assert sorted(suite_tests() - named) == []
