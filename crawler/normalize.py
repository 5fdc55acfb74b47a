"""Turn a raw article (what a page object read) into the stored document's fields.

Every rule of `ARTICLE_SCHEMA.md` that is not about reading a page lives here:
canonical URLs, `date_path`, UTC datetimes, text clean-up, `word_count`,
`content_hash`. All functions are pure so pipelines, the CLI and tests share them.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import unicodedata
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")

TRACKING_PARAMS = frozenset(
    {"xtor", "xtref", "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref", "amp"}
)
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_")

_DATE_IN_PATH = re.compile(r"/(\d{4})/(\d{2})/(\d{2})(?:/|$)")
_SPACES = re.compile(r"\s{2,}|[^\S ]")  # what `clean_text` changes: runs, and tabs or newlines
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ODD_SPACE_CHARS = "\u00a0\u202f\u2007\u2009\u200a\u3000"
_CLEANUP = str.maketrans(dict.fromkeys(_ODD_SPACE_CHARS, " ") | dict.fromkeys(_INVISIBLE_CHARS, None))
_NEEDS_CLEANUP = re.compile(f"[{_INVISIBLE_CHARS}{_ODD_SPACE_CHARS}]")

FRENCH_MONTHS = {
    "janvier": 1,
    "janv": 1,
    "février": 2,
    "fevrier": 2,
    "févr": 2,
    "fevr": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "décembre": 12,
    "decembre": 12,
    "déc": 12,
    "dec": 12,
}
_FRENCH_NUMERIC = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\D{0,12}?(\d{1,2})\s*[:h]\s*(\d{2}))?")
_FRENCH_WORDS = re.compile(
    r"(\d{1,2})(?:er)?\s+([a-zéûè]+)\.?\s+(\d{4})(?:\D{0,12}?(\d{1,2})\s*[:h]\s*(\d{2}))?", re.IGNORECASE
)


def clean_text(value: str | None) -> str:
    """NFC, odd spaces to plain spaces, invisible characters removed, runs collapsed.

    Typographic quotes and apostrophes are kept as published.
    """
    if not value:
        return ""
    if not value.isascii():
        if not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
        if _NEEDS_CLEANUP.search(value):
            value = value.translate(_CLEANUP)
    return _SPACES.sub(" ", value).strip()


@lru_cache(maxsize=256)
def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def canonical_url(url: str, base: str | None = None, host_aliases: dict[str, str] | None = None) -> str:
    """The one spelling of a URL that identifies a document.

    https (loopback hosts keep their scheme: the local replica serves plain http),
    lower-case host without default port, no fragment, no tracking query, no AMP
    or trailing-slash variant of an article path.
    """
    url = url.strip()
    if base and not _ABSOLUTE_URL.match(url):
        url = _join(base, url)
    return _canonical_url(url, tuple(host_aliases.items()) if host_aliases else ())


_ABSOLUTE_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://")
_ORIGIN = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*")


def _join(base: str, url: str) -> str:
    """`urljoin`, with a fast path for the common root-relative link ("/monde/…")."""
    if url.startswith("/") and not url.startswith("//") and "/." not in url:
        origin = _ORIGIN.match(base)
        if origin:
            return origin.group() + url
    return urljoin(base, url)


@lru_cache(maxsize=16384)
def _canonical_url(url: str, host_aliases: tuple[tuple[str, str], ...]) -> str:
    """Cached on the absolute URL: rails and feeds repeat the same links on every page."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    host = dict(host_aliases).get(host, host)
    scheme = parts.scheme.lower() or "https"
    if scheme == "http" and not _is_loopback(host):
        scheme = "https"
    netloc = host
    if parts.port and parts.port != {"http": 80, "https": 443}.get(scheme):
        netloc = f"{host}:{parts.port}"
    path = parts.path or "/"
    if path.endswith(".amp"):
        path = path[: -len(".amp")] + ".html"
    if path.endswith("/amp/") or path.endswith("/amp"):
        path = path.rsplit("/amp", 1)[0] or "/"
    if path.endswith(".html/"):
        path = path.rstrip("/")
    query = ""
    if parts.query:
        query = urlencode(
            [
                (k, v)
                for k, v in parse_qsl(parts.query, keep_blank_values=True)
                if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
            ]
        )
    return urlunsplit((scheme, netloc, path, query, ""))


def same_site(url_a: str, url_b: str, host_aliases: dict[str, str] | None = None) -> bool:
    aliases = host_aliases or {}
    host_a = (urlsplit(url_a).hostname or "").lower()
    host_b = (urlsplit(url_b).hostname or "").lower()
    return aliases.get(host_a, host_a) == aliases.get(host_b, host_b)


def date_path_from_url(url: str) -> str | None:
    match = _DATE_IN_PATH.search(urlsplit(url).path)
    if not match:
        return None
    year, month, day = match.groups()
    try:
        datetime(int(year), int(month), int(day))
    except ValueError:
        return None
    return f"{year}/{month}/{day}"


def paris_day(moment: datetime) -> str:
    """`YYYY/MM/DD` of a moment in Europe/Paris: the shape of `date_path`."""
    return moment.astimezone(PARIS).strftime("%Y/%m/%d")


def date_path(url: str, published_at: datetime | None) -> str | None:
    """The publication day: from the URL when it holds /YYYY/MM/DD/, else Paris time."""
    from_url = date_path_from_url(url)
    if from_url:
        return from_url
    return paris_day(published_at) if published_at is not None else None


def _paris_to_utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def parse_datetime(value: Any) -> datetime | None:
    """A timezone-aware UTC datetime from ISO 8601 or a French date, else None.

    Times without an offset are Paris time (summer and winter rules from tzdata).
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=PARIS)
        return moment.astimezone(UTC)
    text = clean_text(str(value))
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return _parse_french(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return moment.astimezone(UTC)


def _parse_french(text: str) -> datetime | None:
    try:
        match = _FRENCH_NUMERIC.search(text)
        if match:
            day, month, year, hour, minute = match.groups()
            return _paris_to_utc(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
        match = _FRENCH_WORDS.search(text)
        if match:
            day, month_name, year, hour, minute = match.groups()
            month = FRENCH_MONTHS.get(month_name.lower())
            if month:
                return _paris_to_utc(int(year), month, int(day), int(hour or 0), int(minute or 0))
    except ValueError:
        return None
    return None


def content_hash(title: str, lead: str | None, text: str) -> str:
    """Changes exactly when what a reader sees of the article changes."""
    payload = "\x1f".join((title, lead or "", text)).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


def word_count(text: str) -> int:
    return len(text.split())


def _clean_list(values: list[str] | None) -> list[str]:
    seen: dict[str, None] = {}
    for value in values or []:
        cleaned = clean_text(value)
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


def _clean_paragraphs(values: list[str] | None) -> list[str]:
    return [p for p in (clean_text(v) for v in values or []) if p]


def normalize_article(raw: dict[str, Any], host_aliases: dict[str, str] | None = None) -> dict[str, Any]:
    """The schema's document fields (all but the store's bookkeeping) from a raw article.

    `raw["url"]` is the fetched URL; `raw["canonical_url"]` the page's canonical
    link, honoured when it points to the same site.
    """
    fetched = canonical_url(raw["url"], host_aliases=host_aliases)
    declared = raw.get("canonical_url")
    url = fetched
    if declared:
        declared = canonical_url(declared, base=raw["url"], host_aliases=host_aliases)
        if same_site(declared, fetched, host_aliases):
            url = declared
    published_at = parse_datetime(raw.get("published_at"))
    modified_at = parse_datetime(raw.get("modified_at"))
    if modified_at == published_at:
        modified_at = None
    title = clean_text(raw.get("title"))
    lead = clean_text(raw.get("lead")) or None
    paragraphs = _clean_paragraphs(raw.get("paragraphs"))
    text = "\n\n".join(paragraphs)
    live_posts = raw.get("live_posts")
    if live_posts is not None:
        live_posts = sorted(
            (
                {
                    "published_at": parse_datetime(post.get("published_at")),
                    "title": clean_text(post.get("title")) or None,
                    "text": clean_text(post.get("text")),
                }
                for post in live_posts
            ),
            key=lambda post: post["published_at"] or datetime.min.replace(tzinfo=UTC),
            reverse=True,
        )
    video = raw.get("video")
    if video:
        video = {"url": canonical_url(video["url"], base=url), "duration_s": video.get("duration_s")}
    images = []
    seen_images: set[str] = set()
    for image in raw.get("images") or []:
        image_url = urljoin(url, image["url"].strip())
        if image_url in seen_images:
            continue
        seen_images.add(image_url)
        images.append(
            {
                "url": image_url,
                "caption": clean_text(image.get("caption")) or None,
                "credit": clean_text(image.get("credit")) or None,
                "date_path": date_path_from_url(image_url),
            }
        )
    related = []
    seen_related: set[str] = set()
    for link in raw.get("related") or []:
        link_url = canonical_url(link["url"], base=url, host_aliases=host_aliases)
        link_title = clean_text(link.get("title"))
        if link_title and link_url not in seen_related:
            seen_related.add(link_url)
            related.append({"title": link_title, "url": link_url})
    return {
        "url": url,
        "date_path": date_path(url, published_at),
        "source": raw["source"],
        "kind": raw.get("kind") or "article",
        "title": title,
        "lead": lead,
        "paragraphs": paragraphs,
        "text": text,
        "authors": _clean_list(raw.get("authors")),
        "published_at": published_at,
        "modified_at": modified_at,
        "section": raw.get("section") or None,
        "breadcrumb": _clean_list(raw.get("breadcrumb")),
        "tags": _clean_list(raw.get("tags")),
        "images": images,
        "related": related,
        "live_posts": live_posts,
        "video": video,
        "free_access": raw.get("free_access"),
        "language": raw.get("language") or "fr",
        "word_count": word_count(text),
        "content_hash": content_hash(title, lead, text),
    }
