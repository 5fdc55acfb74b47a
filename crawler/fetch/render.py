"""When a page goes through Chromium, and how: the only code that sets the
`playwright` request meta key.

A request is rendered when (1) its URL matches the site's `render_always` or the
setting `RENDER_ALWAYS` (live pages, whose posts arrive by XHR), (2) the static page object found an empty body with the
site's client-side markers (once, automatically), or (3) its URL was listed with
the spider argument `render_urls=` / `render_url_file=`. A page is never rendered
twice; stats count rendered pages by reason (`render/reason/<reason>`).

Rendering is bounded by settings read by scrapy-playwright (`PLAYWRIGHT_MAX_CONTEXTS`,
`PLAYWRIGHT_MAX_PAGES_PER_CONTEXT`, `PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT`) and ours:
it waits for the site's content selector (or `RENDER_WAIT_SELECTOR`) for at most
`RENDER_WAIT_TIMEOUT_MS`,
never for network idle, and `abort_request` blocks images, media, fonts, styles and
third-party hosts.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from scrapy_playwright.page import PageMethod

from crawler.sites.base import Site

#: Meta keys Scrapy sets while fetching: not carried over when a fetched page is
#: requested again through the browser.
SCRAPY_META_PREFIXES = ("download_", "retry_", "redirect_", "handle_httpstatus", "depth", "_")
#: Validators a re-check adds: Chromium aborts on a 304 (net::ERR_ABORTED), so a
#: page sent to the browser always asks for the whole page.
CONDITIONAL_HEADERS = (b"if-none-match", b"if-modified-since")
BLOCKED_RESOURCE_TYPES = frozenset({"image", "media", "font", "stylesheet", "texttrack", "eventsource", "websocket"})


def abort_request(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: only the page's own documents, scripts and XHR load."""
    if request.resource_type in BLOCKED_RESOURCE_TYPES:
        return True
    if request.is_navigation_request():
        return False
    try:
        page_host = urlsplit(request.frame.url).hostname
    except Exception:  # a detached frame: nothing of it is needed
        return True
    return bool(page_host) and urlsplit(request.url).hostname != page_host


class RenderPolicy:
    def __init__(self, crawler: Crawler, site: Site, forced_urls: Iterable[str] = ()) -> None:
        settings = crawler.settings
        patterns = [*site.render_always, *settings.getlist("RENDER_ALWAYS")]
        self.always = [re.compile(pattern) for pattern in patterns]
        self.enabled = settings.getbool("RENDER_ENABLED")
        self.wait_selector = settings.get("RENDER_WAIT_SELECTOR") or site.render_wait_selector
        self.wait_timeout_ms = settings.getint("RENDER_WAIT_TIMEOUT_MS")
        self.max_retries = settings.getint("RENDER_RETRY_TIMES")
        self.forced = set(forced_urls)
        self.crawler = crawler
        self.rendered: set[str] = set()

    def reason_before_fetch(self, url: str) -> str | None:
        """Why this URL goes straight to the browser, if it does."""
        if not self.enabled:
            return None
        if url in self.forced:
            return "forced"
        if any(pattern.search(urlsplit(url).path) for pattern in self.always):
            return "live"
        return None

    def render(self, request: Request, reason: str) -> Request | None:
        """The request, sent through Chromium; None if this URL was rendered already."""
        if not self.enabled or request.url in self.rendered:
            self.crawler.stats.inc_value("render/refused_twice" if self.enabled else "render/disabled")
            return None
        self.rendered.add(request.url)
        self.crawler.stats.inc_value(f"render/reason/{reason}")
        carried = {k: v for k, v in request.meta.items() if not k.startswith(SCRAPY_META_PREFIXES)}
        meta = {
            **carried,
            "playwright": True,
            "playwright_page_goto_kwargs": {"wait_until": "domcontentloaded"},
            "playwright_page_methods": [
                PageMethod("wait_for_selector", self.wait_selector, timeout=self.wait_timeout_ms)
            ],
            "render_reason": reason,
            "max_retry_times": self.max_retries,
        }
        headers = {k: v for k, v in request.headers.items() if k.lower() not in CONDITIONAL_HEADERS}
        return request.replace(meta=meta, headers=headers, dont_filter=True)


class OneLineBrowserFailures(logging.Filter):
    """scrapy-playwright logs a traceback with every page it closes on a failure (a
    render timeout, a crash). The failure is counted and logged by the spider under
    its reason (`failed/render_timeout`); its line here keeps the message only."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.getMessage().startswith("Closing page due to failed request"):
            record.exc_info = None
            record.exc_text = None
        return True


class LazyPlaywrightDownloadHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler, starting Playwright's driver at the first request
    that needs a browser instead of at engine start: most runs render nothing, and
    starting the driver costs about a second and a node process."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        browser_log = logging.getLogger("scrapy-playwright")
        if not any(isinstance(f, OneLineBrowserFailures) for f in browser_log.filters):
            browser_log.addFilter(OneLineBrowserFailures())
        self._launching = asyncio.Lock()
        self._launched = False

    async def _maybe_launch_in_thread(self) -> None:
        """Connected to `engine_started` by the parent: do nothing then."""

    async def download_request(self, request: Request) -> Response:
        if request.meta.get("playwright") and not self._launched:
            async with self._launching:
                if not self._launched:
                    await self._maybe_future_from_coro(self._launch())
                    self._launched = True
        return await super().download_request(request)
