"""Cheap re-crawls: don't fetch what the store already has, unchanged.

`IncrementalFilter` decides per article request, with one store look-up per
batch of requests: a URL whose listed `lastmod` is not newer than the one stored
is skipped; a listing without `lastmod` (feed, section page) of a URL a sitemap gave
a `lastmod` for is skipped when this run reads the sitemaps too (the sitemap's
listing decides; see the spider's `listing_skipped`); otherwise a URL fetched less
than `INCREMENTAL_REFETCH_SECONDS` ago is skipped; anything else goes out as a
conditional request (`If-None-Match`, `If-Modified-Since`; not through the browser,
which aborts on a 304), and a 304 counts as unchanged; the spider keeps it as a
check, which the store records (`last_seen_at`, and the listed `lastmod`: see
`pipelines.store.ArticleStore.record_checks`), so the next run does not ask again.
`IncrementalMiddleware` is the thin spider-middleware wiring (explicit `urls=` are
start requests: never filtered), on when the store is (`INCREMENTAL_ENABLED`). Its
look-ups (one query per 500 URLs of a discovery page) run in a thread, so downloads
go on meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import PyMongoError
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.store.mongo import store_client, store_enabled

logger = logging.getLogger(__name__)

LOOKUP_FIELDS = {"url": 1, "source_lastmod": 1, "last_seen_at": 1, "http_etag": 1, "http_last_modified": 1}


def _is_article_request(output: Any) -> bool:
    return isinstance(output, Request) and bool(output.meta.get("article"))


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


class IncrementalFilter:
    def __init__(self, articles: Collection, refetch_after: timedelta, batch_size: int = 500) -> None:
        self.articles = articles
        self.refetch_after = refetch_after
        self.batch_size = batch_size

    def decide(
        self, requests: list[Request], now: datetime, sitemaps_read: bool = False
    ) -> tuple[list[Request], dict[str, int]]:
        """The requests to send (conditional where possible) and skip counts by reason.
        `sitemaps_read`: this run reads the sitemaps, whose `lastmod` then decides."""
        kept: list[Request] = []
        skipped: dict[str, int] = {}
        stored = self._stored(requests)
        for request in requests:
            reason = self._skip_reason(request, stored.get(request.url), now, sitemaps_read)
            if reason:
                skipped[reason] = skipped.get(reason, 0) + 1
            else:
                kept.append(self._conditional(request, stored.get(request.url)))
        return kept, skipped

    def _stored(self, requests: list[Request]) -> dict[str, dict[str, Any]]:
        """Stored documents by URL: one query per publication day the source gave
        (`meta["date_path"]`, an equality the server can use), then one `$in` by URL
        alone for the rest, as the store finds them: an article keeps the day it was
        first stored under, whatever day a source now gives it."""
        by_day: dict[str | None, list[str]] = {}
        for request in requests:
            by_day.setdefault(request.meta.get("date_path"), []).append(request.url)
        stored: dict[str, dict[str, Any]] = {}
        for day, urls in by_day.items():
            if day:
                self._find(urls, stored, {"date_path": day})
        self._find([request.url for request in requests if request.url not in stored], stored, {})
        return stored

    def _find(self, urls: list[str], stored: dict[str, dict[str, Any]], day: dict[str, str]) -> None:
        for start in range(0, len(urls), self.batch_size):
            query = {"url": {"$in": urls[start : start + self.batch_size]}, **day}
            stored.update((doc["url"], doc) for doc in self.articles.find(query, LOOKUP_FIELDS))

    def _skip_reason(
        self, request: Request, stored: dict[str, Any] | None, now: datetime, sitemaps_read: bool
    ) -> str | None:
        if stored is None:
            return None
        listed = _aware(request.meta.get("lastmod"))
        known = _aware(stored.get("source_lastmod"))
        if listed is not None:
            return "unchanged_lastmod" if known is not None and listed <= known else None
        if known is not None and sitemaps_read:
            return "sitemap_decides"
        seen = _aware(stored.get("last_seen_at"))
        if seen is not None and now - seen < self.refetch_after:
            return "recently_fetched"
        return None

    @staticmethod
    def _conditional(request: Request, stored: dict[str, Any] | None) -> Request:
        if not stored or request.meta.get("playwright"):
            return request
        headers = {}
        if stored.get("http_etag"):
            headers["If-None-Match"] = stored["http_etag"]
        if stored.get("http_last_modified"):
            headers["If-Modified-Since"] = stored["http_last_modified"]
        if not headers:
            return request
        request.headers.update(headers)
        request.meta["handle_httpstatus_list"] = [304]
        return request


class IncrementalMiddleware:
    """Spider middleware around `IncrementalFilter`, for requests whose meta has
    `"article": True`; everything else passes through untouched."""

    def __init__(self, crawler: Crawler, articles: Collection) -> None:
        self.crawler = crawler
        self.filter = IncrementalFilter(
            articles, timedelta(seconds=crawler.settings.getfloat("INCREMENTAL_REFETCH_SECONDS"))
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        settings = crawler.settings
        if not settings.getbool("INCREMENTAL_ENABLED"):
            raise NotConfigured("INCREMENTAL_ENABLED is off")
        if not store_enabled(settings):
            raise NotConfigured("incremental crawling needs the store (pipelines.store.StorePipeline)")
        client = store_client(settings)
        middleware = cls(crawler, client[settings.get("MONGO_DATABASE")]["articles"])
        crawler.signals.connect(client.close, signals.spider_closed)
        return middleware

    async def process_spider_output(
        self, response: Any, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        """Only discovery responses (sitemaps, feeds, section pages) carry article
        requests to filter; article pages pass through untouched. (Scrapy 2.19 hands
        every middleware an async iterator, whatever the callback returns.)"""
        if not response.meta.get("discovery"):
            async for output in result:
                yield output
            return
        outputs = [output async for output in result]
        tell = getattr(self.crawler.spider, "listing_skipped", None)
        while outputs:
            passed, stats = await asyncio.to_thread(self._decide, outputs)
            for key, count in stats.items():
                self.crawler.stats.inc_value(key, count)
            for output in passed:
                yield output
            kept = {id(output) for output in passed}
            skipped = [o for o in outputs if _is_article_request(o) and id(o) not in kept]
            # The spider may answer a skip with a newer listing of the same URL.
            outputs = [newer for o in skipped if tell is not None and (newer := tell(o.url)) is not None]

    def _decide(self, outputs: list[Any]) -> tuple[list[Any], dict[str, int]]:
        """The outputs to pass on, and the stats to add (by the caller,
        on the reactor thread)."""
        articles = [o for o in outputs if _is_article_request(o)]
        if not articles:
            return outputs, {}
        try:
            sitemaps_read = "sitemap" in getattr(getattr(self.crawler.spider, "arguments", None), "sources", ())
            kept, skipped = self.filter.decide(articles, datetime.now(UTC), sitemaps_read)
        except PyMongoError as error:
            logger.warning("incremental: store look-up failed (%s); fetching %d pages anyway", error, len(articles))
            return outputs, {"incremental/lookup_failed": 1}
        keep = {id(request) for request in kept} | {id(o) for o in outputs if not _is_article_request(o)}
        passed = [o for o in outputs if id(o) in keep]
        return passed, {f"incremental/skipped/{reason}": count for reason, count in skipped.items()}
