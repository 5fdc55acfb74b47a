"""IncrementalFilter against FerretDB: what a source lists is looked up the way the
store keeps it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pymongo.database import Database
from scrapy import Request

from crawler.fetch.incremental import IncrementalFilter

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
URL = "https://www.francetvinfo.fr/monde/europe/un-article_7600100.html"


def listed(day: str, lastmod: datetime | None) -> Request:
    return Request(URL, meta={"article": True, "date_path": day, "lastmod": lastmod})


def test_a_url_stored_under_another_day_is_found_by_its_url(mongo_db: Database) -> None:
    """Stored under 2026/11/19 (first publication time); the source now says 11/20."""
    lastmod = NOW - timedelta(hours=2)
    mongo_db.articles.insert_one(
        {"url": URL, "date_path": "2026/11/19", "source_lastmod": lastmod, "last_seen_at": NOW - timedelta(hours=2)}
    )
    incremental = IncrementalFilter(mongo_db.articles, refetch_after=timedelta(hours=1))
    kept, skipped = incremental.decide([listed("2026/11/20", lastmod)], NOW)
    assert kept == [] and skipped == {"unchanged_lastmod": 1}
    kept, _ = incremental.decide([listed("2026/11/20", NOW)], NOW)
    assert [request.url for request in kept] == [URL], "a newer lastmod is fetched"


def test_a_url_never_stored_is_fetched(mongo_db: Database) -> None:
    incremental = IncrementalFilter(mongo_db.articles, refetch_after=timedelta(hours=1))
    kept, skipped = incremental.decide([listed("2026/11/20", NOW)], NOW)
    assert [request.url for request in kept] == [URL] and skipped == {}


def test_a_feed_listing_defers_to_the_sitemap_when_the_run_reads_it(mongo_db: Database) -> None:
    """No `lastmod` in a feed: the sitemap's `lastmod` decides, when this run reads it;
    without the sitemap, the refetch age does."""
    seen = NOW - timedelta(hours=3)
    mongo_db.articles.insert_one({"url": URL, "date_path": "2026/11/20", "source_lastmod": seen, "last_seen_at": seen})
    incremental = IncrementalFilter(mongo_db.articles, refetch_after=timedelta(hours=1))
    kept, skipped = incremental.decide([listed("2026/11/20", None)], NOW, sitemaps_read=True)
    assert kept == [] and skipped == {"sitemap_decides": 1}
    kept, skipped = incremental.decide([listed("2026/11/20", None)], NOW, sitemaps_read=False)
    assert [request.url for request in kept] == [URL] and skipped == {}


def test_a_recheck_is_conditional_except_through_the_browser(mongo_db: Database) -> None:
    """Chromium aborts on a 304 (`net::ERR_ABORTED`): a rendered page is asked in full."""
    seen = NOW - timedelta(hours=3)
    mongo_db.articles.insert_one({"url": URL, "date_path": "2026/11/20", "last_seen_at": seen, "http_etag": '"v1"'})
    incremental = IncrementalFilter(mongo_db.articles, refetch_after=timedelta(hours=1))
    (plain,), _ = incremental.decide([listed("2026/11/20", None)], NOW)
    assert plain.headers[b"If-None-Match"] == b'"v1"' and plain.meta["handle_httpstatus_list"] == [304]
    rendered = listed("2026/11/20", None).replace(meta={"article": True, "playwright": True})
    (browser,), _ = incremental.decide([rendered], NOW)
    assert b"If-None-Match" not in browser.headers and "handle_httpstatus_list" not in browser.meta
