"""Each way Scrapy gives up on a request has the name the README's table gives it,
read from the exception Scrapy 2.19's own middlewares raise."""

from __future__ import annotations

import gzip
from typing import ClassVar

import pytest
from scrapy import Request, Spider
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.fetch.failures import failure_reason


def reason_of(call: object) -> str:
    with pytest.raises(IgnoreRequest) as raised:
        call()  # type: ignore[operator]
    return failure_reason(Failure(raised.value))


def test_a_body_inflating_past_download_maxsize_is_too_large() -> None:
    crawler = get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": 10_000})
    middleware = HttpCompressionMiddleware.from_crawler(crawler)
    # The URL names another reason: only the message's own words count.
    url = "http://127.0.0.1:8765/monde/redirect-robots.txt-offsite_1.html"
    bomb = Response(url, body=gzip.compress(b" " * 100_000), headers={"Content-Encoding": "gzip"})
    assert reason_of(lambda: middleware.process_response(Request(url), bomb)) == "too_large"


def test_too_many_redirects_is_a_redirect_loop() -> None:
    crawler = get_crawler(settings_dict={"REDIRECT_MAX_TIMES": 1})
    middleware = RedirectMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1:8765/a_1.html", meta={"redirect_times": 1, "redirect_ttl": 1})
    moved = Response(request.url, status=301, headers={"Location": "/b_2.html"})
    assert reason_of(lambda: middleware.process_response(request, moved)) == "redirect_loop"


def test_an_offsite_request_is_offsite() -> None:
    class Site(Spider):
        name = "site"
        allowed_domains: ClassVar[list[str]] = ["127.0.0.1"]

    crawler = get_crawler(Site)
    crawler.spider = Site()
    middleware = OffsiteMiddleware.from_crawler(crawler)
    middleware.spider_opened(crawler.spider)
    request = Request("http://localhost:8765/robots.txt-redirect_1.html")
    assert reason_of(lambda: middleware.process_request(request)) == "offsite"


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("Forbidden by robots.txt", "robots_txt"),
        ("Filtered offsite redirect to 'localhost': http://localhost:8765/a_1.html", "offsite"),
        ("Ignored request not in cache: <GET http://127.0.0.1/redirect_1.html>", "ignored"),
    ],
)
def test_other_ignored_requests_by_their_message(message: str, reason: str) -> None:
    assert failure_reason(Failure(IgnoreRequest(message))) == reason
