"""Every saved page next to its expected JSON, compared field by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.article import dumps_article
from crawler.extract import extract_article
from crawler.sites import page_for
from tests.read import PAGES

# Other sites' real pages are read by the generic page object, exact only where the
# page is clear: tests/read/test_other_sites.py.
CASES = sorted(path.parent for path in PAGES.glob("*/*/input.html") if path.parent.parent.name != "other-sites")


def load_case(case: Path) -> tuple[dict, dict, bytes]:
    meta = json.loads((case / "meta.json").read_text(encoding="utf-8"))
    expected = json.loads((case / "output.json").read_text(encoding="utf-8"))
    return meta, expected, (case / "input.html").read_bytes()


def test_every_case_has_its_files() -> None:
    assert len(CASES) >= 7
    for case in CASES:
        assert (case / "meta.json").is_file(), case
        assert (case / "output.json").is_file(), case


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_page_matches_expected_json(case: Path) -> None:
    meta, expected, body = load_case(case)
    actual = json.loads(dumps_article(extract_article(meta["url"], body)))
    assert sorted(actual) == sorted(expected), "unexpected or missing fields"
    for field, value in expected.items():
        assert actual[field] == value, f"{case.name}: field {field!r}"


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_chooser_picks_the_expected_layout(case: Path) -> None:
    meta, _, body = load_case(case)
    page = page_for(meta["url"], body.decode("utf-8"))
    assert type(page).__name__ == meta["page"]


def test_synthetic_fixtures_are_named_as_such() -> None:
    for case in CASES:
        html = (case / "input.html").read_text(encoding="utf-8")
        assert case.name.startswith(("synthetic-", "real-"))
        assert ("synthetic-" in html) == case.name.startswith("synthetic-")
