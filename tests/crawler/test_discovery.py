from __future__ import annotations

from crawler.discovery import is_article_url, parse_rss, parse_section_page, parse_sitemap, sitemap_day

HOSTS = {"www.francetvinfo.fr"}

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
    links, next_url = parse_section_page(html, "https://www.francetvinfo.fr/monde/")
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
