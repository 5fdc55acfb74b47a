from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares import MetaRefreshMiddleware, retry_delay


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
