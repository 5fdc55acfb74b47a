"""Discovery as the real site publishes it: robots → sitemaps, RSS, section pages."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urljoin

from tests.replica.client import fetch

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
CARD_LINKS = "//a[contains(@class,'card-article-m__link') or contains(@class,'card-article-l__link') or contains(@class,'card-article-list-s__link')]/@href"
RFC822 = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0[12]00$")


def _quirk_records(quirks: dict) -> set[str]:
    """Quirk URLs listed in archive sitemaps (the variants are only linked from listings)."""
    return {e["url"] for e in quirks["quirks"] if any(p.startswith("/sitemaps/") for p in e["listed_in"])}


def test_robots_points_to_the_sitemap_index(base):
    response = fetch(f"{base}/robots.txt")
    assert response.status == 200
    text = response.body.decode()
    assert f"Sitemap: {base}/sitemap_index.xml" in text
    assert "Disallow: /_replica/" in text
    assert "Disallow: /esi-block/" in text


def test_sitemap_index_lists_news_and_every_day_with_lastmod(base, truth):
    index = fetch(f"{base}/sitemap_index.xml").xml()
    entries = {
        node.findtext(f"{SITEMAP}loc"): node.findtext(f"{SITEMAP}lastmod") for node in index.iter(f"{SITEMAP}sitemap")
    }
    assert f"{base}/sitemap_news.xml" in entries
    days = {a["sources"]["archive_sitemap"] for a in truth["articles"]}
    assert {f"{base}{day}" for day in days} <= set(entries)
    for url, lastmod in entries.items():
        assert datetime.fromisoformat(lastmod).tzinfo is not None
        if "/sitemaps/" in url:
            day = fetch(url).xml()
            newest = max(datetime.fromisoformat(node.text) for node in day.iter(f"{SITEMAP}lastmod"))
            assert datetime.fromisoformat(lastmod) == newest


def test_news_sitemap_lists_exactly_the_last_48_hours(base, truth):
    news = fetch(f"{base}/sitemap_news.xml").xml()
    listed = {}
    for node in news.iter(f"{SITEMAP}url"):
        published = node.find(f".//{NEWS}publication_date").text
        listed[node.findtext(f"{SITEMAP}loc")] = (published, node.find(f".//{NEWS}title").text)
    expected = {a["url"]: a for a in truth["articles"] if a["sources"]["news_sitemap"]}
    assert set(listed) == set(expected)
    now = datetime.fromisoformat(truth["now"])
    for url, (published, title) in listed.items():
        assert published == expected[url]["published"]
        assert title == expected[url]["title"]
        assert now - timedelta(hours=48) < datetime.fromisoformat(published) <= now


def test_archive_sitemaps_list_every_article_and_the_quirk_records(base, truth, quirks):
    index = fetch(f"{base}/sitemap_index.xml").xml()
    listed: dict[str, str] = {}
    for loc in index.iter(f"{SITEMAP}loc"):
        if "/sitemaps/" in loc.text:
            for node in fetch(loc.text).xml().iter(f"{SITEMAP}url"):
                listed[node.findtext(f"{SITEMAP}loc")] = node.findtext(f"{SITEMAP}lastmod")
    articles = {a["url"]: a for a in truth["articles"]}
    assert set(listed) == set(articles) | _quirk_records(quirks)
    for url, article in articles.items():
        assert listed[url] == article["lastmod"]


def test_titres_rss_is_valid_with_the_latest_30(base, truth, canonical_of):
    response = fetch(f"{base}/titres.rss")
    assert response.header("content-type").startswith("application/rss+xml")
    assert b"<description><![CDATA[" in response.body
    channel = response.xml().find("channel")
    assert channel.findtext("title") == "Franceinfo - Titres"
    items = channel.findall("item")
    latest = [a for a in truth["articles"] if "/titres.rss" in a["sources"]["rss"]]
    assert len(items) == len(latest) == 30
    by_url = {a["url"]: a for a in latest}
    for item in items:
        link = item.findtext("link")
        assert link.endswith("#xtor=RSS-3-[titres]")
        article = by_url[canonical_of(link)]
        assert item.findtext("title") == article["title"]
        assert item.findtext("guid") == article["url"]
        assert RFC822.match(item.findtext("pubDate"))
        assert item.find("enclosure").get("type") == "image/jpeg"


def test_section_rss_has_only_its_section(base, truth, canonical_of):
    channel = fetch(f"{base}/monde.rss").xml().find("channel")
    assert channel.findtext("title") == "Franceinfo - Monde"
    links = [canonical_of(item.findtext("link")) for item in channel.findall("item")]
    expected = [a["url"] for a in truth["articles"] if "/monde.rss" in a["sources"]["rss"]]
    assert sorted(links) == sorted(expected)
    assert all("/monde/" in link for link in links)


def _crawl_listing(base: str, root: str, canonical_of) -> tuple[list[str], int]:
    url, seen, pages = f"{base}{root}", [], 0
    while url:
        tree = fetch(url).tree()
        pages += 1
        seen += [canonical_of(urljoin(url, href)) for href in tree.xpath(CARD_LINKS)]
        following = tree.xpath('//link[@rel="next"]/@href')
        url = following[0] if following else None
    return seen, pages


def test_section_pagination_reaches_every_article_of_the_section(base, truth, canonical_of):
    seen, pages = _crawl_listing(base, "/monde/", canonical_of)
    expected = [a for a in truth["articles"] if a["section"] == "monde" and a["quirk"] is None]
    assert len(seen) == len(set(seen))
    assert set(seen) == {a["url"] for a in expected}
    assert pages == max(1, -(-len(expected) // 20))
    newest_first = sorted(expected, key=lambda a: a["published"], reverse=True)
    assert seen[:5] == [a["url"] for a in newest_first[:5]]


def test_subsection_pagination(base, truth, canonical_of):
    seen, _ = _crawl_listing(base, "/monde/europe/", canonical_of)
    expected = {a["url"] for a in truth["articles"] if a["subsection"] == "europe" and a["quirk"] is None}
    assert set(seen) == expected


def test_section_pages_hold_non_article_links_and_variants(base, truth):
    tree = fetch(f"{base}/politique/").tree()
    hrefs = tree.xpath("//main//a/@href")
    assert any(h.startswith("/tag/") for h in hrefs)
    assert any(h.startswith("/redaction/") for h in hrefs)
    assert any(h.startswith("/replay-jt/") for h in hrefs)
    assert any(h.startswith("https://") and "francetvinfo" not in h for h in hrefs)
    for kind in ("card-article-l__link", "card-article-m__link", "card-article-list-s__link"):
        assert tree.xpath(f"//a[contains(@class,'{kind}')]")
    assert fetch(f"{base}/replay-jt/france-2/20-heures/video-x_9100001.html").status == 200


def test_every_listed_article_appears_on_the_section_page_the_truth_names(base, truth, canonical_of):
    article = next(a for a in reversed(truth["articles"]) if a["quirk"] is None and "/2.html" in str(a["sources"]))
    page = next(p for p in article["sources"]["section_pages"] if p.endswith("/2.html"))
    tree = fetch(f"{base}{page}").tree()
    assert article["url"] in {canonical_of(urljoin(base + page, h)) for h in tree.xpath(CARD_LINKS)}


def test_live_hub_and_home(base, truth, canonical_of):
    hub = fetch(f"{base}/en-direct/").tree()
    live = {canonical_of(urljoin(base, h)) for h in hub.xpath(CARD_LINKS)}
    assert live == {a["url"] for a in truth["articles"] if a["sources"]["live_hub"]}
    assert all("/direct-" in url for url in live)
    home = fetch(f"{base}/").tree()
    assert {canonical_of(urljoin(base, h)) for h in home.xpath(CARD_LINKS)} == {
        a["url"] for a in truth["articles"] if a["sources"]["home"]
    }


def test_unknown_pages_are_404(base):
    assert fetch(f"{base}/monde/99.html").status == 404
    assert fetch(f"{base}/nope/").status == 404
    assert fetch(f"{base}/monde/europe/faux-slug_1.html").status == 404
    assert fetch(f"{base}/sitemaps/articles-1999-01-01.xml").status == 404
