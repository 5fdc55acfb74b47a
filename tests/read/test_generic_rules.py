"""The generic page object's reading of meta text, from other sites' real pages."""

from __future__ import annotations

import pytest

from crawler.read.generic import meta_text


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        ("Gr&egrave;ve du 13&nbsp;avril", "Grève du 13 avril"),  # linternaute, 2023: entities escaped twice
        ("Elle a marqué l&rsquo;histoire", "Elle a marqué l’histoire"),  # ladepeche, 2025
        ("l&#039;aide", "l'aide"),
        ("[VIDÉO] ▶️ C'est l'un des villages", "C'est l'un des villages"),  # tf1info, 2023
        ("Vidéo - C'est un président étrange", "C'est un président étrange"),  # lepoint, 2023
        ("Une vidéo - pas un label", "Une vidéo - pas un label"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
    ],
)
def test_meta_text_reads_as_a_reader_sees_it(raw: str, read: str) -> None:
    assert meta_text(raw) == read


def test_meta_text_of_a_non_string_is_empty() -> None:
    assert meta_text(["a", "b"]) == "" and meta_text(None) == "" and meta_text(7) == ""
