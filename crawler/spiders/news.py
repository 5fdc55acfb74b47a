"""`scrapy crawl news -a site=KEY`: find a news site's article pages and fetch each once.

`scrapy crawl news -a base_url=https://example.fr` crawls a site with no file in
`crawler.sites` (robots.txt, the sitemaps it names, the generic page object);
`scrapy crawl franceinfo` is `news -a site=franceinfo`, for the crontabs that name it.

The spider only decides what to fetch. What a site publishes where is its
`crawler.sites` file; discovery documents are read by `crawler.discover.listings`, article
pages by the site's page objects; items leave as raw articles for the pipelines
(normalize, validate, deduplicate, store).

Requests bypass Scrapy's persistent dupefilter (`dont_filter`): the spider
deduplicates canonical URLs itself within a run, and the store (through
`crawler.fetch.incremental`) knows what earlier runs already have. So a run resumed from
a `JOBDIR` after a kill re-reads discovery and fetches exactly what is missing,
including pages that were in flight when it died.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.article.normalize import canonical_url, paris_day, parse_datetime
from crawler.discover import listings
from crawler.fetch.failures import failure_reason
from crawler.fetch.render import RenderPolicy
from crawler.observe import exitcodes
from crawler.observe.extraction_health import LAYOUT_META, PAGE_UNREAD
from crawler.read import NotAnArticle
from crawler.read.workers import PageObjectError, PageReader
from crawler.spiders.params import ArgumentError, CrawlArguments

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")


class NewsSpider(Spider):
    name = "news"
    fixed_site: str | None = None  # a spider for one site only (`franceinfo`)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        arguments = {key: str(value) for key, value in kwargs.items() if key not in ("_job",)}
        self.arguments = CrawlArguments.parse(arguments, fixed_site=self.fixed_site)
        super().__init__(*args, name=self.name)
        self.raw_arguments = arguments
        self.site = self.arguments.site
        self.base_url = self.arguments.base_url
        base_host = (urlsplit(self.base_url).hostname or "").lower()
        self.site_hosts = {base_host, *self.site.hosts}
        self.allowed_domains = sorted(self.site_hosts)
        self.seen_urls: set[str] = set()
        self.skipped_urls: set[str] = set()
        self.listed_lastmod: dict[str, datetime | None] = {}
        self.newest_lastmod: dict[str, datetime] = {}
        self.read_copies: dict[str, tuple[datetime | None, datetime | None]] = {}  # url -> (page time, lastmod kept)
        self.checks: list[tuple[str, datetime | None, datetime | None]] = []  # see take_checks
        self.newer_listings: dict[str, tuple[listings.Link, str, str | None]] = {}
        self.parsed_urls: set[str] = set()
        self.articles_requested = 0
        self.discovery_failures: dict[str, Counter[str]] = defaultdict(Counter)  # source -> reasons
        self.discovery_failed_urls: dict[str, str] = {}  # source -> one URL that failed

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        slots = spider.site.download_slots(spider.base_url)
        if slots:  # settings are not frozen yet; a `DOWNLOAD_SLOTS` given by the user wins
            crawler.settings.set("DOWNLOAD_SLOTS", {**slots, **crawler.settings.getdict("DOWNLOAD_SLOTS")}, "spider")
        spider.section_max_pages = crawler.settings.getint("SECTION_MAX_PAGES")
        spider.latest_since = datetime.now(UTC) - timedelta(days=crawler.settings.getfloat("SITEMAP_LATEST_DAYS"))
        forced = [canonical_url(url, host_aliases=spider.site.host_aliases) for url in spider.arguments.render_urls]
        spider.render = RenderPolicy(crawler, spider.site, forced)
        spider.page_reader = PageReader(
            crawler.settings.getint("EXTRACT_PROCESSES"),
            read="crawler.sites:read_page",
            timeout=crawler.settings.getfloat("EXTRACT_TIMEOUT"),
        )
        crawler.signals.connect(spider.spider_opened, signals.spider_opened)
        crawler.signals.connect(spider.spider_closed, signals.spider_closed)
        return spider

    @property
    def site_key(self) -> str:
        """The site's key, as the pipelines and extraction health ask a spider for it."""
        return self.site.key

    @classmethod
    def validate_arguments(cls, arguments: dict[str, str]) -> str | None:
        """The one-line error for bad `-a` arguments, or None (used before the crawl starts)."""
        try:
            CrawlArguments.parse(arguments, fixed_site=cls.fixed_site)
        except ArgumentError as error:
            return str(error)
        return None

    @classmethod
    def run_lock_name(cls, arguments: dict[str, str]) -> str:
        """`<site>@<base_url>`: `franceinfo` and `news -a site=franceinfo` on one site
        write the same articles, so they share one lock."""
        parsed = CrawlArguments.parse(arguments, fixed_site=cls.fixed_site)
        return f"{parsed.site.key}@{parsed.base_url}"

    async def spider_opened(self, spider: Spider) -> None:
        args = self.arguments
        logger.info(
            "crawling %s (%s): sources=%s sections=%s since=%s until=%s urls=%d max_articles=%s",
            self.base_url,
            self.site.key,
            ",".join(args.sources),
            ",".join(args.sections) or "all",
            args.since.date() if args.since else "-",
            args.until.date() if args.until else "-",
            len(args.urls),
            args.max_articles or "-",
        )
        await self.page_reader.start()

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        await self.page_reader.close()
        if reason == "finished" and exitcodes.discovery_failed(self.crawler.stats.get_stats()):
            logger.error(
                "discovery failed: no sitemap, feed or section page could be read (%s)", self.why_discovery_failed()
            )

    def why_discovery_failed(self) -> str:
        """`sitemap: http_404 ×1 (http://…/sitemap_news.xml); rss: …`, for the one log line."""
        return "; ".join(
            f"{source}: {', '.join(f'{why} ×{n}' for why, n in reasons.most_common())} "
            f"({self.discovery_failed_urls[source]})"
            for source, reasons in self.discovery_failures.items()
        )

    def discovery_failure(self, key: str, response: Response) -> None:
        """A discovery document that was fetched but can't be read (`failed/invalid_sitemap`)."""
        self.count(key, response.url)
        self.note_discovery_failure(response.meta.get("source", "?"), key.removeprefix("failed/"), response.url)

    def note_discovery_failure(self, source: str, reason: str, url: str) -> None:
        self.discovery_failures[source][reason] += 1
        self.discovery_failed_urls.setdefault(source, url)

    def discovery_read(self, response: Response) -> None:
        """A document that lists articles was read (see `exitcodes.discovery_failed`)."""
        self.crawler.stats.inc_value(f"discovery/read/{response.meta.get('source', '?')}")

    def url(self, path: str) -> str:
        return self.base_url + path

    async def start(self) -> AsyncIterator[Request]:
        args = self.arguments
        for request in self.article_requests([listings.Link(url) for url in args.urls], "urls"):
            yield request
        if "sitemap" in args.sources:
            robots = self.discovery_request(self.url("/robots.txt"), self.parse_robots, "sitemap")
            yield robots.replace(errback=self.robots_unread)
        if "rss" in args.sources:
            for feed in self.site.feeds_for(args.sections):
                yield self.discovery_request(self.url(feed), self.parse_rss, "rss")
        if "sections" in args.sources:
            for page in self.site.section_pages_for(args.sections):
                request = self.discovery_request(self.url(page), self.parse_section, "sections")
                request.meta["section_page"] = 1
                yield request

    def parse_robots(self, response: Response) -> Iterator[Request]:
        """The sitemaps the site's robots.txt lists: its news sitemaps for a run of
        the latest, the others (index, archives) for a dated window."""
        listed = [
            url
            for url in listings.robots_sitemaps(response.body, self.base_url)
            if (urlsplit(url).hostname or "").lower() in self.site_hosts
        ]
        yield from self.sitemap_requests(listed)

    def robots_unread(self, failure: Failure) -> Iterator[Request]:
        logger.info("robots.txt not read (%s): the usual sitemap paths", failure_reason(failure))
        yield from self.sitemap_requests([])

    def sitemap_requests(self, listed: list[str]) -> Iterator[Request]:
        """The listed sitemaps this run wants (news sitemaps for the latest, the others
        for a dated window), else the site's usual paths for them. A run for the latest
        on a site whose robots.txt names no news sitemap reads the ones it names, for
        the last `SITEMAP_LATEST_DAYS` only."""
        windowed = bool(self.arguments.since or self.arguments.until)
        wanted = [url for url in listed if self.site.is_news_sitemap(url) != windowed]
        if not wanted and listed and not windowed:
            for url in listed:
                request = self.discovery_request(url, self.parse_sitemap, "sitemap")
                request.meta["latest_only"] = True
                yield request
            return
        defaults = self.site.archive_sitemaps if windowed else self.site.news_sitemaps
        for url in wanted or [self.url(path) for path in defaults]:
            yield self.discovery_request(url, self.parse_sitemap, "sitemap")

    def discovery_request(self, url: str, callback: Any, source: str) -> Request:
        return Request(
            url, callback=callback, errback=self.on_error, meta={"source": source, "discovery": True}, dont_filter=True
        )

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        kind, links = listings.parse_sitemap(response.body)
        if kind == "invalid":
            self.discovery_failure("failed/invalid_sitemap", response)
            return
        latest_only = bool(response.meta.get("latest_only"))
        if kind == "index":
            news = [link for link in links if self.site.is_news_sitemap(link.url)]
            if latest_only and news:  # an index naming the news sitemap: that is the latest
                for link in news:
                    yield self.discovery_request(link.url, self.parse_sitemap, "sitemap")
                return
            for link in links:
                if self.wanted_sitemap(link, latest_only):
                    request = self.discovery_request(link.url, self.parse_sitemap, "sitemap")
                    request.meta["latest_only"] = latest_only
                    yield request
            return
        self.discovery_read(response)
        period = listings.sitemap_day(response.url)
        day = f"{period[0]:04d}/{period[1]:02d}/{period[2]:02d}" if period and period[2] else None
        since = self.latest_since if latest_only else None
        listed = [link for link in links if self.in_window(link.date, since)]
        yield from self.article_requests(listed, "sitemap", day)

    def wanted_sitemap(self, link: listings.Link, latest_only: bool = False) -> bool:
        """Archive sitemaps that may hold articles of [since, until] (of the last
        `SITEMAP_LATEST_DAYS` for `latest_only`); never the news sitemap twice."""
        if self.site.is_news_sitemap(link.url):
            return not (self.arguments.since or self.arguments.until)
        period = listings.sitemap_day(link.url)
        since, until = (self.latest_since, None) if latest_only else (self.arguments.since, self.arguments.until)
        if period:
            year, month, day = period
            first = datetime(year, month, day or 1, tzinfo=UTC)
            last = first + (timedelta(days=1) if day else timedelta(days=31))
            return (since is None or last >= since - timedelta(days=1)) and (until is None or first <= until)
        return since is None or link.date is None or link.date >= since

    def in_window(self, moment: datetime | None, latest_since: datetime | None = None) -> bool:
        since, until = latest_since or self.arguments.since, self.arguments.until
        if moment is None:
            return True
        return (since is None or moment >= since) and (until is None or moment <= until)

    def parse_rss(self, response: Response) -> Iterator[Request]:
        links = listings.parse_rss(response.body)
        if not links and b"<rss" not in response.body[:2048] and b"<feed" not in response.body[:2048]:
            self.discovery_failure("failed/invalid_feed", response)
            return
        self.discovery_read(response)
        yield from self.article_requests([link for link in links if self.in_window(link.date)], "rss")

    def parse_section(self, response: Response) -> Iterator[Request]:
        links, next_url = listings.parse_section_page(response.text, response.url, self.site.section_links)
        self.discovery_read(response)
        yield from self.article_requests(links, "sections")
        page = response.meta["section_page"]
        if next_url and page < self.section_max_pages:
            request = self.discovery_request(next_url, self.parse_section, "sections")
            request.meta["section_page"] = page + 1
            yield request

    def article_requests(self, links: list[listings.Link], source: str, day: str | None = None) -> Iterator[Request]:
        """One request per canonical article URL: variants and repeats cost nothing,
        unless a repeat brings newer evidence of change (see `listing_skipped`).
        `meta["date_path"]` is the publication day the source gives (the archive
        sitemap's day, else the listed publication date), a hint for store look-ups."""
        for link in links:
            url = canonical_url(link.url, base=self.base_url, host_aliases=self.site.host_aliases)
            if not self.site.is_article_url(url, self.site_hosts):
                self.crawler.stats.inc_value(f"discovered/skipped_not_article/{source}")
                continue
            if link.lastmod is not None and (url not in self.newest_lastmod or link.lastmod > self.newest_lastmod[url]):
                self.newest_lastmod[url] = link.lastmod
            if url in self.seen_urls:
                self.crawler.stats.inc_value("discovered/duplicate_url")
                if self._newer(url, link.lastmod):
                    if url in self.skipped_urls:
                        yield self._article_request(url, link, source, day)
                    else:
                        self.newer_listings[url] = (link, source, day)
                continue
            if self.arguments.max_articles and self.articles_requested >= self.arguments.max_articles:
                self.crawler.stats.inc_value("discovered/over_max_articles")
                continue
            self.seen_urls.add(url)
            self.articles_requested += 1
            yield self._article_request(url, link, source, day)

    def _newer(self, url: str, lastmod: datetime | None) -> bool:
        listed = self.listed_lastmod.get(url)
        return lastmod is not None and (listed is None or lastmod > listed)

    def _article_request(self, url: str, link: listings.Link, source: str, day: str | None) -> Request:
        self.skipped_urls.discard(url)
        self.newer_listings.pop(url, None)
        self.listed_lastmod[url] = link.lastmod
        self.crawler.stats.inc_value(f"discovered/{source}")
        request = Request(
            url,
            callback=self.parse_article,
            errback=self.on_error,
            meta={
                "source": source,
                "article": True,
                "lastmod": link.lastmod,
                "date_path": day or (paris_day(link.published) if link.published else None),
            },
            dont_filter=True,
        )
        reason = self.render.reason_before_fetch(url)
        return (self.render.render(request, reason) or request) if reason else request

    async def parse_article(self, response: Response) -> list[dict[str, Any] | Request]:
        """At most one item, or the same page re-sent through the browser."""
        if response.status == 304:
            self.crawler.stats.inc_value("incremental/not_modified")
            self.checks.append((response.request.url, response.meta.get("lastmod"), datetime.now(UTC)))
            return []
        landed = canonical_url(response.url, host_aliases=self.site.host_aliases)
        if (urlsplit(landed).hostname or "") not in self.site_hosts:  # the browser followed a redirect off the site
            self.count("failed/offsite", response.request.url, f"landed on {response.url}")
            return []
        if self.already_parsed(landed):
            return []
        header = response.headers.get(b"Content-Type", b"").decode("latin-1")
        media_type = header.split(";")[0].strip().lower()
        if media_type and media_type not in HTML_TYPES:
            self.count("dropped/not_html", response.url, media_type)
            return []
        if "dataloss" in response.flags:
            self.count("dropped/truncated", response.url, "the server sent less than it announced")
            return []
        try:
            item = await self.page_reader.read(self.site.key, response.url, response.body, header or None)
        except PageObjectError as error:
            self.crawler.stats.inc_value("dropped/page_object_error")
            logger.error("dropped/page_object_error %s\n%s", response.url, error)
            self.page_unread(response, "page_object_error")
            return []
        except NotAnArticle as error:
            if error.reason == "client_rendered" and not response.meta.get("playwright"):
                rendered = self.render.render(response.request, "client_side")
                if rendered is not None:
                    return [rendered]
            self.count(f"dropped/{error.reason}", response.url, error.detail)
            self.page_unread(response, error.reason)
            return []
        response.meta[LAYOUT_META] = item.pop("page_layout", None)
        if self.already_parsed(landed):  # again: another copy may have been read meanwhile
            return []
        item["fetched_at"] = datetime.now(UTC)
        item["source_lastmod"] = self.source_lastmod(response, item)
        item["http_etag"] = _header(response, b"ETag")
        item["http_last_modified"] = _header(response, b"Last-Modified")
        if response.meta.get("playwright"):
            self.crawler.stats.inc_value("render/parsed")
        self.parsed_urls.add(landed)
        self.crawler.stats.inc_value("articles/parsed")
        return [item]

    def source_lastmod(self, response: Response, item: dict[str, Any]) -> datetime | None:
        """The newest `lastmod` a listing gave this page that the copy read is known
        to include: the one it was requested for, or one listed later (a sitemap read
        after a feed) no newer than the page's own modification time. Stored, it lets
        the next run skip the page on the sitemap's word (see `crawler.fetch.incremental`)."""
        if response.meta.get("redirect_urls"):
            return None
        url = response.request.url
        kept = response.meta.get("lastmod")
        newest = self.newest_lastmod.get(url)
        page_time = parse_datetime(item.get("modified_at")) or parse_datetime(item.get("published_at"))
        if newest is not None and page_time is not None and newest <= page_time:
            kept = max(newest, kept or newest)
        self.read_copies[url] = (page_time, kept)
        return kept

    def take_checks(self, final: bool = False) -> list[tuple[str, datetime | None, datetime | None]]:
        """What this run learnt about pages the store has, for the store to record
        (`ArticleStore.record_checks`): (url, listed `lastmod`, checked at) for each
        304, and at the end (after the last flush) (url, `lastmod`, None) for each page
        a sitemap listed after it was read, when its newest `lastmod` is newer than the
        one the page was stored with and no newer than the copy read: so a page a feed
        listed first is not re-checked by the next run."""
        checks, self.checks = self.checks, []
        if final:
            for url, (page_time, kept) in self.read_copies.items():
                newest = self.newest_lastmod.get(url)
                if newest and page_time and newest <= page_time and (kept is None or newest > kept):
                    checks.append((url, newest, None))
        return checks

    def listing_skipped(self, url: str) -> Request | None:
        """The incremental filter skipped this listing of `url` on its evidence (no
        `lastmod` and fetched recently, or a `lastmod` not newer than stored). A
        listing with a newer `lastmod` from another source, met meanwhile or later,
        gets its turn: returned here if it came while this one was being decided, so
        the newest evidence wins whatever order the sources arrive in."""
        self.skipped_urls.add(url)
        newer = self.newer_listings.pop(url, None)
        return self._article_request(url, *newer) if newer else None

    def already_parsed(self, landed: str) -> bool:
        """Two URLs that redirect to one article land on the same page: it is read once."""
        if landed in self.parsed_urls:
            self.crawler.stats.inc_value("discovered/already_parsed")
            return True
        return False

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        reason = failure_reason(failure)
        scope = "failed/discovery" if request.meta.get("discovery") else "failed"
        self.count(f"{scope}/{reason}", request.url, failure.getErrorMessage())
        if request.meta.get("discovery"):
            self.note_discovery_failure(request.meta.get("source", "?"), reason, request.url)

    def page_unread(self, response: Response, reason: str) -> None:
        """Tell extraction health (which may quarantine it) of a page not read."""
        self.crawler.signals.send_catch_log(PAGE_UNREAD, response=response, reason=reason)

    def count(self, key: str, url: str, detail: str = "") -> None:
        """Every page the crawl gives up on: a stat under its reason and one log line."""
        self.crawler.stats.inc_value(key)
        logger.warning("%s %s%s", key, url, f" ({detail})" if detail else "")


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class FranceinfoSpider(NewsSpider):
    """`scrapy crawl franceinfo`: `news -a site=franceinfo`, the name crontabs use."""

    name = "franceinfo"
    fixed_site = "franceinfo"
