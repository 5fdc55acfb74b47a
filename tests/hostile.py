"""A corpus of hostile pages, generated (not saved blobs) so each case says what it
is: broken HTML, wrong charsets, JSON-LD of the wrong shape or depth, dates at the
edge of the calendar, lone surrogates and control characters.

Each `HostilePage` carries what reading it must give: `"stored"` with some cleaned
`fields` (as `python -m crawler.extract` prints them), or `"dropped/<reason>"`. The
CLI and a real crawl both go through every page (tests/faults/test_hostile_pages.py).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

PUBLISHED = "2024-03-05T10:00:00+01:00"
PUBLISHED_UTC = "2024-03-05T09:00:00Z"
TITLE = "Titre de l'article"
BODY = "<p>Premier paragraphe de l'article.</p><p>Second paragraphe.</p>"
PARAGRAPHS = ["Premier paragraphe de l'article.", "Second paragraphe."]
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class HostilePage:
    name: str
    body: bytes
    expect: str = "stored"  # or "dropped/<reason>", "dropped/invalid/<field>"
    fields: dict[str, Any] = field(default_factory=dict)  # stored: cleaned field -> value
    content_type: str = HTML
    crawl_expect: str | None = None  # when the crawl sees more than the CLI (a cut transfer)
    slug_prefix: str = ""  # "video-" picks the video layout by URL, as on the site

    def path(self, number: int) -> str:
        """An article URL path of the franceinfo shape, so the franceinfo page object reads it."""
        return f"/monde/{self.slug_prefix}{self.name}_{7600100 + number}.html"

    @property
    def expected_in_crawl(self) -> str:
        return self.crawl_expect or self.expect


def article(
    *,
    ld: Any = None,
    head: str = "",
    title: str = TITLE,
    body: str = BODY,
    lang: str = "fr",
    date_meta: str | None = PUBLISHED,
    extra: str = "",
    close: bool = True,
) -> str:
    """An article of the current franceinfo template; `ld` is a JSON-LD value (dumped)
    or a string (inserted as it is, for invalid JSON and escapes). The displayed `h1`
    is the title; with `title=""` there is none, and the JSON-LD `headline` is."""
    scripts = ""
    if ld is not None:
        text = ld if isinstance(ld, str) else json.dumps(ld)
        scripts = f'<script type="application/ld+json">{text}</script>'
    meta = f'<meta property="article:published_time" content="{date_meta}">' if date_meta else ""
    page = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} | franceinfo</title>'
        f"{meta}{head}{scripts}</head><body><main><article>"
        f'<h1 class="c-title">{title}</h1><div class="c-body">{body}</div>{extra}'
        "</article></main></body>"
    )
    return page + "</html>" if close else page


def news(**fields: Any) -> dict[str, Any]:
    return {"@context": "https://schema.org", "@type": "NewsArticle", **fields}


def page(name: str, html: str, expect: str = "stored", **options: Any) -> HostilePage:
    return HostilePage(name, html.encode("utf-8"), expect, **options)


def _dates() -> list[HostilePage]:
    invalid = "dropped/invalid/published_at"
    return [
        page("ld-date-year-0001-utc", article(ld=news(headline=TITLE, datePublished="0001-01-01T00:00:00Z")), invalid),
        page("ld-date-year-0001-paris", article(ld=news(headline=TITLE, datePublished="0001-01-01T00:00:00")), invalid),
        page("ld-date-year-9999-utc", article(ld=news(headline=TITLE, datePublished="9999-12-31T23:59:59Z")), invalid),
        page("meta-date-year-9999", article(date_meta="9999-12-31T23:59:59Z"), invalid),
        page("meta-date-year-0001", article(date_meta="0001-01-01T00:00:00+01:00"), invalid),
        page(
            "time-date-year-9999",
            article(
                date_meta=None,
                extra='<p class="publication-date__published"><time datetime="9999-12-31T23:30:00">x</time></p>',
            ),
            invalid,
        ),
        page("ld-date-not-a-date", article(ld=news(headline=TITLE, datePublished="hier soir")), invalid),
        page(
            "ld-modified-year-9999",
            article(ld=news(headline=TITLE, datePublished=PUBLISHED, dateModified="9999-12-31T23:59:59Z")),
            fields={"published_at": PUBLISHED_UTC, "modified_at": None, "date_path": "2024/03/05"},
        ),
        page(
            "ld-date-as-object",
            article(ld=news(headline=TITLE, datePublished={})),
            fields={"published_at": PUBLISHED_UTC},
        ),
        page(
            "ld-date-as-list",
            article(ld=news(headline=TITLE, datePublished=["2020-01-01T00:00:00Z"])),
            fields={"published_at": PUBLISHED_UTC},
        ),
        page(
            "ld-date-huge-integer",  # json.loads refuses ints of more than 4,300 digits: the block is ignored
            article(ld='{"@type": "NewsArticle", "headline": "Ignoré", "datePublished": ' + "9" * 5000 + "}"),
            fields={"title": TITLE, "published_at": PUBLISHED_UTC},
        ),
    ]


def _unencodable() -> list[HostilePage]:
    return [
        page(
            "ld-headline-lone-surrogate",
            article(ld='{"@type": "NewsArticle", "headline": "Avant\\ud800apr\\u00e8s"}', title=""),
            fields={"title": "Avantaprès"},
        ),
        page(
            "ld-headline-nul-and-controls",
            article(ld='{"@type": "NewsArticle", "headline": "A\\u0000B\\u0007C\\u001b"}', title=""),
            fields={"title": "ABC"},
        ),
        page(
            "ld-description-lone-surrogate",
            article(ld='{"@type": "NewsArticle", "headline": "T", "description": "Chap\\udfffeau"}'),
            fields={"lead": "Chapeau"},
        ),
        page(
            "ld-author-lone-surrogate",
            article(ld='{"@type": "NewsArticle", "headline": "T", "author": [{"name": "Jean\\udc80 Dupont"}]}'),
            fields={"authors": ["Jean Dupont"]},
        ),
        page(
            "ld-keywords-surrogate-and-nul",
            article(
                ld='{"@type": "NewsArticle", "headline": "T", "keywords": "gr\\u00e8ve\\ud800, \\u0000, transports"}'
            ),
            fields={"tags": ["grève", "transports"]},
        ),
        page(
            "ld-live-updates-unencodable",
            article(
                ld='{"@type": "LiveBlogPosting", "headline": "Direct", "datePublished": "2024-03-05T10:00:00+01:00",'
                ' "liveBlogUpdate": [{"datePublished": "2024-03-05T11:00:00+01:00", "headline": "Mise\\ud800 à jour",'
                ' "articleBody": "Texte\\u0000 du post"}, 42, {"headline": 7, "articleBody": ["x"]}]}',
                extra='<article class="content-live"></article>',
            ),
            fields={"kind": "live", "paragraphs": ["Mise à jour", "Texte du post"]},
        ),
        page("nul-byte-in-head", article(head="<meta name='x' content='\x00'>"), "dropped/not_html"),
        page(
            "nul-byte-late-in-body",
            article(body="<p>" + "Long texte. " * 500 + "</p><p>Avec un\x00 octet nul.</p>"),
            fields={"paragraphs": [("Long texte. " * 500).strip(), "Avec un\ufffd octet nul."]},
        ),
        page(
            "entities-nul-surrogate-out-of-range",
            article(title="a&#0;b&#xD800;c&#1114112;d&#x1F600;", body="<p>x&#0;y&#xDFFF;z</p>"),
            fields={"title": "a\ufffdb\ufffdc\ufffdd\U0001f600", "paragraphs": ["x\ufffdy\ufffdz"]},
        ),
    ]


def _wrong_shapes() -> list[HostilePage]:
    deep = "[" * 100_000 + "]" * 100_000
    return [
        page("ld-headline-number", article(ld=news(headline=42)), fields={"title": TITLE}),
        page("ld-headline-object", article(ld=news(headline={"@value": "x"})), fields={"title": TITLE}),
        page("ld-headline-list", article(ld=news(headline=["a", "b"])), fields={"title": TITLE}),
        page("ld-headline-nan", article(ld='{"@type": "NewsArticle", "headline": NaN}'), fields={"title": TITLE}),
        page("ld-author-name-list", article(ld=news(headline="T", author=[{"name": ["a"]}])), fields={"authors": []}),
        page(
            "ld-author-nested-lists",
            article(ld=news(headline="T", author=[[[{"name": "Caché"}]], {"name": "Visible"}, 3])),
            fields={"authors": ["Visible"]},
        ),
        page("ld-description-list", article(ld=news(headline="T", description=[1, 2])), fields={"lead": None}),
        page(
            "ld-keywords-objects", article(ld=news(headline="T", keywords=[{"a": 1}, "ok", 3])), fields={"tags": ["ok"]}
        ),
        page(
            "ld-free-access-odd",
            article(ld=news(headline="T", isAccessibleForFree="peut-être")),
            fields={"free_access": None},
        ),
        page("ld-type-list-of-objects", article(ld={"@type": [{}], "headline": "Ignoré"}), fields={"title": TITLE}),
        page("ld-type-number", article(ld={"@type": 5, "headline": "Ignoré"}), fields={"title": TITLE}),
        page("ld-type-missing", article(ld={"headline": "Ignoré"}), fields={"title": TITLE}),
        page(
            "ld-type-mixed-list",
            article(ld={"@type": [7, "NewsArticle"], "headline": "Lu"}, title=""),
            fields={"title": "Lu"},
        ),
        page("ld-array-of-scalars", article(ld=[1, "deux", None, True]), fields={"title": TITLE}),
        page(
            "ld-breadcrumb-not-a-list",
            article(ld=[news(headline="T"), {"@type": "BreadcrumbList", "itemListElement": 42}]),
            fields={"breadcrumb": []},
        ),
        page(
            "ld-breadcrumb-mixed-items",
            article(
                ld={
                    "@type": "BreadcrumbList",
                    "itemListElement": [
                        {"position": "2", "name": "Europe", "item": "http://[oops/"},
                        "junk",
                        {"position": 1, "name": "Monde", "item": {"@id": "https://www.francetvinfo.fr/monde/"}},
                        {"position": True, "name": ["x"]},
                    ],
                }
            ),
            fields={"breadcrumb": ["Monde", "Europe"]},
        ),
        page(
            "ld-video-odd-values",
            article(
                ld=[
                    news(headline="Vidéo"),
                    {
                        "@type": "VideoObject",
                        "embedUrl": 42,
                        "contentUrl": "https://media.example/v\ud800.mp4",
                        "duration": 1e999,
                    },
                ]
            ),
            fields={"kind": "video", "video": {"url": "https://media.example/v.mp4", "duration_s": None}},
            slug_prefix="video-",
        ),
        page("ld-nesting-100k-deep", article(ld=deep), fields={"title": TITLE}),
        page(
            "ld-graph-nested-900-deep",
            article(ld='{"@graph": ' * 900 + '{"@type": "NewsArticle", "headline": "Profond"}' + "}" * 900, title=""),
            fields={"title": "Profond"},
        ),
        page("ld-invalid-json", article(ld='{"@type": "NewsArticle", "headline": "x",'), fields={"title": TITLE}),
        page(
            "ld-10000-blocks",
            article(
                head='<script type="application/ld+json">{"@type": "WebPage", "name": "bloc"}</script>' * 10_000,
                ld=news(headline="Après dix mille blocs"),
                title="",
            ),
            fields={"title": "Après dix mille blocs"},
        ),
    ]


def _broken_html() -> list[HostilePage]:
    rng = random.Random(7600)
    garbage = bytes(rng.randrange(256) for _ in range(20_000))
    nested = "<div>" * 1_000_000 + "profond" + "</div>" * 10
    utf16 = article(title="Été").encode("utf-16-le")
    return [
        page(
            "unclosed-document",
            article(body="<p>Un paragraphe <b>jamais fermé<p>Un autre <i>aussi", close=False),
            fields={"paragraphs": ["Un paragraphe jamais fermé", "Un autre aussi"]},
            crawl_expect="dropped/truncated",
        ),
        page(
            "unclosed-fragment",
            '<h1 class="c-title">Fragment<div class="c-body"><p>Sans html ni body<p>ni fin',
            "dropped/invalid/published_at",
        ),
        HostilePage("binary-garbage", garbage, "dropped/not_html"),
        HostilePage("png-served-as-html", b"\x89PNG\r\n\x1a\n" + garbage, "dropped/not_html"),
        HostilePage("empty-body", b"", "dropped/empty_page"),
        HostilePage("whitespace-body", b" \r\n\t " * 100, "dropped/empty_page"),
        HostilePage("utf16-without-bom-undeclared", utf16, "dropped/not_html"),
        HostilePage(
            "utf16-without-bom-declared-in-header",
            utf16,
            fields={"title": "Été"},
            content_type="text/html; charset=utf-16le",
        ),
        HostilePage(
            "ebcdic-declared-in-header",
            article(title="Cp037").encode("cp037"),
            fields={"title": "Cp037"},
            content_type="text/html; charset=cp037",
        ),
        HostilePage(
            "charset-header-and-meta-contradict",
            article(title="Été brûlant", head='<meta charset="windows-1252">').encode("utf-8"),
            fields={"title": "Été brûlant"},
            content_type="text/html; charset=iso-8859-1",
        ),
        HostilePage(
            "charset-base64",
            article(title="Été").replace('charset="utf-8"', 'charset="base64"').encode("utf-8"),
            fields={"title": "Été"},
            content_type="text/html",
        ),
        HostilePage(
            "charset-undefined-in-header",
            article(title="Été").encode("utf-8"),
            fields={"title": "Été"},
            content_type="text/html; charset=undefined",
        ),
        HostilePage(
            "charset-unknown",
            article(title="Été").replace('charset="utf-8"', 'charset="x-martian"').encode("utf-8"),
            fields={"title": "Été"},
            content_type="text/html",
        ),
        page("nested-divs-5mb", article(extra=nested), fields={"paragraphs": PARAGRAPHS}),
        page("title-100kb", article(title="Long " * 20_000), fields={"title": ("Long " * 20_000).strip()}),
        page(
            "meta-contradicting-duplicates",
            article(
                date_meta=None,
                head='<meta property="article:published_time" content=" ">'
                '<meta property="article:published_time" content="2024-03-05T10:00:00+01:00">'
                '<meta property="article:published_time" content="2001-01-01T00:00:00Z">'
                '<link rel="canonical" href="http://[oops/">',
            ),
            fields={"published_at": PUBLISHED_UTC},
        ),
        page(
            "bad-urls-in-links-and-images",
            article(
                body=BODY + '<figure><img src="http://[::1/img.jpg" alt="x"></figure>',
                extra='<section><h2>À regarder</h2><a href="http://host:99999/x_1.html">'
                '<span class="card__title">Port impossible</span></a></section>',
            ),
            fields={"images": [], "related": []},
        ),
        page("lang-not-a-code", article(lang="français"), fields={"language": "fr"}),
        page("lang-100kb", article(lang="x" * 100_000), fields={"language": "fr"}),
        page("lang-region", article(lang="en_GB"), fields={"language": "en"}),
        page(
            "section-page-not-article",
            "<html><head><title>Monde</title></head><body><nav>Menu</nav></body></html>",
            "dropped/not_article",
        ),
        page("no-title", article(title="", ld=None), "dropped/no_title"),
        page("empty-article-body", article(body="<p> </p>"), "dropped/empty_body"),
    ]


def corpus() -> list[HostilePage]:
    """Every hostile page, names unique."""
    pages = _dates() + _unencodable() + _wrong_shapes() + _broken_html()
    assert len({p.name for p in pages}) == len(pages)
    return pages
