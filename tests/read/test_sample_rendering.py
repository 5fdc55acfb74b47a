"""The synthetic page rendered from the seed sample shows exactly the sample's text."""

from __future__ import annotations

from pathlib import Path

from lxml import html

from crawler.article.normalize import clean_text
from tests.read import PAGES

CASE = PAGES / "franceinfo" / "synthetic-2020-haut-karabakh"


def visible_lines(page: Path) -> list[str]:
    tree = html.parse(str(page)).getroot()
    main = tree.find(".//main")
    for hidden in main.xpath(".//script | .//style | .//noscript"):
        hidden.drop_tree()
    lines = []
    for block in main.xpath(".//h1 | .//h2 | .//p | .//li"):
        if block.tag == "li":
            lines.append("-")
        text = clean_text(block.text_content())
        if text:
            lines.append(text)
    return lines


def test_visible_text_is_the_sample() -> None:
    sample = [clean_text(line) for line in (CASE / "sample_article.txt").read_text(encoding="utf-8").splitlines()]
    image_lines = [line for line in sample if line.endswith(")") and line.startswith("/")]
    text_lines = [line for line in sample if line and line not in image_lines]
    assert visible_lines(CASE / "input.html") == text_lines


def test_the_sample_images_are_the_page_images() -> None:
    sample = (CASE / "sample_article.txt").read_text(encoding="utf-8")
    page = (CASE / "input.html").read_text(encoding="utf-8")
    assert "/2023/07/06/64a68815cd1a7_placeholder-36b69ec8.png" in sample
    assert "/2023/07/06/64a68815cd1a7_placeholder-36b69ec8.png" in page
    assert "/2020/10/31/phpLli898.jpg" in page
