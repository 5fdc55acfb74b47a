"""The real franceinfo pages of tests/read/pages, served on loopback at their real paths
and listed by a news sitemap that the site's robots.txt names: a crawl stores each once, and each
stored document is what its hand-written expected JSON says."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pymongo.database import Database

from devservers.ferretdb import MongoServer
from tests.crawling import run_crawl, serve_routes
from tests.faults.accounting import store_env
from tests.read import PAGES

pytestmark = pytest.mark.slow
FRANCEINFO = PAGES / "franceinfo"
SITE = "https://www.francetvinfo.fr"
CASES = sorted(
    case
    for case in FRANCEINFO.glob("real-*")
    if (case / "output.json").exists()
    and "2015" not in case.name
    and "2016" not in case.name
    and "jt-20h" not in case.name
)
# What the crawl adds or keeps beside what a page says (the crawl's own bookkeeping).
CRAWL_FIELDS = {"_id", "first_seen_at", "last_seen_at", "revision", "crawl_run_id", "source_lastmod", "http_etag",
                "http_last_modified", "freshness_lag_s"}  # fmt: skip


def iso(value: object) -> str:
    return value.isoformat().replace("+00:00", "Z")  # type: ignore[attr-defined]


def news_sitemap(base: str, cases: list[Path]) -> bytes:
    entries = []
    for case in cases:
        expected = json.loads((case / "output.json").read_text(encoding="utf-8"))
        entries.append(
            f"<url><loc>{base}{urlsplit(expected['url']).path}</loc><news:news><news:publication>"
            "<news:name>Franceinfo</news:name><news:language>fr</news:language></news:publication>"
            f"<news:publication_date>{expected['published_at']}</news:publication_date></news:news></url>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + "".join(entries) + "</urlset>"
    ).encode()


@pytest.fixture
def site() -> Iterator[str]:
    routes: dict[str, tuple[str, bytes]] = {}
    with serve_routes(routes) as base:
        for case in CASES:
            path = urlsplit(json.loads((case / "meta.json").read_text())["url"]).path
            routes[path] = ("text/html; charset=utf-8", (case / "input.html").read_bytes())
        # At a path of robots.txt's choosing, not the usual one: found through robots.txt.
        routes["/sitemaps/news.xml"] = ("application/xml", news_sitemap(base, CASES))
        routes["/robots.txt"] = (
            "text/plain",
            f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap_index.xml\nSitemap: {base}/sitemaps/news.xml\n".encode(),
        )
        routes["/titres.rss"] = (
            "application/rss+xml",
            b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>',
        )
        yield base


def test_a_crawl_of_the_real_pages_stores_each_once_as_expected(
    site: str, mongo_server: MongoServer, mongo_db: Database, tmp_path: Path
) -> None:
    result = run_crawl(tmp_path, f"base_url={site}", "sources=sitemap", env=store_env(mongo_server, mongo_db))
    assert result.returncode == 0, result.stderr[-3000:]
    stored = {urlsplit(doc["url"]).path: doc for doc in mongo_db.articles.find()}
    assert len(stored) == mongo_db.articles.count_documents({}) == len(CASES) == result.stat("store/new")
    for case in CASES:
        expected = json.loads((case / "output.json").read_text(encoding="utf-8"))
        path = urlsplit(expected["url"]).path
        document = stored[path]
        assert document["url"] == site + path, "the site's own address, here the loopback one"
        assert set(document) - CRAWL_FIELDS == set(expected), case.name
        # The loopback host stands for the site's: links resolved against it match.
        read = json.loads(json.dumps({f: document[f] for f in expected}, default=iso).replace(site, SITE))
        for field, value in expected.items():
            assert read[field] == value, f"{case.name}: field {field!r}"
