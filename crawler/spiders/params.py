"""The spider's `-a` arguments, validated once at start with a precise message.

`scrapy crawl news -a site=lemonde -a sources=sitemap,rss -a sections=international -a since=2020-10-01`
"""

from __future__ import annotations

import difflib
import ipaddress
import re
import socket
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from urllib.parse import urlsplit

from crawler.article.normalize import PARIS
from crawler.sites import Site, site_for, site_named

DEFAULT_SITE = "franceinfo"
DEFAULT_BASE_URL = site_named(DEFAULT_SITE).base_url
SOURCES = ("sitemap", "rss", "sections", "urls")
DEFAULT_SOURCES = ("sitemap", "rss")
_SECTION_NAME = re.compile(r"^[a-z0-9_-]+$")
ARGUMENTS = (
    "site", "base_url", "sources", "sections", "since", "until", "urls", "url_file", "max_articles",
    "render_urls", "render_url_file",
)  # fmt: skip
DEFAULT_PORTS = {"http": 80, "https": 443}
_NUMERIC_LABEL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")


class ArgumentError(ValueError):
    """A bad `-a` argument; the message names the argument and what is expected."""


@dataclass(frozen=True)
class CrawlArguments:
    site: Site = field(default_factory=lambda: site_named(DEFAULT_SITE))
    base_url: str = DEFAULT_BASE_URL
    sources: tuple[str, ...] = DEFAULT_SOURCES
    sections: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    urls: tuple[str, ...] = ()
    max_articles: int | None = None
    render_urls: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)  # Scrapy's and scrapyd's own (`_job`, …)

    @classmethod
    def parse(cls, arguments: dict[str, str], fixed_site: str | None = None) -> CrawlArguments:
        """Validate `-a` values; raise `ArgumentError` on the first bad one. An unknown
        name is an error too: a typo in a crontab (`sourcs=rss`) would otherwise run
        the defaults without a word. Names starting with `_` are Scrapy's (`_job`).

        The site is `site=`, else the one owning `base_url`'s host, else the generic
        one; with neither, franceinfo. A spider for one site (`fixed_site`) takes
        `base_url=` as a mirror of it (the local replica)."""
        _check_names(arguments)
        args = dict(arguments)
        given_base_url = normalize_base_url(args.pop("base_url")) if "base_url" in args else None
        site = _site(args.pop("site", "").strip().lower(), given_base_url, fixed_site)
        base_url = given_base_url or site.base_url
        render_urls = _urls(args.pop("render_urls", ""), args.pop("render_url_file", ""), "render_url_file")
        urls = tuple(dict.fromkeys(_urls(args.pop("urls", ""), args.pop("url_file", "")) + render_urls))
        sources = _choices("sources", args.pop("sources", ""), SOURCES) or DEFAULT_SOURCES
        if urls and "urls" not in sources:
            sources = ("urls",) if "sources" not in arguments else (*sources, "urls")
        if "urls" in sources and not urls:
            raise ArgumentError("sources=urls needs urls=URL,URL or url_file=PATH")
        sections = _sections(args.pop("sections", ""), site)
        since = _day("since", args.pop("since", ""))
        until = _day("until", args.pop("until", ""), end_of_day=True)
        if since and until and since > until:
            raise ArgumentError(f"since ({since.date()}) is after until ({until.date()})")
        max_articles = _positive_int("max_articles", args.pop("max_articles", ""))
        if "sections" in sources and not sections and not site.section_pages_for(()):
            raise ArgumentError(f"sources=sections needs sections=NAME,NAME: {site.key} has no default sections")
        return cls(site, base_url, sources, sections, since, until, urls, max_articles, render_urls, args)


def _site(key: str, base_url: str | None, fixed_site: str | None) -> Site:
    if fixed_site:
        if key and key != fixed_site:
            raise ArgumentError(f"this spider crawls {fixed_site} only; use `scrapy crawl news -a site={key}`")
        return site_named(fixed_site)
    if key:
        try:
            return site_named(key)
        except ValueError as error:
            raise ArgumentError(str(error)) from None
    return site_for(base_url) if base_url else site_named(DEFAULT_SITE)


def _sections(value: str, site: Site) -> tuple[str, ...]:
    """Names from the site's list; for a site with no list, any plain path segment."""
    if site.sections:
        return _choices("sections", value, site.sections)
    chosen = tuple(part.strip().lower() for part in value.split(",") if part.strip())
    bad = [part for part in chosen if not _SECTION_NAME.match(part)]
    if bad:
        raise ArgumentError(f"sections: {bad[0]!r} is not a section name (letters, digits, - and _)")
    return chosen


def _check_names(arguments: dict[str, str]) -> None:
    unknown = [name for name in arguments if name not in ARGUMENTS and not name.startswith("_")]
    if unknown:
        close = difflib.get_close_matches(unknown[0], ARGUMENTS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ArgumentError(f"unknown argument {unknown[0]!r}{hint}; known arguments: {', '.join(ARGUMENTS)}")


def normalize_base_url(value: str) -> str:
    """`scheme://host[:port]`, one spelling per site, since it is also the run lock's
    name: lower-case host (IDNA, IP addresses in their usual form), the port as a
    number and left out when it is the scheme's default."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ArgumentError(f"base_url must be an http(s) URL such as {DEFAULT_BASE_URL}, got {value!r}")
    if parts.username is not None or parts.password is not None:
        raise ArgumentError(f"base_url must not carry a user name or password, got {value!r}")
    try:
        port = parts.port
        host = _host(parts.hostname)
    except (ValueError, UnicodeError):
        raise ArgumentError(f"base_url has a bad host or port, got {value!r}") from None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[parts.scheme]:
        netloc = f"{netloc}:{port}"
    return f"{parts.scheme}://{netloc}"


def _host(hostname: str) -> str:
    """One spelling of a host: `127.1`, `0x7f.0.0.1` and `127.0.0.1` are one address."""
    host = hostname.lower().rstrip(".")
    if not host:
        raise ValueError("no host")
    if ":" in host:
        return ipaddress.IPv6Address(host).compressed
    if _NUMERIC_LABEL.match(host.rsplit(".", 1)[-1]):  # the WHATWG rule: then it is an IPv4 address
        try:
            return socket.inet_ntoa(socket.inet_aton(host))
        except OSError:
            raise ValueError(f"bad IPv4 address {host!r}") from None
    return host.encode("idna").decode("ascii")


def _choices(name: str, value: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    chosen = tuple(part.strip().lower() for part in value.split(",") if part.strip())
    unknown = [part for part in chosen if part not in allowed]
    if unknown:
        raise ArgumentError(f"{name}: unknown value(s) {', '.join(unknown)}; choose from {', '.join(allowed)}")
    return chosen


def _day(name: str, value: str, end_of_day: bool = False) -> datetime | None:
    if not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise ArgumentError(f"{name} must be a date YYYY-MM-DD, got {value!r}") from None
    moment = datetime.combine(day, time.max if end_of_day else time.min, tzinfo=PARIS)
    return moment.astimezone(UTC)


def _positive_int(name: str, value: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isdigit() or int(value) < 1:
        raise ArgumentError(f"{name} must be a positive whole number, got {value!r}")
    return int(value)


def _urls(inline: str, url_file: str, file_argument: str = "url_file") -> tuple[str, ...]:
    urls = [part.strip() for part in inline.split(",") if part.strip()]
    if url_file:
        try:
            lines = Path(url_file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise ArgumentError(f"{file_argument} {url_file!r} can't be read: {error.strerror or error}") from None
        urls.extend(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))
    for url in urls:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ArgumentError(f"urls: {url!r} is not an http(s) URL")
    return tuple(urls)
