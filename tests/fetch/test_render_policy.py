"""Which requests go through Chromium, and how they are sent: the render policy on its
own, without a browser (tests/fetch/test_render.py crawls through a real Chromium)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.fetch.render import RenderPolicy, abort_request
from crawler.sites import GENERIC, site_named

FRANCEINFO = site_named("franceinfo")
ARTICLE = "https://www.francetvinfo.fr/monde/guerre-en-ukraine/un-article_6543210.html"
LIVE = "https://www.francetvinfo.fr/monde/guerre-en-ukraine/direct-guerre-en-ukraine_6543211.html"


def policy(site=FRANCEINFO, forced: tuple[str, ...] = (), **overrides: Any) -> RenderPolicy:
    values = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}
    del values["TWISTED_REACTOR"]  # no reactor is installed here: nothing is downloaded
    crawler = get_crawler(Spider, {**values, **overrides})
    crawler.stats.open_spider(None)
    return RenderPolicy(crawler, site, forced)


def test_a_live_page_goes_to_the_browser_and_an_article_does_not() -> None:
    render = policy()
    assert render.reason_before_fetch(LIVE) == "live"
    assert render.reason_before_fetch(ARTICLE) is None


def test_a_url_given_by_the_spider_argument_is_rendered_first() -> None:
    assert policy(forced=(ARTICLE,)).reason_before_fetch(ARTICLE) == "forced"


def test_the_setting_adds_patterns_to_the_sites() -> None:
    render = policy(RENDER_ALWAYS=[r"/un-article_\d+\.html$"])
    assert render.reason_before_fetch(ARTICLE) == "live"
    assert render.reason_before_fetch(LIVE) == "live"


def test_a_site_without_render_rules_renders_nothing_before_fetching() -> None:
    assert policy(site=GENERIC).reason_before_fetch(LIVE) is None


def test_rendering_switched_off_renders_nothing_and_says_so() -> None:
    render = policy(RENDER_ENABLED=False, forced=(ARTICLE,))
    assert render.reason_before_fetch(ARTICLE) is None
    assert render.render(Request(ARTICLE), "client_rendered") is None
    assert render.crawler.stats.get_value("render/disabled") == 1


def test_a_rendered_request_waits_for_the_sites_content_never_for_network_idle() -> None:
    request = policy().render(Request(LIVE), "live")
    assert request is not None and request.meta["playwright"] is True
    assert request.meta["playwright_page_goto_kwargs"] == {"wait_until": "domcontentloaded"}
    [wait] = request.meta["playwright_page_methods"]
    assert wait.method == "wait_for_selector"
    assert wait.args == (FRANCEINFO.render_wait_selector,)
    assert wait.kwargs == {"timeout": project_settings.RENDER_WAIT_TIMEOUT_MS}
    assert request.meta["render_reason"] == "live"
    assert request.meta["max_retry_times"] == project_settings.RENDER_RETRY_TIMES


def test_the_wait_selector_setting_replaces_the_sites() -> None:
    request = policy(RENDER_WAIT_SELECTOR="main article").render(Request(LIVE), "live")
    assert request is not None
    assert request.meta["playwright_page_methods"][0].args == ("main article",)


def test_our_meta_is_carried_over_and_scrapys_fetch_state_is_not() -> None:
    fetched = Request(
        ARTICLE,
        meta={"source": "sitemap", "listed_lastmod": "2026-12-03", "download_slot": "x", "retry_times": 1, "depth": 2},
        headers={"If-None-Match": '"abc"', "If-Modified-Since": "Wed, 02 Dec 2026 10:00:00 GMT", "Accept": "text/html"},
    )
    request = policy().render(fetched, "client_rendered")
    assert request is not None
    assert request.meta["source"] == "sitemap" and request.meta["listed_lastmod"] == "2026-12-03"
    assert not {"download_slot", "retry_times", "depth"} & set(request.meta)
    assert request.headers.get("If-None-Match") is None and request.headers.get("If-Modified-Since") is None
    assert request.headers.get("Accept") == b"text/html"
    assert request.dont_filter is True


def test_a_page_is_rendered_once_and_counted_by_reason() -> None:
    render = policy()
    assert render.render(Request(ARTICLE), "client_rendered") is not None
    assert render.render(Request(ARTICLE), "client_rendered") is None
    stats = render.crawler.stats
    assert stats.get_value("render/reason/client_rendered") == 1
    assert stats.get_value("render/refused_twice") == 1


@dataclass
class Frame:
    url: str


@dataclass
class BrowserRequest:
    """The three things `abort_request` asks of a Playwright request."""

    url: str
    resource_type: str
    frame_url: str | None = "https://www.francetvinfo.fr/direct.html"
    navigation: bool = False

    @property
    def frame(self) -> Frame:
        if self.frame_url is None:
            raise RuntimeError("frame detached")
        return Frame(self.frame_url)

    def is_navigation_request(self) -> bool:
        return self.navigation


def test_the_browser_loads_the_pages_own_documents_scripts_and_xhr_only() -> None:
    own = "https://www.francetvinfo.fr/live/posts.json"
    assert abort_request(BrowserRequest(LIVE, "document", navigation=True)) is False
    assert abort_request(BrowserRequest(own, "xhr")) is False
    assert abort_request(BrowserRequest(own, "script")) is False
    assert abort_request(BrowserRequest("https://ads.example.net/tag.js", "script")) is True
    for kind in ("image", "media", "font", "stylesheet"):
        assert abort_request(BrowserRequest(own, kind)) is True
    assert abort_request(BrowserRequest(own, "xhr", frame_url=None)) is True
