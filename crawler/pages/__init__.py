"""Page objects, and the registry that picks one by site.

A site is chosen by key (a spider knows what it crawls, even on the local
replica) or by host. The franceinfo page objects never fall back to the generic
one: a franceinfo page they can't read is dropped with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.pages import franceinfo
from crawler.pages.base import HtmlPage, NotAnArticle, detect_encoding
from crawler.pages.generic import GenericArticlePage

__all__ = ["SITES", "NotAnArticle", "Site", "detect_encoding", "page_for", "site_for"]


@dataclass(frozen=True)
class Site:
    key: str
    hosts: tuple[str, ...]
    choose_page: Callable[..., HtmlPage]  # (url, html: str | bytes, encoding=None)
    host_aliases: dict[str, str] = field(default_factory=dict)


SITES: dict[str, Site] = {
    "franceinfo": Site("franceinfo", franceinfo.HOSTS, franceinfo.choose_page, franceinfo.HOST_ALIASES),
    "generic": Site("generic", (), GenericArticlePage),
}


def site_for(url: str, site_key: str | None = None) -> Site:
    """The site adapter named by `site_key`, else the one owning the URL's host, else generic."""
    if site_key:
        try:
            return SITES[site_key]
        except KeyError:
            raise ValueError(f"unknown site {site_key!r}; known: {', '.join(sorted(SITES))}") from None
    host = (urlsplit(url).hostname or "").lower()
    for site in SITES.values():
        if host in site.hosts:
            return site
    return SITES["generic"]


def page_for(url: str, html: str | bytes, site_key: str | None = None, encoding: str | None = None) -> HtmlPage:
    return site_for(url, site_key).choose_page(url, html, encoding)
