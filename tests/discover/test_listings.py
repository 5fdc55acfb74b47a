from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from crawler.discover.listings import (
    parse_rss,
    parse_section_page,
    parse_sitemap,
    robots_sitemaps,
    sitemap_day,
)
from crawler.sites.franceinfo import SITE

HOSTS = {"www.francetvinfo.fr"}


def is_article_url(url: str, hosts: set[str]) -> bool:
    return SITE.is_article_url(url, hosts)


NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://www.francetvinfo.fr/monde/a_7700001.html</loc><news:news>
<news:publication><news:name>Franceinfo</news:name><news:language>fr</news:language></news:publication>
<news:publication_date>2026-11-20T09:12:00+01:00</news:publication_date><news:title>Un titre</news:title></news:news></url>
<url><loc>https://www.francetvinfo.fr/monde/b_7700002.html</loc><lastmod>2026-11-20T10:00:00Z</lastmod></url>
</urlset>"""


def test_news_sitemap_gives_urls_with_publication_dates() -> None:
    kind, links = parse_sitemap(NEWS_SITEMAP)
    assert kind == "urlset"
    assert [link.url for link in links] == [
        "https://www.francetvinfo.fr/monde/a_7700001.html",
        "https://www.francetvinfo.fr/monde/b_7700002.html",
    ]
    assert links[0].date.isoformat() == "2026-11-20T08:12:00+00:00"
    assert links[0].title == "Un titre"


def test_sitemap_index_lists_children_with_lastmod() -> None:
    body = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://www.francetvinfo.fr/sitemaps/articles-2026-11-19.xml</loc><lastmod>2026-11-19T23:50:00+01:00</lastmod></sitemap>
    </sitemapindex>"""
    kind, links = parse_sitemap(body)
    assert kind == "index" and len(links) == 1
    assert sitemap_day(links[0].url) == (2026, 11, 19)
    assert sitemap_day("https://x/sitemap-2026-11.xml") == (2026, 11, None)
    assert sitemap_day("https://x/sitemap_news.xml") is None


def test_broken_sitemap_is_invalid_not_a_crash() -> None:
    assert parse_sitemap(b"<html><body>Erreur 500</body></html>")[1] == []
    assert parse_sitemap(b"\x00\x01garbage")[0] == "invalid"


def test_rss_items_with_rfc822_dates() -> None:
    body = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Franceinfo - Monde</title>
    <item><title>Un titre</title><link>https://www.francetvinfo.fr/monde/a_7700001.html#xtor=RSS-3-[monde]</link>
    <description><![CDATA[<p>Résumé</p>]]></description><pubDate>Fri, 20 Nov 2026 09:12:00 +0100</pubDate></item>
    </channel></rss>""".encode()
    links = parse_rss(body)
    assert len(links) == 1
    assert links[0].url.endswith("#xtor=RSS-3-[monde]")
    assert links[0].date.isoformat() == "2026-11-20T09:12:00+01:00"


def test_section_page_gives_article_cards_and_next_page() -> None:
    html = """<html><head><link rel="next" href="/monde/2.html"></head><body>
    <article class="card-article-majeure"><a class="card-article-m__link" href="/monde/europe/a_7700001.html">A</a></article>
    <a class="card-article-list-s__link" href="/monde/b_7700002.html">B</a>
    <a href="/tag/ukraine/">Ukraine</a><a href="https://autre-site.example/c_1.html">Ailleurs</a></body></html>"""
    links, next_url = parse_section_page(html, "https://www.francetvinfo.fr/monde/", SITE.section_links)
    assert [link.url for link in links] == [
        "https://www.francetvinfo.fr/monde/europe/a_7700001.html",
        "https://www.francetvinfo.fr/monde/b_7700002.html",
    ]
    assert next_url == "https://www.francetvinfo.fr/monde/2.html"


def test_article_urls_are_on_site_slug_id_pages() -> None:
    assert is_article_url("https://www.francetvinfo.fr/monde/a_7700001.html", HOSTS)
    assert not is_article_url("https://www.francetvinfo.fr/monde/", HOSTS)
    assert not is_article_url("https://www.francetvinfo.fr/tag/a_1.html", HOSTS)
    assert not is_article_url("https://www.lemonde.fr/monde/a_7700001.html", HOSTS)


REAL_NEWS_SITEMAP = Path(__file__).parent / "real-sitemaps" / "real-2023-10-25-sitemap-news-excerpt.xml"


def test_the_real_news_sitemap_gives_every_article_with_its_publication_time() -> None:
    """franceinfo's own `sitemap_news.xml` (an excerpt of 25 October 2023): no
    `lastmod`, a `news:publication_date` with seconds and offset, radio columns
    under /replay-radio/ among the articles."""
    kind, links = parse_sitemap(REAL_NEWS_SITEMAP.read_bytes())
    assert kind == "urlset" and len(links) == 8
    assert all(is_article_url(link.url, HOSTS) for link in links)
    assert sum("/replay-radio/" in link.url for link in links) == 4
    assert all(link.lastmod is None for link in links), "the real news sitemap gives no lastmod"
    first = links[0]
    assert first.url.endswith(
        "/le-vrai-du-faux/vrai-ou-faux-est-il-vrai-que-trois-deputes-europeens-insoumis-ont-refuse-de-condamner-le-hamas_6114006.html"
    )
    assert first.published == datetime(2023, 10, 25, 8, 59, 2, tzinfo=UTC)
    assert (
        first.title
        == "VRAI OU FAUX. Est-il vrai que trois députés européens insoumis ont refusé de condamner le Hamas ?"
    )
    assert [link.published for link in links] == sorted((link.published for link in links), reverse=True)


def test_a_live_page_of_the_real_site_is_an_article_sent_to_the_browser() -> None:
    """Live pages have a `direct-` slug: the full 25 October 2023 news sitemap lists a
    "DIRECT." page, _6143256 (not in the excerpt; the slug here is illustrative)."""
    live = "https://www.francetvinfo.fr/monde/proche-orient/israel-palestine/direct-guerre-entre-israel-et-le-hamas_6143256.html"
    assert is_article_url(live, HOSTS)
    assert any(re.search(pattern, urlsplit(live).path) for pattern in SITE.render_always)
    for link in parse_sitemap(REAL_NEWS_SITEMAP.read_bytes())[1]:
        assert not any(re.search(pattern, urlsplit(link.url).path) for pattern in SITE.render_always), link.url


def test_robots_txt_sitemap_lines_in_order_resolved_and_once() -> None:
    body = (
        b"User-agent: *\nDisallow: /esi-block/\n\n"
        b"Sitemap: https://www.francetvinfo.fr/sitemap_news.xml\n"
        b"sitemap:/sitemap_index.xml   # the archive\n"
        b"SITEMAP: https://www.francetvinfo.fr/sitemap_news.xml\n"
        b"Sitemap:\n"
    )
    assert robots_sitemaps(body, "https://www.francetvinfo.fr") == [
        "https://www.francetvinfo.fr/sitemap_news.xml",
        "https://www.francetvinfo.fr/sitemap_index.xml",
    ]


def test_robots_txt_without_sitemaps_or_not_text_lists_none() -> None:
    assert robots_sitemaps(b"User-agent: *\nAllow: /\n", "https://www.francetvinfo.fr") == []
    assert robots_sitemaps(b"\xff\xfe<html>\x00", "https://www.francetvinfo.fr") == []
