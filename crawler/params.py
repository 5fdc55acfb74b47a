"""The spider's `-a` arguments, validated once at start with a precise message.

`scrapy crawl franceinfo -a sources=sitemap,rss -a sections=monde -a since=2020-10-01`
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from urllib.parse import urlsplit

from crawler.normalize import PARIS

DEFAULT_BASE_URL = "https://www.francetvinfo.fr"
SOURCES = ("sitemap", "rss", "sections", "urls")
DEFAULT_SOURCES = ("sitemap", "rss")
SECTIONS = (
    "france", "politique", "societe", "faits-divers", "justice", "monde", "afrique", "ameriques", "europe",
    "proche-orient", "environnement", "tendances", "entreprises", "marches", "immobilier", "economie", "sports",
    "foot", "rugby", "f1", "decouverte", "sciences", "sante", "animaux", "bizarre", "culture", "medias", "cinema",
    "musique", "internet", "elections", "meteo",
)  # fmt: skip
_SECTION_NAME = re.compile(r"^[a-z0-9-]+$")


class ArgumentError(ValueError):
    """A bad `-a` argument; the message names the argument and what is expected."""


@dataclass(frozen=True)
class CrawlArguments:
    base_url: str = DEFAULT_BASE_URL
    sources: tuple[str, ...] = DEFAULT_SOURCES
    sections: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    urls: tuple[str, ...] = ()
    max_articles: int | None = None
    render_urls: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, arguments: dict[str, str], known_sections: tuple[str, ...] = SECTIONS) -> CrawlArguments:
        """Validate `-a` values; raise `ArgumentError` on the first bad one."""
        args = dict(arguments)
        base_url = normalize_base_url(args.pop("base_url", DEFAULT_BASE_URL))
        render_urls = _urls(args.pop("render_urls", ""), args.pop("render_url_file", ""), "render_url_file")
        urls = tuple(dict.fromkeys(_urls(args.pop("urls", ""), args.pop("url_file", "")) + render_urls))
        sources = _choices("sources", args.pop("sources", ""), SOURCES) or DEFAULT_SOURCES
        if urls and "urls" not in sources:
            sources = ("urls",) if "sources" not in arguments else (*sources, "urls")
        if "urls" in sources and not urls:
            raise ArgumentError("sources=urls needs urls=URL,URL or url_file=PATH")
        sections = _choices("sections", args.pop("sections", ""), known_sections)
        since = _day("since", args.pop("since", ""))
        until = _day("until", args.pop("until", ""), end_of_day=True)
        if since and until and since > until:
            raise ArgumentError(f"since ({since.date()}) is after until ({until.date()})")
        max_articles = _positive_int("max_articles", args.pop("max_articles", ""))
        return cls(base_url, sources, sections, since, until, urls, max_articles, render_urls, args)


def normalize_base_url(value: str) -> str:
    """`scheme://host[:port]`: one spelling per site (also the run lock's name)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ArgumentError(f"base_url must be an http(s) URL such as {DEFAULT_BASE_URL}, got {value!r}")
    return f"{parts.scheme}://{parts.netloc}"


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
