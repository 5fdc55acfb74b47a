"""URL routing: from a request to a `Response`, without any socket code.

The HTTP server (`server.py`) only moves bytes; everything a URL means — pages,
feeds, quirks, conditional requests, the `/_replica/` admin API, request
statistics — is decided here, so it can be read (and tested) in one place.
"""

from __future__ import annotations

import json
import re
import threading
import traceback
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

from replica import templates, words
from replica.dates import http_date, iso
from replica.model import FEED_SIZE, HOME_SIZE, Article, ReplicaSite

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
JSON_TYPE = "application/json"
FAKE_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffda0008010100003f00d2cf20ffd9"
)

_ARTICLE = re.compile(r"^/(?P<dir>[a-z0-9-]+(?:/[a-z0-9-]+)*)/(?P<slug>[a-z0-9-]+)_(?P<id>\d+)\.(?P<ext>html|amp)/?$")
_LISTING = re.compile(r"^/(?P<section>[a-z0-9-]+)/(?:(?P<sub>[a-z0-9-]+)/)?(?:(?P<page>\d+)\.html)?$")
_DAY_SITEMAP = re.compile(r"^/sitemaps/articles-(?P<day>\d{4}-\d{2}-\d{2})\.xml$")
_REDIRECTION = re.compile(r"^/redirection/(?P<id>\d+)$")
_CLIENT_DATA = re.compile(r"^/_(?P<what>live|body)/(?P<id>\d+)\.json$")
_OTHER_PREFIXES = {
    "/tag/": "Sujet",
    "/redaction/": "La rédaction",
    "/replay-jt/": "Replay JT",
    "/replay-radio/": "Replay radio",
    "/replay-magazine/": "Magazines",
    "/vrai-ou-faux/": "Vrai ou faux",
    "/esi-block/": "Bloc",
    "/connexion/": "Connexion",
    "/podcasts/": "Podcasts",
    "/les-newsletters/": "Newsletters",
}


@dataclass
class Response:
    """What to send back; `delay` and `truncate_at` let the server play quirks."""

    status: int
    body: bytes = b""
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = "other"
    delay: float = 0.0
    truncate_at: int | None = None


class Stats:
    """Request counts (admin requests excluded), so tests can see what a crawl fetched."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.total = 0
            self.by_path: Counter[str] = Counter()
            self.by_kind: Counter[str] = Counter()
            self.by_status: Counter[str] = Counter()

    def record(self, path: str, kind: str, status: int) -> None:
        with self._lock:
            self.total += 1
            self.by_path[path] += 1
            self.by_kind[kind] += 1
            self.by_status[str(status)] += 1

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "total": self.total,
                "by_kind": dict(self.by_kind),
                "by_status": dict(self.by_status),
                "by_path": dict(self.by_path),
            }


def _not_found(kind: str = "not_found") -> Response:
    return Response(404, templates.simple_page("Page introuvable", "Cette page n’existe pas ou plus."), kind=kind)


def _redirect(location: str, kind: str = "redirect") -> Response:
    return Response(301, b"", headers={"Location": location}, kind=kind)


def _json(data: object, status: int = 200) -> Response:
    return Response(status, json.dumps(data, ensure_ascii=False).encode(), JSON_TYPE, kind="admin")


class Router:
    """Maps requests to responses for one site; caches rendered pages."""

    def __init__(self, site: ReplicaSite) -> None:
        self.site = site
        self.stats = Stats()
        self._article_bytes = lru_cache(maxsize=128)(self._render_article)
        self._other_bytes = lru_cache(maxsize=256)(self._render_other)

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes, base: str) -> Response:
        """Route one request; never raises (a bug becomes a 500 and a traceback on stderr)."""
        parts = urlsplit(target)
        try:
            response = self._route(method, parts.path, parts.query, headers, body, base)
        except Exception:
            traceback.print_exc()
            response = Response(500, b"internal error", "text/plain", kind="bug")
        if response.kind != "admin":
            self.stats.record(parts.path, response.kind, response.status)
        return response

    def _route(
        self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes, base: str
    ) -> Response:
        if path.startswith("/_replica/"):
            return self._admin(method, path, query, body, base)
        if method not in ("GET", "HEAD"):
            return Response(405, b"", headers={"Allow": "GET, HEAD"}, kind="other")
        match = _ARTICLE.match(path)
        if match and not path.startswith(tuple(_OTHER_PREFIXES)):
            return self._article(match, headers, base)
        if path.startswith(("/pictures/", "/assets/")):
            if path.endswith(".css"):
                return Response(200, b"body{margin:0}", "text/css", kind="asset")
            if path.endswith(".js"):
                return Response(200, b"void 0;", "application/javascript", kind="asset")
            return Response(200, TINY_JPEG, "image/jpeg", kind="asset")
        match = _REDIRECTION.match(path)
        if match:
            return self._redirection(int(match["id"]), base)
        match = _CLIENT_DATA.match(path)
        if match:
            return self._client_data(match["what"], int(match["id"]))
        for prefix, label in _OTHER_PREFIXES.items():
            if path.startswith(prefix):
                return Response(200, templates.simple_page(label, "Page hors du périmètre des articles."), kind="other")
        cached = self._other_bytes(path, base, self.site.version)
        if cached is None:
            return _not_found()
        kind, content_type, payload = cached
        return Response(200, payload, content_type, kind=kind)

    # -- articles -----------------------------------------------------------------

    def _render_article(self, article: Article, base: str, amp: bool, drifted: str | None) -> bytes:
        """Cached per article revision and drift: the switch changes the bytes."""
        if amp:
            return templates.amp_page(self.site, article, base)
        return templates.article_page(self.site, article, base)

    def _article(self, match: re.Match, headers: Mapping[str, str], base: str) -> Response:
        article = self.site.article(int(match["id"]))
        if article is None or f"/{match['dir']}/{match['slug']}_{match['id']}.html" != article.path:
            return _not_found()
        quirk = article.quirk
        if quirk == "http_404":
            return _not_found("quirk")
        if quirk == "http_410":
            return Response(410, templates.simple_page("Contenu supprimé", "Cet article a été retiré."), kind="quirk")
        if quirk in ("redirect_loop", "redirect_chain"):
            return _redirect(f"{base}/redirection/{article.id}")
        if quirk == "not_html":
            return Response(200, FAKE_PDF, "application/pdf", kind="quirk")
        if quirk == "server_error_then_ok" and self.site.take_failure(article.id):
            status = self.site.error_status(article.id)
            return Response(
                status, b"Service temporairement indisponible", "text/plain", {"Retry-After": "1"}, kind="quirk"
            )
        amp = match["ext"] == "amp"
        drifted = None if amp else self.site.drifted(article)
        etag = f'"a{article.id}-r{article.revision}{"-amp" if amp else ""}{f"-{drifted}" if drifted else ""}"'
        validators = {"ETag": etag, "Last-Modified": http_date(article.modified), "Cache-Control": "max-age=60"}
        delay = self.site.slow_seconds if quirk == "slow" else self.site.page_delay_seconds
        if _not_modified(headers, etag, article.modified):
            return Response(304, b"", headers=validators, kind="not_modified", delay=delay)
        payload = self._article_bytes(article, base, amp, drifted)
        content_type = "text/html; charset=iso-8859-1" if quirk == "wrong_encoding" else HTML
        response = Response(200, payload, content_type, validators, kind="amp" if amp else "article", delay=delay)
        if quirk == "truncated":
            response.kind = "quirk"
            response.truncate_at = payload.index(b'<div class="c-body">') + 200
        return response

    def _client_data(self, what: str, article_id: int) -> Response:
        """The XHR a client-rendered page makes after load; `render_hang` never answers in time."""
        article = self.site.article(article_id)
        if article is None:
            return _not_found()
        if what == "live" and article.kind == "live":
            return Response(200, templates.live_posts_json(self.site, article), "application/json", kind="xhr")
        if what == "body" and self.site.is_client_rendered(article):
            delay = self.site.hang_seconds if article.quirk == "render_hang" else 0.0
            return Response(200, templates.body_json(self.site, article), "application/json", kind="xhr", delay=delay)
        return _not_found()

    def _redirection(self, article_id: int, base: str) -> Response:
        article = self.site.article(article_id)
        if article is None or article.quirk not in ("redirect_loop", "redirect_chain"):
            return _not_found()
        if article.quirk == "redirect_loop":
            return _redirect(f"{base}{article.path}")
        target = self.site.redirect_target(article_id)
        assert target is not None
        return _redirect(f"{base}{target.path}")

    # -- listings, feeds and sitemaps (cached until the clock moves) ---------------------

    def _render_other(self, path: str, base: str, version: int) -> tuple[str, str, bytes] | None:
        site = self.site
        if path == "/robots.txt":
            return "robots", "text/plain; charset=utf-8", templates.robots_txt(base)
        if path == "/sitemap_index.xml":
            news = site.news()
            days = [(day, max(a.modified for a in items)) for day, items in reversed(site.days().items())]
            news_lastmod = max((a.modified for a in news), default=None)
            return "sitemap", XML, templates.sitemap_index(base, news_lastmod, days)
        if path == "/sitemap_news.xml":
            return "sitemap", XML, templates.news_sitemap(base, site.news())
        match = _DAY_SITEMAP.match(path)
        if match:
            items = site.day(match["day"])
            return None if items is None else ("sitemap", XML, templates.archive_sitemap(base, items))
        if path.endswith(".rss"):
            feed = path[1:-4]
            if feed == "titres":
                return "rss", RSS, templates.rss(site, base, feed, "Titres", site.latest(FEED_SIZE), site.now)
            if feed in words.SECTIONS:
                label = words.SECTIONS[feed][0]
                return "rss", RSS, templates.rss(site, base, feed, label, site.latest(FEED_SIZE, feed), site.now)
            return None
        if path == "/":
            page = templates.listing_page(
                site, base, heading="Actualités en temps réel", root="/", articles=site.latest(HOME_SIZE)
            )
            return "section", HTML, page
        if path == "/en-direct/":
            page = templates.listing_page(
                site, base, heading="Les directs", root="/en-direct/", articles=site.live_pages()
            )
            return "section", HTML, page
        match = _LISTING.match(path)
        if not match or match["section"] not in words.SECTIONS:
            return None
        section, sub = match["section"], match["sub"]
        if sub is not None and sub not in words.SECTIONS[section][1]:
            return None
        number = int(match["page"] or 1)
        if match["page"] is not None and number < 2:
            return None
        articles, pages = site.page_of(section, sub, number)
        if number > pages:
            return None
        label, subsections = words.SECTIONS[section]
        heading = subsections[sub] if sub else label
        root = f"/{section}/{sub}/" if sub else f"/{section}/"
        page = templates.listing_page(
            site, base, heading=heading, root=root, articles=articles, page=number, pages=pages, section=section
        )
        return "section", HTML, page

    # -- admin ----------------------------------------------------------------------

    def _admin(self, method: str, path: str, query: str, body: bytes, base: str) -> Response:
        site = self.site
        gets = {
            "/_replica/": lambda: {
                "now": iso(site.now),
                "endpoints": [
                    "GET /_replica/articles.json[?full=1]",
                    "GET /_replica/quirks.json",
                    "GET /_replica/stats.json",
                    "POST /_replica/stats/reset",
                    "POST /_replica/quirks/reset",
                    'POST /_replica/advance {"publish": 20, "edit": 50, "minutes": 10}',
                    'POST /_replica/drift {"field": "lead", "share": 0.5} (field null: no drift)',
                ],
            },
            "/_replica/articles.json": lambda: site.truth(base, full=parse_qs(query).get("full") == ["1"]),
            "/_replica/quirks.json": lambda: site.quirks(base),
            "/_replica/stats.json": self.stats.snapshot,
        }
        if path in gets:
            return _json(gets[path]()) if method in ("GET", "HEAD") else _json({"error": "use GET"}, 405)
        if method != "POST":
            return _json({"error": "not found"}, 404)
        if path == "/_replica/stats/reset":
            self.stats.reset()
            return _json({"ok": True})
        if path == "/_replica/quirks/reset":
            site.reset_quirks()
            return _json({"ok": True})
        if path == "/_replica/drift":
            try:
                options = json.loads(body or b"{}")
                site.set_drift(options.get("field"), float(options.get("share", 1.0)))
            except (ValueError, TypeError, AttributeError) as error:
                return _json({"error": str(error)}, 400)
            return _json({"ok": True})
        if path == "/_replica/advance":
            try:
                options = json.loads(body or b"{}")
                done = site.advance(
                    publish=int(options.get("publish", 0)),
                    edit=int(options.get("edit", 0)),
                    minutes=float(options.get("minutes", 10)),
                )
            except (ValueError, TypeError, AttributeError) as error:
                return _json({"error": str(error)}, 400)
            urls = {i: f"{base}{article.path}" for i in done.published + done.edited if (article := site.article(i))}
            return _json(
                {
                    "now": iso(done.now),
                    "published": [urls[i] for i in done.published],
                    "edited": [urls[i] for i in done.edited],
                }
            )
        return _json({"error": "not found"}, 404)


def _not_modified(headers: Mapping[str, str], etag: str, modified: int) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag in tags
    if_modified_since = headers.get("If-Modified-Since")
    if if_modified_since:
        try:
            return modified <= int(parsedate_to_datetime(if_modified_since).timestamp())
        except (TypeError, ValueError):
            return False
    return False
