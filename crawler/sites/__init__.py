"""The sites the crawler knows, by key; any other site is crawled as `GENERIC`.

`scrapy crawl news -a site=KEY` crawls one of them; `-a base_url=URL` alone picks
the site owning that host, else the generic one (robots.txt, the sitemaps it
names, the generic page object). A new site is one file here and a line below.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from crawler.read import NotAnArticle
from crawler.read.base import HtmlPage, detect_encoding
from crawler.sites import franceinfo, lemonde, leparisien, lepoint, liberation, vingt_minutes
from crawler.sites.base import Site

__all__ = ["GENERIC", "SITES", "Site", "page_for", "read_page", "site_for", "site_named"]

GENERIC = Site(key="generic", base_url="", section_page="/{section}/")

SITES: dict[str, Site] = {
    site.key: site
    for site in (franceinfo.SITE, lemonde.SITE, vingt_minutes.SITE, leparisien.SITE, lepoint.SITE, liberation.SITE)
}


def site_named(key: str) -> Site:
    """The site of `-a site=KEY`; `ValueError` naming the known keys otherwise."""
    if key == GENERIC.key:
        return GENERIC
    try:
        return SITES[key]
    except KeyError:
        raise ValueError(f"unknown site {key!r}; known: {', '.join(sorted(SITES))}") from None


def site_for(url: str, key: str | None = None) -> Site:
    """The site named by `key`, else the one owning the URL's host, else `GENERIC`."""
    if key:
        return site_named(key)
    host = (urlsplit(url).hostname or "").lower()
    for site in SITES.values():
        if host in site.hosts:
            return site
    return GENERIC


def page_for(url: str, html: str | bytes, key: str | None = None, encoding: str | None = None) -> HtmlPage:
    return site_for(url, key).choose_page(url, html, encoding)


def read_page(site_key: str, url: str, body: bytes, content_type: str | None) -> dict[str, Any]:
    """The raw article of one fetched page, with the layout class that read it
    (`page_layout`); raises `NotAnArticle` with a reason."""
    page = page_for(url, body, site_key, detect_encoding(body, content_type))
    if page.is_truncated():
        raise NotAnArticle("truncated", "the HTML ends before </html>")
    return {**page.to_item(), "page_layout": type(page).__name__}
