"""IncrementalFilter against FerretDB: what a source lists is looked up the way the
store keeps it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pymongo.database import Database
from scrapy import Request

from crawler.incremental import IncrementalFilter

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
