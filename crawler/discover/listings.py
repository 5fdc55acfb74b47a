"""Reading what a news site publishes for discovery: sitemaps, RSS, section pages.

Pure functions over bytes, so the spider only wires them to requests and the
tests feed them saved documents; which URLs are articles is the site's rule
(`crawler.sites`). Each returns `Link`s: a URL and the date the
source gives for it (sitemap `lastmod` or publication date, RSS `pubDate`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

from crawler.article.normalize import parse_datetime
from crawler.read.base import css

_DATE_IN_NAME = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


@dataclass(frozen=True)
class Link:
    """A URL as a source lists it: `published` (news sitemap, RSS) and `lastmod`
    (sitemaps) are kept apart, since only `lastmod` says whether a page changed."""

    url: str
    published: datetime | None = None
    lastmod: datetime | None = None
    title: str | None = None

    @property
    def date(self) -> datetime | None:
        return self.lastmod or self.published


def _xml_root(body: bytes) -> etree._Element | None:
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(body.lstrip(), parser=parser)
    except etree.XMLSyntaxError:
        return None
    return root


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(node: etree._Element, name: str) -> str | None:
    for child in node.iter():
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def parse_sitemap(body: bytes) -> tuple[str, list[Link]]:
    """(`"index"`, `"urlset"` or `"invalid"`, links with their `lastmod` and news
    publication date). Anything but a `<urlset>` or `<sitemapindex>` is invalid: an
    HTML error page served with 200 is not an empty sitemap."""
    root = _xml_root(body)
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        return "invalid", []
    kind = "index" if _local(root.tag) == "sitemapindex" else "urlset"
    links = []
    for entry in root:
        if _local(entry.tag) not in ("url", "sitemap"):
            continue
        loc = _child_text(entry, "loc")
        if not loc:
            continue
        lastmod = _child_text(entry, "lastmod")
        published = _child_text(entry, "publication_date")
        title = _child_text(entry, "title")
        links.append(Link(loc, parse_datetime(published), parse_datetime(lastmod), title))
    return kind, links


def robots_sitemaps(body: bytes, base: str) -> list[str]:
    """The `Sitemap:` lines of a robots.txt, in order, resolved against the site
    (the field name is case-insensitive; relative URLs happen)."""
    text = body.decode("utf-8", errors="replace")
    urls = []
    for line in text.splitlines():
        field, _, value = line.partition(":")
        value = value.split("#", 1)[0].strip()
        if field.strip().lower() == "sitemap" and value:
            url = urljoin(base, value)
            if url not in urls:
                urls.append(url)
    return urls


def sitemap_day(url: str) -> tuple[int, int, int | None] | None:
    """The period an archive sitemap covers, from its name (`articles-2026-11-19.xml`)."""
    match = _DATE_IN_NAME.search(urlsplit(url).path.rsplit("/", 1)[-1])
    if not match:
        return None
    year, month, day = match.groups()
    return int(year), int(month), int(day) if day else None


def parse_rss(body: bytes) -> list[Link]:
    root = _xml_root(body)
    if root is None:
        return []
    links = []
    for item in root.iter():
        if _local(item.tag) not in ("item", "entry"):
            continue
        url = _child_text(item, "link")
        if not url:
            for child in item:
                if _local(child.tag) == "link" and child.get("href"):
                    url = child.get("href")
        if not url:
            continue
        date_text = _child_text(item, "pubDate") or _child_text(item, "updated") or _child_text(item, "published")
        links.append(Link(url, published=_rss_date(date_text), title=_child_text(item, "title")))
    return links


def _rss_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return parse_datetime(value)


def parse_section_page(body: str, url: str, card_links: str) -> tuple[list[Link], str | None]:
    """The links a section page's article cards hold (`card_links`: the site's CSS
    for them), and the next page (`<link rel="next">`)."""
    try:
        root = html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return [], None
    links = [Link(urljoin(url, a.get("href"))) for a in css(card_links)(root) if a.get("href")]
    next_url = None
    for link in root.iter("link", "a"):
        if (link.get("rel") or "").lower() == "next" and link.get("href"):
            next_url = urljoin(url, link.get("href"))
            break
    return links, next_url
