"""Requests in the shared queue are JSON data: what a request carries comes back
equal, and what is not data is refused by name."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from scrapy import Request, Spider
from scrapy.utils.request import request_from_dict
from scrapy_playwright.page import PageMethod

from crawler.frontier import codec


class ArticleSpider(Spider):
    name = "articles"

    def parse_article(self, response: object) -> None:
        """A callback the queue names."""


def test_a_rendered_request_comes_back_equal() -> None:
    spider = ArticleSpider()
    lastmod = datetime(2026, 12, 3, 8, 15, 2, tzinfo=UTC)
    request = Request(
        "https://www.francetvinfo.fr/monde/article_1.html",
        callback=spider.parse_article,
        method="POST",
        body=b"\xff\x00binary",
        headers={"If-None-Match": '"a1-r2"', "Accept-Language": "fr"},
        priority=7,
        meta={
            "playwright": True,
            "playwright_page_methods": [PageMethod("wait_for_selector", "article p", timeout=2500)],
            "lastmod": lastmod,
            "sources": ("sitemap", "rss"),
        },
        cb_kwargs={"section": "monde"},
    )

    data = codec.dumps(request.to_dict(spider=spider))
    back = request_from_dict(codec.loads(data), spider=spider)

    assert json.loads(data)["url"] == request.url, "the payload is plain JSON"
    assert back.url == request.url
    assert back.method == "POST"
    assert back.body == b"\xff\x00binary"
    assert back.headers.getlist("If-None-Match") == [b'"a1-r2"']
    assert back.priority == 7
    assert back.callback == spider.parse_article
    assert back.cb_kwargs == {"section": "monde"}
    assert back.meta["lastmod"] == lastmod
    assert back.meta["sources"] == ["sitemap", "rss"]
    (method,) = back.meta["playwright_page_methods"]
    assert (method.method, method.args, method.kwargs) == ("wait_for_selector", ("article p",), {"timeout": 2500})


def test_a_dict_whose_keys_look_like_tags_survives() -> None:
    value = {"meta": {"$bytes": "not base64", "plain": 1}}
    assert codec.loads(codec.dumps(value)) == value


def test_an_object_in_meta_is_refused_by_its_type() -> None:
    class Session:
        pass

    request = Request("https://www.francetvinfo.fr/", meta={"session": Session()})
    with pytest.raises(TypeError, match="Session"):
        codec.dumps(request.to_dict())
