from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import ClassVar

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.fetch.failures import failure_reason
from crawler.fetch.middlewares import MetaRefreshMiddleware, RedirectMiddleware, retry_delay


def test_backoff_doubles_per_attempt_up_to_the_cap() -> None:
    assert [retry_delay(attempt, None, 1.0, 5.0) for attempt in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]


def test_retry_after_seconds_wins_over_backoff_but_not_over_the_cap() -> None:
    assert retry_delay(1, "3", 1.0, 60.0) == 3.0
    assert retry_delay(1, "3600", 1.0, 60.0) == 60.0


def test_retry_after_http_date() -> None:
    when = datetime.now(UTC) + timedelta(seconds=10)
    assert 8.0 <= retry_delay(1, format_datetime(when, usegmt=True), 1.0, 60.0) <= 10.0


def test_unreadable_retry_after_falls_back_to_backoff() -> None:
    assert retry_delay(2, "soon", 1.0, 60.0) == 2.0


def meta_refresh_middleware() -> MetaRefreshMiddleware:
    return MetaRefreshMiddleware.from_crawler(get_crawler())


def html_response(url: str, head: str, body_bytes: int = 300_000) -> HtmlResponse:
    filler = "<p>Le texte de l’article, accentué.</p>" * (body_bytes // 40)
    html = f"<html><head>{head}</head><body>{filler}</body></html>"
    return HtmlResponse(url, body=html.encode("utf-8"), headers={"Content-Type": "text/html; charset=utf-8"})


def test_a_meta_refresh_in_the_head_still_redirects() -> None:
    url = "https://www.francetvinfo.fr/old.html"
    head = '<meta http-equiv="Refresh" content="0; url=https://www.francetvinfo.fr/new.html">'
    result = meta_refresh_middleware().process_response(Request(url), html_response(url, head))
    assert isinstance(result, Request)
    assert result.url == "https://www.francetvinfo.fr/new.html"


def test_a_meta_refresh_after_16_kb_of_multibyte_head_is_still_seen() -> None:
    url = "https://www.francetvinfo.fr/old.html"
    head = "<title>" + "é" * 3000 + "</title>" + '<meta http-equiv="refresh" content="0; url=/new.html">'
    result = meta_refresh_middleware().process_response(Request(url), html_response(url, head))
    assert isinstance(result, Request) and result.url.endswith("/new.html")


def test_a_page_without_refresh_is_passed_on_without_being_decoded() -> None:
    url = "https://www.francetvinfo.fr/article.html"
    response = html_response(url, "<title>Un article</title>")
    assert meta_refresh_middleware().process_response(Request(url), response) is response
    assert response._cached_ubody is None, "the 300 KB body was decoded to text"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_a_meta_refresh_in_a_wide_encoding_with_its_bom_is_still_seen(encoding: str) -> None:
    """ "refresh" is not in such a page's bytes as ASCII: it is decoded, as Scrapy does."""
    url = "https://www.francetvinfo.fr/old.html"
    html = '<html><head><meta http-equiv="refresh" content="0; url=/new.html"></head><body>x</body></html>'
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-32-le": b"\xff\xfe\x00\x00"}
    body = bom.get(encoding, b"\x00\x00\xfe\xff") + html.encode(encoding)
    response = HtmlResponse(url, body=body, headers={"Content-Type": "text/html"})
    result = meta_refresh_middleware().process_response(Request(url), response)
    assert isinstance(result, Request) and result.url.endswith("/new.html")


class SiteSpider(Spider):
    name = "site"
    site_hosts: ClassVar[set[str]] = {"www.francetvinfo.fr", "francetvinfo.fr"}


def with_spider(middleware_class: type) -> RedirectMiddleware | MetaRefreshMiddleware:
    crawler = get_crawler(SiteSpider)
    crawler.spider = SiteSpider()
    return middleware_class.from_crawler(crawler)


def article(url: str) -> Request:
    return Request(url, meta={"article": True})


def moved_to(url: str, location: str) -> Response:
    return Response(url, status=301, headers={"Location": location})


def refresh_to(url: str, location: str) -> HtmlResponse:
    return html_response(url, f'<meta http-equiv="refresh" content="0; url={location}">', body_bytes=400)


@pytest.mark.parametrize(
    ("middleware_class", "response_to"), [(RedirectMiddleware, moved_to), (MetaRefreshMiddleware, refresh_to)]
)
def test_an_article_redirected_to_another_host_is_offsite(middleware_class: type, response_to: object) -> None:
    url = "https://www.francetvinfo.fr/monde/a_1.html"
    response = response_to(url, "https://www.francetvinfo.fr.example.net/monde/a_1.html")  # type: ignore[operator]
    with pytest.raises(IgnoreRequest) as raised:
        with_spider(middleware_class).process_response(article(url), response)
    assert "'www.francetvinfo.fr.example.net'" in str(raised.value)
    assert failure_reason(Failure(raised.value)) == "offsite"


@pytest.mark.parametrize(
    ("middleware_class", "response_to"), [(RedirectMiddleware, moved_to), (MetaRefreshMiddleware, refresh_to)]
)
def test_redirects_within_the_site_and_of_discovery_documents_are_followed(
    middleware_class: type, response_to: object
) -> None:
    url = "https://www.francetvinfo.fr/monde/a_1.html"
    middleware = with_spider(middleware_class)
    within = middleware.process_response(article(url), response_to(url, "https://FRANCETVINFO.FR./monde/b_2.html"))  # type: ignore[operator]
    assert isinstance(within, Request) and within.url == "https://francetvinfo.fr./monde/b_2.html"
    sitemap = "https://www.francetvinfo.fr/sitemap_news.xml"
    elsewhere = middleware.process_response(Request(sitemap), response_to(sitemap, "https://cdn.example.net/news.xml"))  # type: ignore[operator]
    assert isinstance(elsewhere, Request) and elsewhere.url == "https://cdn.example.net/news.xml"
