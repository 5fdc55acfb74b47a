"""Property-based: whatever shapes a page's meta tags and JSON-LD take (repeated
keys, lists where strings are expected, numbers, nulls, entities, deep nesting),
reading it gives an article of the schema's types or a counted `NotAnArticle`,
never an exception. A repeated `article:section` once crashed the generic page."""

from __future__ import annotations

import html
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extract import extract_article
from crawler.read.base import NotAnArticle

KEYS = (
    "@type", "@graph", "headline", "name", "author", "datePublished", "dateModified", "description",
    "articleSection", "isAccessibleForFree", "keywords", "image", "url", "itemListElement",
)  # fmt: skip
TYPES = ("NewsArticle", "Article", "LiveBlogPosting", "VideoObject", "Person", "BreadcrumbList", "WebPage")
META = ("og:title", "og:description", "og:type", "og:image", "article:section", "article:tag", "author", "description")
WORDS = st.sampled_from(
    ["Grève", "l&#039;aide", "&agrave; Paris", "[VIDÉO] ▶️ Un titre", "2026-11-20T10:00:00+01:00", "", " ", "9999-12-31"]
)
TEXT = st.one_of(WORDS, st.text(max_size=30))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), TEXT, st.sampled_from(TYPES))
JSON_LD = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)),
    max_leaves=30,
)
ARTICLE = st.fixed_dictionaries(
    {"@type": st.sampled_from(("NewsArticle", "Article", "LiveBlogPosting"))},
    optional={key: JSON_LD for key in KEYS if key != "@type"},
)
# Mostly an article whose fields take any shape; sometimes anything at all.
LD = st.one_of(ARTICLE, ARTICLE.map(lambda article: {"@graph": [article]}), ARTICLE.map(lambda a: [a, a]), JSON_LD)
METAS = st.lists(st.tuples(st.sampled_from(META), TEXT), max_size=12)

STRING_FIELDS = ("url", "source", "kind", "title", "text")
OPTIONAL_STRINGS = ("lead", "section", "language")
LIST_FIELDS = ("paragraphs", "authors", "breadcrumb", "tags", "images", "related")


def page(ld: object, metas: list[tuple[str, str]], title: str) -> bytes:
    tags = '<meta property="og:type" content="article">' + "".join(
        f'<meta property="{key}" content="{html.escape(value)}">' for key, value in metas
    )
    script = json.dumps(ld, allow_nan=True).replace("</", "<\\/")
    return (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">{tags}'
        f'<script type="application/ld+json">{script}</script></head><body><article>'
        f'<h1 class="c-title">{html.escape(title)}</h1><div class="c-body">'
        f"<p>{'Un paragraphe du corps de l’article, assez long pour compter. ' * 8}</p></div>"
        "</article></body></html>"
    ).encode("utf-8", "surrogatepass")


def assert_schema_types(article: dict) -> None:
    for field in STRING_FIELDS:
        assert isinstance(article[field], str), field
    for field in OPTIONAL_STRINGS:
        assert article[field] is None or isinstance(article[field], str), field
    for field in LIST_FIELDS:
        assert isinstance(article[field], list), field
    assert all(isinstance(name, str) and name for name in article["authors"])
    assert all(isinstance(tag, str) and tag for tag in article["tags"])


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(ld=LD, metas=METAS, title=TEXT)
def test_any_meta_and_json_ld_shape_reads_or_is_refused(ld: object, metas: list[tuple[str, str]], title: str) -> None:
    for url in (
        "https://www.example-news.fr/monde/un-article-123.html",
        "https://www.francetvinfo.fr/monde/a_7600100.html",
    ):
        try:
            article = extract_article(url, page(ld, metas, title))
        except NotAnArticle:
            continue
        assert_schema_types(article)
