"""What the crawler knows of one news site, in one place (Fundus's publisher idea).

A `Site` says where the site lists its articles (robots.txt, news and archive
sitemaps, RSS feeds, section pages), which URLs are articles, which pages need a
browser, how politely to fetch it, and which page object reads its articles. The
spider, the render policy and the pipelines read it; nothing else knows a site.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

from crawler.read.base import HtmlPage
from crawler.read.generic import GenericArticlePage

ChoosePage = Callable[..., HtmlPage]  # (url, html: str | bytes, encoding: str | None = None)

# Paths that are never articles on any site: listings of a tag, an author, a search.
COMMON_NOT_ARTICLE = ("/tag/", "/tags/", "/auteur/", "/auteurs/", "/author/", "/recherche", "/search", "/_")


@dataclass(frozen=True)
class Site:
    key: str  # `-a site=KEY`, the stored `source` of its articles
    base_url: str  # the real site's origin, the default `base_url`
    choose_page: ChoosePage = GenericArticlePage
    hosts: tuple[str, ...] = ()
    host_aliases: dict[str, str] = field(default_factory=dict)  # alternate host -> the one stored
    article_path: str = r"."  # a regex an article URL's path matches (search)
    not_article_prefixes: tuple[str, ...] = COMMON_NOT_ARTICLE
    news_sitemaps: tuple[str, ...] = ("/sitemap_news.xml", "/news-sitemap.xml")  # when robots.txt lists none
    archive_sitemaps: tuple[str, ...] = ("/sitemap_index.xml", "/sitemap.xml")
    feeds: tuple[str, ...] = ()  # the feeds read when no section is asked for
    section_feed: str | None = None  # "/{section}.rss"
    section_page: str | None = None  # "/{section}/"
    section_links: str = "article a[href], h2 a[href], h3 a[href]"  # CSS of article links on a section page
    sections: tuple[str, ...] = ()  # known section names; empty means any name is accepted
    default_sections: tuple[str, ...] = ()  # crawled by `sources=sections` without `sections=`
    render_always: tuple[str, ...] = ()  # path regexes of pages only a browser shows (live pages)
    render_wait_selector: str = "body"  # what a rendered page waits for
    download_delay: float | None = None  # politeness overrides for this site's hosts
    concurrency: int | None = None
    source_note: str = ""  # where the discovery conventions above come from

    @cached_property
    def article_pattern(self) -> re.Pattern[str]:
        return re.compile(self.article_path)

    def is_article_url(self, url: str, hosts: set[str]) -> bool:
        """An article page of the site: one of `hosts`, an article path, not a listing."""
        parts = urlsplit(url)
        if (parts.hostname or "").lower() not in hosts or parts.path in ("", "/"):
            return False
        path = parts.path.lower()
        return bool(self.article_pattern.search(parts.path)) and not path.startswith(self.not_article_prefixes)

    def is_news_sitemap(self, url: str) -> bool:
        """The sitemap of the latest articles (a run without a date window reads it)."""
        parts = urlsplit(url)
        return "news" in (parts.path + "?" + parts.query).lower()

    def feeds_for(self, sections: tuple[str, ...]) -> list[str]:
        if sections and self.section_feed:
            return [self.section_feed.format(section=section) for section in sections]
        return list(self.feeds)

    def section_pages_for(self, sections: tuple[str, ...]) -> list[str]:
        if not self.section_page:
            return []
        return [self.section_page.format(section=section) for section in sections or self.default_sections]

    def download_slots(self, base_url: str) -> dict[str, dict[str, float]]:
        """`DOWNLOAD_SLOTS` for the hosts crawled, when the site overrides politeness."""
        slot: dict[str, float] = {}
        if self.download_delay is not None:
            slot["delay"] = self.download_delay
        if self.concurrency is not None:
            slot["concurrency"] = self.concurrency
        if not slot:
            return {}
        hosts = {*self.hosts, (urlsplit(base_url).hostname or "").lower()}
        return {host: dict(slot) for host in sorted(hosts) if host}
