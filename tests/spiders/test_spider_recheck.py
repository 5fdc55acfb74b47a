"""What the spider keeps for the next run's checks: the `source_lastmod` a page is
stored with (the next run compares a sitemap's `lastmod` against it, so it must
never claim a copy newer than the one read), and re-checks the browser can make."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.discover import listings
from crawler.spiders.news import FranceinfoSpider

BASE = "https://www.francetvinfo.fr"
URL = BASE + "/monde/europe/un-article_7600100.html"
EDITED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def spider() -> FranceinfoSpider:
    settings = Settings()
    settings.setmodule(project_settings)
    crawler = get_crawler(FranceinfoSpider, {**settings.copy_to_dict(), "TWISTED_REACTOR_ENABLED": False})
    return FranceinfoSpider.from_crawler(crawler)


def fetched(spider: FranceinfoSpider, source: str) -> HtmlResponse:
    """The page as fetched for the first listing the spider turned into a request."""
    (request,) = spider.article_requests([listings.Link(URL)], source)
    return HtmlResponse(URL, body=b"<html></html>", request=request)


def test_a_sitemap_read_after_the_feed_gives_its_lastmod_to_the_page_that_includes_it() -> None:
    crawl = spider()
    response = fetched(crawl, "rss")
    assert list(crawl.article_requests([listings.Link(URL, lastmod=EDITED)], "sitemap")) == []
    page = {"published_at": "2026-11-20T08:00:00+01:00", "modified_at": "2026-11-20T10:00:00+01:00"}
    assert crawl.source_lastmod(response, page) == EDITED


def test_a_lastmod_newer_than_the_page_read_is_not_claimed() -> None:
    """The sitemap says edited at 10:00 UTC; the copy read says 09:00: it may be the old one."""
    crawl = spider()
    response = fetched(crawl, "rss")
    list(crawl.article_requests([listings.Link(URL, lastmod=EDITED + timedelta(hours=1))], "sitemap"))
    assert crawl.source_lastmod(response, {"modified_at": "2026-11-20T10:00:00+01:00"}) is None
    assert crawl.source_lastmod(response, {}) is None, "a page without dates claims nothing"


def test_the_lastmod_a_page_was_requested_for_is_kept() -> None:
    crawl = spider()
    (request,) = crawl.article_requests([listings.Link(URL, lastmod=EDITED)], "sitemap")
    response = HtmlResponse(URL, body=b"<html></html>", request=request)
    assert crawl.source_lastmod(response, {}) == EDITED
    redirected = HtmlResponse(URL, body=b"", request=request.replace(meta={**request.meta, "redirect_urls": [BASE]}))
    assert crawl.source_lastmod(redirected, {}) is None, "a redirect: the listing was of another URL"


def test_a_sitemap_read_after_the_page_is_learnt_for_the_end_of_the_run() -> None:
    """The page was read (and handed to the store) before the sitemap listed it."""
    crawl = spider()
    response = fetched(crawl, "rss")
    assert crawl.source_lastmod(response, {"modified_at": "2026-11-20T10:00:00+01:00"}) is None
    list(crawl.article_requests([listings.Link(URL, lastmod=EDITED + timedelta(hours=1))], "sitemap"))
    assert crawl.take_checks(final=True) == [], "newer than the copy read: the next run asks"
    list(crawl.article_requests([listings.Link(URL, lastmod=EDITED)], "sitemap"))
    assert crawl.take_checks(final=True) == [], "not newer than a lastmod already listed"
    fresh = spider()
    response = fetched(fresh, "rss")
    fresh.source_lastmod(response, {"modified_at": "2026-11-20T10:00:00+01:00"})
    list(fresh.article_requests([listings.Link(URL, lastmod=EDITED)], "sitemap"))
    assert fresh.take_checks() == [], "written at the end of the run, after the last flush"
    assert fresh.take_checks(final=True) == [(URL, EDITED, None)]


def test_a_304_is_a_check_for_the_store_to_record() -> None:
    crawl = spider()
    (request,) = crawl.article_requests([listings.Link(URL, lastmod=EDITED)], "sitemap")
    response = HtmlResponse(URL, status=304, body=b"", request=request)
    assert asyncio.run(crawl.parse_article(response)) == []
    ((url, lastmod, checked_at),) = crawl.take_checks()
    assert (url, lastmod) == (URL, EDITED) and checked_at is not None
    assert crawl.take_checks() == [], "taken once"


def test_a_conditional_request_sent_to_the_browser_asks_for_the_whole_page() -> None:
    """A static fetch that turns out client-rendered is re-sent through Chromium,
    which aborts on a 304 (`net::ERR_ABORTED`): the validators stay behind."""
    crawl = spider()
    (request,) = crawl.article_requests([listings.Link(URL)], "rss")
    request.headers.update({"If-None-Match": '"a1-r1"', "If-Modified-Since": "Fri, 20 Nov 2026 09:00:00 GMT"})
    request.meta["handle_httpstatus_list"] = [304]
    rendered = crawl.render.render(request, "client_side")
    assert rendered.meta["playwright"] is True and "handle_httpstatus_list" not in rendered.meta
    assert b"If-None-Match" not in rendered.headers and b"If-Modified-Since" not in rendered.headers
