"""The one-walk index answers every selector exactly as lxml's XPath translation does."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from crawler.read import franceinfo, generic
from crawler.read.base import HtmlPage, css, detect_encoding
from crawler.read.index import ElementIndex, Unsupported, parsed
from tests.read import PAGES

PAGE_CLASSES = [
    franceinfo.FranceinfoArticlePage,
    franceinfo.FranceinfoLivePage,
    franceinfo.FranceinfoVideoPage,
    franceinfo.Franceinfo2013Page,
    franceinfo.Franceinfo2013VideoPage,
    generic.GenericArticlePage,
]
# What the page objects ask besides their named selectors, and shapes they may ask.
EXTRA_SELECTORS = {
    "article.content-live",
    ".hero-video__title",
    "figure.francetv-player-wrapper[id]",
    "a:not([href='/'])",
    "li + li",
    "div > p",
    "*",
    "[id^='ad-']",
    "[class~='c-body']",
    "a[href$='.html']",
    "a[href*='/monde/']",
    "html[lang|='fr']",
    "#col-middle .text",
}


def page_selectors() -> list[str]:
    selectors = set(EXTRA_SELECTORS)
    for page_class in PAGE_CLASSES:
        for name in dir(page_class):
            value = getattr(page_class, name)
            if name.isupper() and isinstance(value, str):
                try:
                    css(value)
                except Exception:  # a plain string constant, not a selector
                    continue
                selectors.add(value)
    return sorted(selectors)


SELECTORS = page_selectors()
SAVED_PAGES = sorted(PAGES.glob("*/*/input.html"))


@pytest.mark.parametrize("case", SAVED_PAGES, ids=lambda case: case.parent.name)
def test_index_answers_as_xpath_does(case: Path) -> None:
    body = case.read_bytes()
    page = HtmlPage("https://example.org/", body, detect_encoding(body))
    root = page.content_root
    index = ElementIndex(root)
    scopes = [root, *list(root.iter(etree.Element))[1::41]]
    for selector in SELECTORS:
        for scope in scopes:
            assert index.select(selector, scope) == css(selector)(scope), (selector, scope.tag)


def test_the_page_objects_selectors_are_all_answered_by_the_index() -> None:
    """A selector the index can't answer still works (through XPath), but costs a
    walk of the page each time: none of ours should."""
    unsupported = []
    for selector in SELECTORS:
        try:
            parsed(selector)
        except Unsupported:
            unsupported.append(selector)
    assert unsupported == []


def test_pseudo_classes_go_to_xpath() -> None:
    page = HtmlPage("https://example.org/", "<html><body><main><p>a</p><p>b</p></main></body></html>")
    with pytest.raises(Unsupported):
        page.index.select("p:first-child", page.content_root)
    assert [node.text for node in page.select("p:first-child")] == ["a"]
    assert [node.text for node in page.select("p ~ p")] == ["b"]


def test_a_node_outside_the_indexed_root_is_answered_by_xpath() -> None:
    page = HtmlPage(
        "https://example.org/",
        "<html><body><nav class='breadcrumb'><a>Monde</a></nav><main><p class='x'>a</p></main></body></html>",
    )
    assert page.content_root.tag == "main"
    assert [node.text for node in page.select("nav.breadcrumb a", page.tree)] == ["Monde"]
    assert page.select("nav.breadcrumb a") == []


def test_repeated_class_names_give_an_element_once() -> None:
    page = HtmlPage("https://example.org/", "<html><body><main><p class='x x'>a</p></main></body></html>")
    assert len(page.select(".x")) == 1
