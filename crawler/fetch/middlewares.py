"""Downloader middlewares of our own."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware as ScrapyRedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.settings import BaseSettings
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message

logger = logging.getLogger(__name__)


def retry_delay(attempt: int, retry_after: str | None, base: float, cap: float) -> float:
    """Seconds to wait before retry number `attempt` (1-based): the server's
    Retry-After when it gives one, else exponential backoff; never above `cap`."""
    if retry_after:
        value = retry_after.strip()
        if value.isdigit():
            return min(float(value), cap)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return min(max((when - datetime.now(UTC)).total_seconds(), 0.0), cap)
    return min(base * 2 ** (attempt - 1), cap)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, waiting between attempts (`RETRY_BACKOFF_BASE`, `RETRY_BACKOFF_MAX`)
    and honouring `Retry-After` on 429/503."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX")

    async def process_response(self, request: Request, response: Response, spider: object = None) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        attempt = request.meta.get("retry_times", 0) + 1
        if attempt <= request.meta.get("max_retry_times", self.max_retry_times):
            header = response.headers.get(b"Retry-After")
            delay = retry_delay(
                attempt, header.decode("latin-1") if header else None, self.backoff_base, self.backoff_max
            )
            if delay > 0:
                self.crawler.stats.inc_value("retry/backoff_seconds", round(delay))
                await asyncio.sleep(delay)
        return self._retry(request, response_status_message(response.status)) or response


def refuse_offsite_redirect(request: Request, result: Request | Response, spider: object) -> Request | Response:
    """Raise instead of following an article's redirect to a host that is not the site's.

    Scrapy's OffsiteMiddleware lets every `dont_filter` request through, and the
    spider's requests all are (it deduplicates itself), so a redirect would land the
    page under another host: one article, two URL spellings. The errback counts it
    as `failed/offsite` (see `crawler.fetch.failures`)."""
    hosts = getattr(spider, "site_hosts", None)
    if not isinstance(result, Request) or not hosts or not request.meta.get("article"):
        return result
    host = (urlparse_cached(result).hostname or "").lower().rstrip(".")
    if host not in hosts:
        raise IgnoreRequest(f"Filtered offsite redirect to {host!r}: {result.url}")
    return result


class RedirectMiddleware(ScrapyRedirectMiddleware):
    """Scrapy's 3xx redirects, never from an article page to another host."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        result = super().process_response(request, response)
        return refuse_offsite_redirect(request, result, self.crawler.spider)


# UTF-16 LE and BE, UTF-32 BE (UTF-32 LE begins as UTF-16 LE does).
_UTF16_OR_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


class MetaRefreshMiddleware(ScrapyMetaRefreshMiddleware):
    """Scrapy's, without decoding every page to look for a refresh, and never from an
    article page to another host.

    Scrapy decodes the whole body (300 KB on a franceinfo article) to read its first
    4,096 characters. Those are at most 16 KB of bytes, so a page whose first 16 KB
    never say "refresh" has none, and is passed on undecoded."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if (
            isinstance(response, HtmlResponse)
            and not response.body.startswith(_UTF16_OR_32_BOMS)
            and b"refresh" not in response.body[:16384].lower()
        ):
            return response
        return refuse_offsite_redirect(request, super().process_response(request, response), self.crawler.spider)
