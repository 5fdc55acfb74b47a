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
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
# What no store or journal can hold: lone surrogates (from JSON escapes such as
# "\ud800") cannot be encoded as UTF-8, and control characters (NUL above all)
# are refused by PostgreSQL under FerretDB. Tabs and newlines are spaces, kept.
_UNENCODABLE = re.compile("[\x00-\x08\x0e-\x1b\x7f\ud800-\udfff]")

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


def strip_unencodable(value: str) -> str:
    """`value` without lone surrogates and control characters (see `_UNENCODABLE`)."""
    return _UNENCODABLE.sub("", value) if _UNENCODABLE.search(value) else value


def is_encodable(value: str) -> bool:
    """Whether every store and journal can hold `value` (see `_UNENCODABLE`)."""
    return not _UNENCODABLE.search(value)


def clean_text(value: Any) -> str:
    """NFC, odd spaces to plain spaces, invisible and unencodable characters removed,
    runs collapsed. Anything but a string (a number or list where JSON-LD should
    have text) is no text.

    Typographic quotes and apostrophes are kept as published.
    """
    if not value or not isinstance(value, str):
        return ""
    value = strip_unencodable(value)
    if not value.isascii():
        if not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
        if _INVISIBLE.search(value):
            value = _INVISIBLE.sub("", value)
    return " ".join(value.split())  # any run of whitespace, odd spaces (U+00A0, U+202F…) too


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
    """`YYYY/MM/DD` of a moment in Europe/Paris: the shape of `date_path` (four-digit
    year even before 1000, where `strftime` would write "1/01/01")."""
    day = moment.astimezone(PARIS)
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"


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
    Anything but a string or datetime is no date, and so is a moment at the edge
    of the calendar (early on 1 January 1, late on 31 December 9999) with no UTC or
    Paris spelling: `date_path` and every later step need both.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        text = clean_text(value)
        if not text:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return _parse_french(text)
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    try:
        moment.astimezone(PARIS)
        return moment.astimezone(UTC)
    except OverflowError:
        return None


def _parse_french(text: str) -> datetime | None:
    try:  # day 31/02 or year 0 are ValueErrors; 31/12/9999 23h in UTC is an OverflowError
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
    except (ValueError, OverflowError):
        return None
    return None


def content_hash(title: str, lead: str | None, text: str) -> str:
    """Changes exactly when what a reader sees of the article changes."""
    payload = "\x1f".join((title, lead or "", text)).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


def word_count(text: str) -> int:
    return len(text.split())


def _as_list(value: Any) -> list[Any]:
    """A page object's list field; a string or number there is no list."""
    return list(value) if isinstance(value, (list, tuple)) else []


def _clean_list(values: list[str] | None) -> list[str]:
    seen: dict[str, None] = {}
    for value in _as_list(values):
        cleaned = clean_text(value)
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


def _clean_paragraphs(values: list[str] | None) -> list[str]:
    return [p for p in (clean_text(v) for v in _as_list(values)) if p]


def _link(url: Any, base: str | None = None, host_aliases: dict[str, str] | None = None) -> str | None:
    """The canonical spelling of a link a page gave, or None when it is no URL at all
    (not text, or a host such as "[::1" or a port such as 99999 that `urlsplit` refuses)."""
    url = strip_unencodable(url).strip() if isinstance(url, str) else ""
    if not url:
        return None
    try:
        return canonical_url(url, base=base, host_aliases=host_aliases)
    except ValueError:
        return None


def _image_url(url: Any, base: str) -> str | None:
    url = strip_unencodable(url).strip() if isinstance(url, str) else ""
    try:
        return urljoin(base, url) if url else None
    except ValueError:
        return None


def normalize_article(raw: dict[str, Any], host_aliases: dict[str, str] | None = None) -> dict[str, Any]:
    """The schema's document fields (all but the store's bookkeeping) from a raw article.

    `raw["url"]` is the fetched URL; `raw["canonical_url"]` the page's canonical
    link, honoured when it points to the same site.
    """
    fetched = canonical_url(raw["url"], host_aliases=host_aliases)
    declared = _link(raw.get("canonical_url"), base=raw["url"], host_aliases=host_aliases)
    url = fetched
    if declared and same_site(declared, fetched, host_aliases):
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
    if isinstance(live_posts, list):
        live_posts = sorted(
            (
                {
                    "published_at": parse_datetime(post.get("published_at")),
                    "title": clean_text(post.get("title")) or None,
                    "text": clean_text(post.get("text")),
                }
                for post in live_posts
                if isinstance(post, dict)
            ),
            key=lambda post: post["published_at"] or datetime.min.replace(tzinfo=UTC),
            reverse=True,
        )
    else:
        live_posts = None
    video = raw.get("video")
    video_url = _link(video.get("url"), base=url) if isinstance(video, dict) else None
    video = {"url": video_url, "duration_s": video.get("duration_s")} if video_url else None
    images = []
    seen_images: set[str] = set()
    for image in _as_list(raw.get("images")):
        image_url = _image_url(image.get("url"), url) if isinstance(image, dict) else None
        if not image_url or image_url in seen_images:
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
    for link in _as_list(raw.get("related")):
        if not isinstance(link, dict):
            continue
        link_url = _link(link.get("url"), base=url, host_aliases=host_aliases)
        link_title = clean_text(link.get("title"))
        if link_url and link_title and link_url not in seen_related:
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
        "section": clean_text(raw.get("section")) or None,
        "breadcrumb": _clean_list(raw.get("breadcrumb")),
        "tags": _clean_list(raw.get("tags")),
        "images": images,
        "related": related,
        "live_posts": live_posts,
        "video": video,
        "free_access": raw.get("free_access"),
        "language": clean_text(raw.get("language")) or "fr",
        "word_count": word_count(text),
        "content_hash": content_hash(title, lead, text),
    }
