"""Every franceinfo layout class is held to a real page of its template."""

from __future__ import annotations

import json

from crawler.read import franceinfo
from tests.read import PAGES

FRANCEINFO = PAGES / "franceinfo"
# Layouts no saved capture of the real site shows. Each is read after the site's
# published markup and our replica's model (FRANCEINFO.md); a real page of it goes
# in tests/read/pages/franceinfo/real-*, and then its line here goes.
WITHOUT_REAL_PAGE = {
    "FranceinfoLivePage": "no public capture of a live ('direct-') page: its posts' markup is modelled",
    "FranceinfoVideoPage": "no capture of a current-template video page (the 2015-2022 ones are Franceinfo2013VideoPage)",
}


def layout_classes() -> set[str]:
    found = {franceinfo.FranceinfoArticlePage}
    pending = [franceinfo.FranceinfoArticlePage]
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass.__module__ == franceinfo.__name__:
                found.add(subclass)
                pending.append(subclass)
    return {layout.__name__ for layout in found}


def real_page_layouts() -> dict[str, list[str]]:
    layouts: dict[str, list[str]] = {}
    for case in sorted(FRANCEINFO.glob("real-*")):
        page = json.loads((case / "meta.json").read_text(encoding="utf-8"))["page"]
        layouts.setdefault(page, []).append(case.name)
    return layouts


def test_every_layout_class_has_a_real_page() -> None:
    """The chooser test (test_fixture_pages) checks each page picks its meta's
    layout, so a layout named here is the one that read the page exactly."""
    covered = real_page_layouts()
    missing = sorted(layout_classes() - set(covered) - set(WITHOUT_REAL_PAGE))
    assert missing == [], f"layout classes without a real fixture page: {missing}"


def test_a_layout_listed_without_real_page_has_none() -> None:
    """When a real page of a listed layout arrives, the list shrinks."""
    covered = real_page_layouts()
    assert sorted(set(WITHOUT_REAL_PAGE) & set(covered)) == []
    assert set(WITHOUT_REAL_PAGE) <= layout_classes(), "a listed layout that no longer exists"


def test_real_pages_show_the_old_and_current_templates() -> None:
    covered = real_page_layouts()
    assert {"FranceinfoArticlePage", "Franceinfo2013Page", "Franceinfo2013VideoPage"} <= set(covered)
