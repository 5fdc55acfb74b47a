"""The replica's site model: articles, quirk URLs, the clock and the truth.

A `ReplicaSite` is generated from a seed: articles spread over the days before
the clock, ids growing with time as on franceinfo, a fixed set of quirk URLs
(broken or odd pages a crawler must handle) hosted on older days. `advance()`
moves the clock, publishes and edits, always the same way for the same seed and
the same calls. Pages are rendered later, per request, from this model.
"""

from __future__ import annotations

import bisect
import ipaddress
import math
import random
import threading
from dataclasses import dataclass, field, replace
from functools import lru_cache
from urllib.parse import urlsplit

from replica import content as text
from replica import words
from replica.dates import day_key, iso, parse_iso

DEFAULT_NOW = "2026-11-20T10:00:00Z"
FIRST_ID = 7_600_000
PAGE_SIZE = 20
FEED_SIZE = 30
HOME_SIZE = 30
LIVE_HUB_SIZE = 40
NEWS_WINDOW_S = 48 * 3600

#: Quirk records, in the order their hosts are picked. `stored` means a correct
#: crawler ends up with the article (it is in the truth); the others are not articles.
QUIRK_CASES: tuple[tuple[str, bool], ...] = (
    ("server_error_then_ok", True),
    ("server_error_then_ok", True),
    ("slow", True),
    ("wrong_encoding", True),
    ("huge", True),
    ("truncated", False),
    ("not_html", False),
    ("future_date", False),
    ("no_title", False),
    ("http_404", False),
    ("http_410", False),
    ("redirect_loop", False),
    ("redirect_chain", False),
    ("render_hang", False),
)
STORED_QUIRKS = frozenset(case for case, stored in QUIRK_CASES if stored)
#: Fields `ReplicaSite.set_drift` can redesign: the standfirst and the byline.
DRIFT_FIELDS = frozenset({"lead", "authors"})
_VARIANT_BY_RANK = {3: "tracking_query", 8: "trailing_slash", 13: "amp_variant", 18: "uppercase_host"}


@dataclass(frozen=True, slots=True)
class Article:
    """One URL of the site with an article-looking path. Immutable: an edit
    replaces the object, so a page being rendered never sees half an edit."""

    id: int
    section: str
    subsection: str
    slug: str
    kind: str
    title: str
    published: int
    edits: tuple[int, ...] = ()
    quirk: str | None = None

    @property
    def path(self) -> str:
        return f"/{self.section}/{self.subsection}/{self.slug}_{self.id}.html"

    @property
    def amp_path(self) -> str:
        return self.path[: -len(".html")] + ".amp"

    @property
    def modified(self) -> int:
        return self.edits[-1] if self.edits else self.published

    @property
    def revision(self) -> int:
        return 1 + len(self.edits)


@dataclass
class Advance:
    """What one `advance()` did, ids in publication order."""

    now: int
    published: list[int] = field(default_factory=list)
    edited: list[int] = field(default_factory=list)


def is_name_host(base_url: str) -> bool:
    """True for 'localhost'-like hosts, where an uppercased host is a distinct-looking URL."""
    host = urlsplit(base_url).hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(host)
    return False


def uppercase_host(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc.upper()}"


class ReplicaSite:
    """A deterministic franceinfo: articles, listings, quirks and a movable clock."""

    def __init__(
        self,
        articles: int = 2000,
        seed: int = 1,
        now: str = DEFAULT_NOW,
        per_day: int = 40,
        slow_seconds: float = 30.0,
        failures: int = 2,
        client_rendered_every: int = 25,
        hang_seconds: float = 60.0,
        page_delay_seconds: float = 0.0,
    ) -> None:
        if articles < 10:
            raise ValueError("a replica needs at least 10 articles")
        self.seed = seed
        self.per_day = per_day
        self.slow_seconds = slow_seconds
        self.failures = failures
        self.client_rendered_every = client_rendered_every
        self.hang_seconds = hang_seconds
        self.page_delay_seconds = page_delay_seconds
        self.now = parse_iso(now)
        self._lock = threading.RLock()
        self._articles: dict[int, Article] = {}
        self._order: list[int] = []
        self._by_section: dict[str, list[int]] = {section: [] for section in words.SECTIONS}
        self._by_subsection: dict[tuple[str, str], list[int]] = {
            (section, sub): [] for section, (_, subs) in words.SECTIONS.items() for sub in subs
        }
        self._live: list[int] = []
        self._by_day: dict[str, list[int]] = {}
        self._quirk_ids: list[int] = []
        self._variants: dict[int, str | None] = {}
        self._redirect_target: dict[int, int] = {}
        self._error_status: dict[int, int] = {}
        self._failures_left: dict[int, int] = {}
        self._advances = 0
        self.edited_id = 0
        self.content = lru_cache(maxsize=None)(self._content)
        self._drift: tuple[str, float] | None = None
        self._generate(articles)

    # -- generation -----------------------------------------------------------

    def _generate(self, count: int) -> None:
        rng = random.Random(self.seed)
        span = max(1, math.ceil(count / self.per_day)) * 86400
        start = self.now - span
        offsets = sorted(rng.randrange(0, span - 120) for _ in range(count))
        next_id = FIRST_ID
        sections = list(words.SECTION_WEIGHTS)
        weights = list(words.SECTION_WEIGHTS.values())
        for offset in offsets:
            next_id += rng.randint(5, 30)
            article = self._new_article(rng, next_id, start + offset, sections, weights)
            article = replace(article, edits=self._initial_edits(rng, article))
            self._add(article)
        self._pick_edited_article()
        self._add_quirks()

    def _new_article(
        self, rng: random.Random, article_id: int, published: int, sections: list[str], weights: list[int]
    ) -> Article:
        section = rng.choices(sections, weights)[0]
        subsection = rng.choice(list(words.SECTIONS[section][1]))
        draw = rng.random()
        kind = "live" if draw < 0.03 else "video" if draw < 0.06 else "article"
        title, slug = text.make_title(rng, section, kind)
        return Article(article_id, section, subsection, slug, kind, title, published)

    def _initial_edits(self, rng: random.Random, article: Article) -> tuple[int, ...]:
        draw = rng.random()
        if article.kind == "live":
            count, reach = rng.randint(4, 12), 14 * 3600
        elif article.kind == "video":
            count, reach = (1 if draw < 0.1 else 0), 3 * 3600
        else:
            count, reach = (1 if draw < 0.30 else 2 if draw < 0.36 else 0), 8 * 3600
        times = sorted(article.published + rng.randint(300, reach) for _ in range(count))
        return tuple(dict.fromkeys(ts for ts in times if ts < self.now - 60))

    def _add(self, article: Article, listed: bool = True) -> None:
        self._articles[article.id] = article
        self._by_day.setdefault(day_key(article.published), []).append(article.id)
        if not listed:
            self._quirk_ids.append(article.id)
            return
        self._variants[article.id] = _VARIANT_BY_RANK.get(len(self._order) % 25)
        self._order.append(article.id)
        self._by_section[article.section].append(article.id)
        self._by_subsection[(article.section, article.subsection)].append(article.id)
        if article.kind == "live":
            self._live.append(article.id)

    def _older_than_news(self) -> list[Article]:
        """Listed articles outside the news sitemap window, or all if there are too few."""
        old = [self._articles[i] for i in self._order if self._articles[i].published <= self.now - NEWS_WINDOW_S]
        return old if len(old) >= len(QUIRK_CASES) + 1 else [self._articles[i] for i in self._order]

    def _pick_edited_article(self) -> None:
        """The `edited` quirk: a plain article that every `advance()` edits again."""
        pool = [a for a in self._older_than_news() if a.kind == "article"] or self._older_than_news()
        self.edited_id = pool[len(pool) // 3].id

    def _add_quirks(self) -> None:
        rng = random.Random(f"{self.seed}:quirks")
        hosts = [a for a in self._older_than_news() if a.id != self.edited_id]
        used: dict[int, int] = {}
        for index, (case, _) in enumerate(QUIRK_CASES):
            host = hosts[(2 * index + 1) * len(hosts) // (2 * len(QUIRK_CASES))]
            used[host.id] = used.get(host.id, 0) + 1
            quirk_id = host.id + used[host.id]
            title, slug = text.make_title(rng, host.section, "article")
            if case == "wrong_encoding":
                while title.isascii():
                    title, slug = text.make_title(rng, host.section, "article")
            article = Article(
                quirk_id, host.section, host.subsection, slug, "article", title, host.published + 60, (), case
            )
            self._add(article, listed=False)
            if case == "redirect_chain":
                self._redirect_target[quirk_id] = host.id
            if case == "server_error_then_ok":
                self._error_status[quirk_id] = 503 if 503 not in self._error_status.values() else 500
        self.reset_quirks()

    def is_client_rendered(self, article: Article) -> bool:
        """Articles whose body a script injects after load (every Nth plain article,
        and the `render_hang` quirk, whose body never arrives). Live pages always
        load their posts by XHR."""
        if article.quirk == "render_hang":
            return True
        every = self.client_rendered_every
        return article.kind == "article" and article.quirk is None and every > 0 and article.id % every == 0

    # -- a redesign -------------------------------------------------------------

    def set_drift(self, field: str | None, share: float = 1.0) -> None:
        """Change the markup of one field (`DRIFT_FIELDS`) on `share` of the plain
        articles, as a redesign would; `None` puts the old markup back. The pages
        drifted are the same for the same share, whatever the order of requests."""
        if field is not None and field not in DRIFT_FIELDS:
            raise ValueError(f"drift field must be one of {sorted(DRIFT_FIELDS)}, not {field!r}")
        if not 0.0 <= share <= 1.0:
            raise ValueError("drift share must be between 0 and 1")
        with self._lock:
            self._drift = None if field is None else (field, share)

    def drifted(self, article: Article) -> str | None:
        """The field whose markup changed on this page, if any."""
        drift = self._drift
        if drift is None or article.kind != "article" or article.quirk is not None:
            return None
        field, share = drift
        return field if (article.id * 2654435761) % 2**32 < share * 2**32 else None

    # -- the clock --------------------------------------------------------------

    def advance(self, publish: int = 0, edit: int = 0, minutes: float = 10, edit_ids: tuple[int, ...] = ()) -> Advance:
        """Move the clock by `minutes`, publish `publish` articles and edit `edit`
        random ones plus the `edited` quirk article (and `edit_ids`, for tests that need
        a given article edited: a live page then gains posts). Same seed and calls, same site."""
        if minutes <= 0:
            raise ValueError("minutes must be positive")
        with self._lock:
            rng = random.Random(f"{self.seed}:advance:{self._advances}")
            self._advances += 1
            before, after = self.now, self.now + max(1, int(minutes * 60))
            result = Advance(now=after)
            candidates = [i for i in self._order if i != self.edited_id]
            chosen = {*rng.sample(candidates, min(edit, len(candidates))), self.edited_id, *edit_ids}
            for article_id in sorted(chosen):
                article = self._articles[article_id]
                edited = replace(article, edits=(*article.edits, rng.randint(before + 1, after)))
                self._articles[article_id] = edited
                result.edited.append(article_id)
            sections = list(words.SECTION_WEIGHTS)
            weights = list(words.SECTION_WEIGHTS.values())
            next_id = max(self._articles)
            for published in sorted(rng.randint(before + 1, after) for _ in range(publish)):
                next_id += rng.randint(5, 30)
                self._add(self._new_article(rng, next_id, published, sections, weights))
                result.published.append(next_id)
            self.now = after
            return result

    # -- lookups -------------------------------------------------------------------

    @property
    def version(self) -> int:
        """Changes whenever the clock moves: listings and feeds cached under it go stale."""
        return self._advances

    def article(self, article_id: int) -> Article | None:
        return self._articles.get(article_id)

    def articles(self) -> list[Article]:
        """Listed articles (not the quirk records), oldest first."""
        with self._lock:
            return [self._articles[i] for i in self._order]

    def quirk_articles(self) -> list[Article]:
        with self._lock:
            return [self._articles[i] for i in self._quirk_ids]

    def _content(self, article: Article) -> text.Content:
        """Behind `self.content(article)`, cached per (article, revision): RSS, pages and truth share it.

        The cache keeps every article (a few KB each): a bounded LRU smaller than the
        site missed on every page of a crawl that walks the whole site in order."""
        label = words.SECTIONS[article.section][1][article.subsection]
        return text.make_content(
            self.seed, article.id, article.section, label, article.kind, article.published, article.edits
        )

    def page_of(self, section: str | None, subsection: str | None, page: int) -> tuple[list[Article], int]:
        """One page of a listing and the number of pages (at least 1)."""
        with self._lock:
            if section is None:
                ids = self._order
            elif subsection is None:
                ids = self._by_section.get(section, [])
            else:
                ids = self._by_subsection.get((section, subsection), [])
            pages = max(1, math.ceil(len(ids) / PAGE_SIZE))
            end = len(ids) - (page - 1) * PAGE_SIZE
            chosen = ids[max(0, end - PAGE_SIZE) : max(0, end)]
            return [self._articles[i] for i in reversed(chosen)], pages

    def latest(self, count: int, section: str | None = None) -> list[Article]:
        with self._lock:
            ids = self._order if section is None else self._by_section.get(section, [])
            return [self._articles[i] for i in reversed(ids[-count:])]

    def live_pages(self, count: int = LIVE_HUB_SIZE) -> list[Article]:
        with self._lock:
            return [self._articles[i] for i in reversed(self._live[-count:])]

    def news(self) -> list[Article]:
        """Listed articles published in the 48 hours before the clock, newest first."""
        with self._lock:
            cutoff = self.now - NEWS_WINDOW_S
            recent = []
            for article_id in reversed(self._order):
                article = self._articles[article_id]
                if article.published <= cutoff:
                    break
                recent.append(article)
            return recent

    def days(self) -> dict[str, list[Article]]:
        """Archive sitemap days (Paris calendar) to their articles and quirk records, oldest first."""
        with self._lock:
            return {day: [self._articles[i] for i in ids] for day, ids in sorted(self._by_day.items())}

    def day(self, key: str) -> list[Article] | None:
        with self._lock:
            ids = self._by_day.get(key)
            return None if ids is None else [self._articles[i] for i in ids]

    def previous_in_section(self, article: Article) -> Article | None:
        """The article a 'Lire aussi' block points to: the one before in the same section."""
        ids = self._by_section.get(article.section, [])
        index = bisect.bisect_left(ids, article.id)
        return self._articles.get(ids[index - 1]) if index > 0 else None

    def redirect_target(self, article_id: int) -> Article | None:
        target = self._redirect_target.get(article_id)
        return None if target is None else self._articles[target]

    # -- quirk state ----------------------------------------------------------------

    def error_status(self, article_id: int) -> int:
        return self._error_status.get(article_id, 0)

    def take_failure(self, article_id: int) -> bool:
        """True while a `server_error_then_ok` URL still has failures to serve."""
        with self._lock:
            left = self._failures_left.get(article_id, 0)
            if left <= 0:
                return False
            self._failures_left[article_id] = left - 1
            return True

    def reset_quirks(self) -> None:
        """Re-arm the `server_error_then_ok` URLs."""
        with self._lock:
            self._failures_left = dict.fromkeys(self._error_status, self.failures)

    # -- links and truth -----------------------------------------------------------------

    def link_variant(self, article: Article, base_url: str) -> str | None:
        """Which odd URL listings use for this article: 4 in 25 by publication rank."""
        variant = self._variants.get(article.id)
        if variant == "uppercase_host" and not is_name_host(base_url):
            return None
        return variant

    def link(self, article: Article, base_url: str) -> str:
        """The absolute URL listings and feeds give for the article."""
        variant = self.link_variant(article, base_url)
        if variant == "tracking_query":
            return f"{base_url}{article.path}?utm_source=x&xtor=CS2"
        if variant == "trailing_slash":
            return f"{base_url}{article.path}/"
        if variant == "amp_variant":
            return f"{base_url}{article.amp_path}"
        if variant == "uppercase_host":
            return f"{uppercase_host(base_url)}{article.path}"
        return f"{base_url}{article.path}"

    def _sources(self) -> dict[int, dict]:
        """Where each listed article can be discovered right now."""
        sources: dict[int, dict] = {}
        for article_id in self._order:
            article = self._articles[article_id]
            sources[article_id] = {
                "home": False,
                "news_sitemap": article.published > self.now - NEWS_WINDOW_S,
                "archive_sitemap": f"/sitemaps/articles-{day_key(article.published)}.xml",
                "rss": [],
                "section_pages": [],
                "live_hub": False,
            }
        for article_id in self._order[-HOME_SIZE:]:
            sources[article_id]["home"] = True
        for article_id in self._order[-FEED_SIZE:]:
            sources[article_id]["rss"].append("/titres.rss")
        for article_id in self._live[-LIVE_HUB_SIZE:]:
            sources[article_id]["live_hub"] = True
        for section, ids in self._by_section.items():
            for article_id in ids[-FEED_SIZE:]:
                sources[article_id]["rss"].append(f"/{section}.rss")
            for position, article_id in enumerate(reversed(ids)):
                sources[article_id]["section_pages"].append(
                    section_page_path(f"/{section}/", position // PAGE_SIZE + 1)
                )
        for (section, sub), ids in self._by_subsection.items():
            for position, article_id in enumerate(reversed(ids)):
                sources[article_id]["section_pages"].append(
                    section_page_path(f"/{section}/{sub}/", position // PAGE_SIZE + 1)
                )
        return sources

    def truth(self, base_url: str, full: bool = False) -> dict:
        """Every article a correct crawler should store, with where it is listed."""
        with self._lock:
            sources = self._sources()
            listed = [self._articles[i] for i in self._order]
            stored_quirks = [self._articles[i] for i in self._quirk_ids if self._articles[i].quirk in STORED_QUIRKS]
            now = self.now
        records = []
        for article in listed + stored_quirks:
            record = {
                "url": f"{base_url}{article.path}",
                "id": article.id,
                "section": article.section,
                "subsection": article.subsection,
                "kind": article.kind,
                "title": article.title,
                "published": iso(article.published),
                "modified": iso(article.modified),
                "lastmod": iso(article.modified),
                "revision": article.revision,
                "quirk": article.quirk,
                "client_rendered": article.kind == "live" or self.is_client_rendered(article),
                "drifted": self.drifted(article),
                "sources": sources.get(article.id)
                or {
                    "home": False,
                    "news_sitemap": False,
                    "archive_sitemap": f"/sitemaps/articles-{day_key(article.published)}.xml",
                    "rss": [],
                    "section_pages": [],
                    "live_hub": False,
                },
            }
            if full:
                record.update(self.full_record(article))
            records.append(record)
        return {"now": iso(now), "base_url": base_url, "seed": self.seed, "count": len(records), "articles": records}

    def full_record(self, article: Article) -> dict:
        """The text fields of the page, for extraction checks."""
        content = self.content(article)
        return {
            "standfirst": content.standfirst,
            "body": [value for _, value in content.blocks],
            "authors": list(content.signers),
            "desk": content.desk,
            "tags": list(content.tags),
            "image": content.image.path,
            "live_posts": [
                {"published": iso(post.ts), "title": post.title, "text": post.text} for post in content.live_posts
            ],
            "video": None
            if content.video is None
            else {"uuid": content.video.uuid, "duration_s": content.video.duration_s},
        }

    def quirks(self, base_url: str) -> dict:
        """Every odd URL and the outcome a crawler should record for it."""
        with self._lock:
            sources = self._sources()
            listed = [self._articles[i] for i in self._order]
            records = [self._articles[i] for i in self._quirk_ids]
            now = self.now
        entries = []
        for article in records:
            entry = {
                "url": f"{base_url}{article.path}",
                "case": article.quirk,
                "id": article.id,
                "stored": article.quirk in STORED_QUIRKS,
                "listed_in": [f"/sitemaps/articles-{day_key(article.published)}.xml"],
            }
            if article.quirk == "server_error_then_ok":
                entry.update(status=self._error_status[article.id], failures=self.failures)
            if article.quirk == "slow":
                entry["delay_s"] = self.slow_seconds
            if article.quirk in ("redirect_chain", "redirect_loop"):
                entry["chain"] = [entry["url"], f"{base_url}/redirection/{article.id}"]
            if article.quirk == "redirect_chain":
                target = self._articles[self._redirect_target[article.id]]
                entry["chain"].append(f"{base_url}{target.path}")
                entry["canonical"] = f"{base_url}{target.path}"
            entries.append(entry)
        edited = self._articles[self.edited_id]
        entries.append(
            {
                "url": f"{base_url}{edited.path}",
                "case": "edited",
                "id": edited.id,
                "stored": True,
                "revision": edited.revision,
                "modified": iso(edited.modified),
                "listed_in": _listed_in(sources[edited.id]),
            }
        )
        for article in listed:
            variant = self.link_variant(article, base_url)
            if variant:
                entries.append(
                    {
                        "url": self.link(article, base_url),
                        "case": variant,
                        "id": article.id,
                        "stored": True,
                        "canonical": f"{base_url}{article.path}",
                        "listed_in": [
                            *sources[article.id]["section_pages"],
                            *sources[article.id]["rss"],
                            *(["/"] if sources[article.id]["home"] else []),
                            *(["/en-direct/"] if sources[article.id]["live_hub"] else []),
                        ],
                    }
                )
        return {"now": iso(now), "base_url": base_url, "count": len(entries), "quirks": entries}


def section_page_path(root: str, page: int) -> str:
    """Page 1 of a section is its root; page n is `<root><n>.html`."""
    return root if page == 1 else f"{root}{page}.html"


def _listed_in(source: dict) -> list[str]:
    listed = [*source["section_pages"], *source["rss"], source["archive_sitemap"]]
    if source["news_sitemap"]:
        listed.append("/sitemap_news.xml")
    return listed
