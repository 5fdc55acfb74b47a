"""Each site of `crawler.sites`, crawled as `scrapy crawl news -a site=KEY` from a
small replica of its discovery files on loopback: its robots.txt, its news sitemap
and its feed at the paths the real site uses (written here from what the sites
publish, not from the site files), listing its real pages from tests/read/pages. Every
page is stored once, under the site's key; a second run stores nothing new.

A site with no file is crawled from `base_url=` alone: its robots.txt, the
sitemap index it names and the generic page object."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pymongo.database import Database

from crawler.sites import site_for
from devservers.ferretdb import MongoServer
from tests.crawling import run_crawl, serve_routes
from tests.faults.accounting import store_env
from tests.read import PAGES

pytestmark = pytest.mark.slow
OTHER_SITES = PAGES / "other-sites"

# What each site publishes where: robots.txt's Sitemap lines (None: the site's
# robots.txt is unreadable, the usual news sitemap path is tried), its front-page
# feed, and a listed URL that is not an article.
REPLICAS = {
    "lemonde": (["/sitemap_news.xml", "/sitemap_index.xml"], "/rss/une.xml", "/international/"),
    "20minutes": (["/sitemap-news.xml", "/sitemap-index.xml"], "/feeds/rss-une.xml", "/societe/"),
    "leparisien": (None, "/arc/outboundfeeds/rss/?outputType=xml", "/politique/"),
    "lepoint": (["/sitemap.xml", "/sitemap-news.xml"], "/rss.xml", "/tags/retraites/"),
    "liberation": (
        ["/arc/outboundfeeds/sitemap-news/?outputType=xml", "/arc/outboundfeeds/sitemap-index/?outputType=xml"],
        "/arc/outboundfeeds/rss-all/?outputType=xml",
        "/auteur/service-etranger/",
    ),
}
NEWS_PATHS = {"leparisien": "/arc/outboundfeeds/news-sitemap/?outputType=xml"}


def cases_of(key: str) -> list[Path]:
    return sorted(
        case
        for case in OTHER_SITES.glob("real-*")
        if (case / "output.json").exists() and site_for(json.loads((case / "meta.json").read_text())["url"]).key == key
    )


def expected(case: Path) -> dict:
    return json.loads((case / "output.json").read_text(encoding="utf-8"))


def news_sitemap(urls: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<url><loc>{url}</loc><news:news><news:publication><news:name>X</news:name><news:language>fr"
        f"</news:language></news:publication><news:publication_date>{published}</news:publication_date>"
        "</news:news></url>"
        for url, published in urls
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{entries}</urlset>'
    ).encode()


def rss(urls: list[str]) -> bytes:
    items = "".join(f"<item><title>t</title><link>{url}</link></item>" for url in urls)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'.encode()


def path_of(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture
def replica(request: pytest.FixtureRequest) -> Iterator[tuple[str, str, list[Path]]]:
    key = request.param
    sitemaps, feed, not_article = REPLICAS[key]
    cases = cases_of(key)
    routes: dict[str, tuple[str, bytes]] = {}
    with serve_routes(routes) as base:
        for case in cases:
            url = json.loads((case / "meta.json").read_text())["url"]
            routes[path_of(url)] = ("text/html; charset=utf-8", (case / "input.html").read_bytes())
        listed = [(base + path_of(expected(case)["url"]), expected(case)["published_at"]) for case in cases]
        news = [path for path in sitemaps or [] if "news" in path] or [NEWS_PATHS[key]]
        routes[path_of(news[0])] = ("application/xml", news_sitemap([*listed, (base + not_article, listed[0][1])]))
        routes[path_of(feed)] = ("application/rss+xml", rss([listed[0][0]]))
        if sitemaps is not None:
            lines = "".join(f"Sitemap: {base}{path}\n" for path in sitemaps)
            routes["/robots.txt"] = ("text/plain", f"User-agent: *\nAllow: /\n{lines}".encode())
        yield key, base, cases


@pytest.mark.parametrize("replica", sorted(REPLICAS), indirect=True)
def test_news_crawls_each_site_into_the_store_exactly_once(
    replica: tuple[str, str, list[Path]], mongo_server: MongoServer, mongo_db: Database, tmp_path: Path
) -> None:
    key, base, cases = replica
    assert cases, f"no real page of {key} in tests/read/pages/other-sites"
    env = store_env(mongo_server, mongo_db)
    first = run_crawl(tmp_path, f"site={key}", f"base_url={base}", env=env, spider="news")
    assert first.returncode == 0, first.stderr[-3000:]
    stored = {path_of(doc["url"]): doc for doc in mongo_db.articles.find()}
    assert sorted(stored) == sorted(path_of(expected(case)["url"]) for case in cases)
    assert first.stat("store/new") == len(cases)
    assert first.stat("discovered/skipped_not_article/sitemap") == 1
    assert first.stat("discovered/duplicate_url") >= 1, "the feed lists a page the sitemap lists"
    for case in cases:
        document = stored[path_of(expected(case)["url"])]
        assert document["source"] == key
        assert document["title"] == expected(case)["title"], case.name

    again = run_crawl(tmp_path, f"site={key}", f"base_url={base}", env=env, spider="news")
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stat("store/new") == 0
    assert mongo_db.articles.count_documents({}) == len(cases)


GENERIC_CASES = [
    OTHER_SITES / "real-bfmtv-equateur-glissement-terrain-alausi",
    OTHER_SITES / "real-slate-requins-blancs-canada-mysterieux",
]


def sitemap(urls: list[tuple[str, datetime]]) -> bytes:
    entries = "".join(f"<url><loc>{url}</loc><lastmod>{lastmod.isoformat()}</lastmod></url>" for url, lastmod in urls)
    return (
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    ).encode()


def test_a_site_with_no_file_is_crawled_from_its_robots_txt_and_sitemaps(
    mongo_server: MongoServer, mongo_db: Database, tmp_path: Path
) -> None:
    """robots.txt names a sitemap index and no news sitemap: a run for the latest
    reads the index's sitemaps of the last days (`SITEMAP_LATEST_DAYS`), skips the
    old one, and reads the pages with the generic page object."""
    now = datetime.now(UTC)
    routes: dict[str, tuple[str, bytes]] = {}
    with serve_routes(routes) as base:
        recent = [base + path_of(json.loads((case / "meta.json").read_text())["url"]) for case in GENERIC_CASES]
        for case, url in zip(GENERIC_CASES, recent, strict=True):
            routes[path_of(url)] = ("text/html; charset=utf-8", (case / "input.html").read_bytes())
        routes["/robots.txt"] = ("text/plain", f"User-agent: *\nSitemap: {base}/sitemap.xml\n".encode())
        index = (
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{base}/sitemaps/recent.xml</loc><lastmod>{now.isoformat()}</lastmod></sitemap>"
            f"<sitemap><loc>{base}/sitemaps/2019.xml</loc><lastmod>2019-12-31T00:00:00Z</lastmod></sitemap>"
            "</sitemapindex>"
        )
        routes["/sitemap.xml"] = ("application/xml", index.encode())
        old = now - timedelta(days=30)
        routes["/sitemaps/recent.xml"] = (
            "application/xml",
            sitemap([(recent[0], now - timedelta(hours=3)), (recent[1], now), (base + "/ancien/page-1", old)]),
        )
        routes["/sitemaps/2019.xml"] = ("application/xml", sitemap([(base + "/ancien/page-2", old)]))
        result = run_crawl(tmp_path, f"base_url={base}", env=store_env(mongo_server, mongo_db), spider="news")
    assert result.returncode == 0, result.stderr[-3000:]
    stored = {doc["url"]: doc for doc in mongo_db.articles.find()}
    assert sorted(stored) == sorted(recent)
    assert {doc["source"] for doc in stored.values()} == {"127.0.0.1"}
    assert result.stat("discovery/read/sitemap") == 1, "the recent sitemap only, not 2019's"
    assert result.stat("failed/http_404") == 0, "no old page was asked for"
    for case, url in zip(GENERIC_CASES, recent, strict=True):
        assert stored[url]["title"] == expected(case)["title"]
