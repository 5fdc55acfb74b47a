"""Pages worth a developer's look, kept in MongoDB's `quarantine` collection.

A page that failed extraction, or whose item misses fields its layout usually
fills, is the first sign of a redesign, and the live page will have changed again
by the time someone looks. So its bytes, headers, URL, layout and the reason are
kept (bounded per run by count and bytes, kept `QUARANTINE_KEEP_DAYS`), and
`python -m crawler.fixtures add <id>` turns one into a test case.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import Binary
from pymongo.database import Database
from scrapy.http import Response

COLLECTION = "quarantine"


def headers_of(response: Response) -> dict[str, list[str]]:
    return {
        key.decode("latin-1"): [value.decode("latin-1") for value in values] for key, values in response.headers.items()
    }


class Quarantine:
    """The run's quarantined pages, held in memory until the run ends (the store is
    the only writer while the crawl runs: FerretDB hangs on concurrent writers)."""

    def __init__(self, max_pages: int, max_bytes: int, keep_days: float = 14) -> None:
        self.max_pages = max_pages
        self.max_bytes = max_bytes
        self.keep_days = keep_days
        self.pages: list[dict[str, Any]] = []
        self.urls: set[str] = set()
        self.bytes = 0

    def add(self, response: Response, layout: str | None, reason: str, stats: Any, site: str | None = None) -> bool:
        """Keep this page, unless it is kept already or the run's budget is spent.

        `site` is the site profile the page was read with: a replica or mirror URL
        does not say it."""
        if response.url in self.urls:
            return False
        if len(self.pages) >= self.max_pages or self.bytes + len(response.body) > self.max_bytes:
            stats.inc_value("health/quarantine_full")
            return False
        self.urls.add(response.url)
        self.bytes += len(response.body)
        self.pages.append(
            {
                "url": response.url,
                "site": site,
                "status": response.status,
                "headers": headers_of(response),
                "body": response.body,
                "layout": layout,
                "reason": reason,
                "quarantined_at": datetime.now(UTC),
            }
        )
        stats.inc_value("health/quarantined")
        stats.inc_value(f"health/quarantined/{reason.split(' ')[0]}")
        return True

    def save(self, db: Database, run_id: str) -> int:
        """Insert the run's pages (ids short enough to type) and forget old ones."""
        collection = db[COLLECTION]
        cutoff = datetime.now(UTC) - timedelta(days=self.keep_days)
        collection.delete_many({"quarantined_at": {"$lt": cutoff}})
        documents = [
            {**page, "_id": quarantine_id(run_id, page["url"]), "run_id": run_id, "body": Binary(page["body"])}
            for page in self.pages
        ]
        for document in documents:
            collection.replace_one({"_id": document["_id"]}, document, upsert=True)
        return len(documents)


def quarantine_id(run_id: str, url: str) -> str:
    return hashlib.sha1(f"{run_id} {url}".encode()).hexdigest()[:10]
