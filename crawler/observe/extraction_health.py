"""Extraction health: is each layout still reading what it used to?

A redesign rarely breaks every field: leads or bylines go empty on some pages while
the run still stores articles and exits 0. So each run counts, per site, layout
class and field, the pages where the field came out filled (`fill_rates`, kept in
its `crawl_runs` document), and compares them with the previous finished runs read
back from MongoDB (`baseline`): a field filled clearly less often than before, a
layout never seen before, or more pages read by the generic fallback is an `Alert`
(the Spidermon monitor in `crawler.observe.monitors` raises it; the run exits 8).

The comparison is pure (`drift`); `ExtractionHealth` is the Scrapy extension that
counts the items, loads the baseline at start and keeps the pages worth a look in
quarantine (`crawler.observe.quarantine`).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pymongo import DESCENDING
from pymongo.database import Database
from pymongo.errors import PyMongoError
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.article import DuplicateInRun
from crawler.observe.quarantine import Quarantine
from crawler.store.mongo import redact_uri, short_error, store_client

logger = logging.getLogger(__name__)

HEALTH_FIELDS = ("title", "lead", "authors", "published_at", "section", "paragraphs", "images", "word_count")
LAYOUT_META = "page_layout"  # response.meta key the spider records the layout class under


def filled(value: Any) -> bool:
    """Empty and absent both count as missing (an empty list, a zero word count)."""
    return value not in (None, "", [], {}, 0)


@dataclass
class LayoutFill:
    """Pages a (site, layout) read, and how many had each field filled."""

    pages: int = 0
    filled: Counter[str] = field(default_factory=Counter)

    def rate(self, name: str) -> float:
        return self.filled[name] / self.pages if self.pages else 0.0


class FillRates:
    """Fill counts per (site, layout); `rows()` is the form `crawl_runs` keeps."""

    def __init__(self) -> None:
        self.layouts: dict[tuple[str, str], LayoutFill] = {}

    def add(self, site: str, layout: str, article: dict[str, Any]) -> list[str]:
        """Count one page; returns the health fields it misses."""
        counts = self.layouts.setdefault((site, layout), LayoutFill())
        counts.pages += 1
        missing = []
        for name in HEALTH_FIELDS:
            if filled(article.get(name)):
                counts.filled[name] += 1
            else:
                missing.append(name)
        return missing

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"site": site, "layout": layout, "pages": fill.pages, "filled": {n: fill.filled[n] for n in HEALTH_FIELDS}}
            for (site, layout), fill in sorted(self.layouts.items())
        ]

    @classmethod
    def from_rows(cls, rows: Any) -> FillRates:
        """Summed over several runs' rows; rows of the wrong shape are skipped."""
        rates = cls()
        for row in rows if isinstance(rows, list) else []:
            if not isinstance(row, dict) or not isinstance(row.get("pages"), int):
                continue
            counts = rates.layouts.setdefault((str(row.get("site")), str(row.get("layout"))), LayoutFill())
            counts.pages += row["pages"]
            for name, value in (row.get("filled") or {}).items():
                if name in HEALTH_FIELDS and isinstance(value, int):
                    counts.filled[name] += value
        return rates

    def site_pages(self, site: str) -> int:
        return sum(fill.pages for (s, _), fill in self.layouts.items() if s == site)


@dataclass(frozen=True)
class Baseline:
    """The previous finished runs' fill counts, summed."""

    runs: int
    rates: FillRates


@dataclass(frozen=True)
class Thresholds:
    min_pages: int = 20
    max_drop: float = 0.3
    fallback_layouts: tuple[str, ...] = ("GenericArticlePage",)

    @classmethod
    def from_settings(cls, settings: Any) -> Thresholds:
        return cls(
            min_pages=settings.getint("HEALTH_MIN_PAGES"),
            max_drop=settings.getfloat("HEALTH_MAX_FILL_DROP"),
            fallback_layouts=tuple(settings.getlist("HEALTH_FALLBACK_LAYOUTS")),
        )


@dataclass(frozen=True)
class Alert:
    site: str
    layout: str
    field: str | None
    kind: str  # fill_rate, new_layout, fallback_share
    rate: float
    baseline: float | None
    pages: int
    message: str

    def document(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "layout": self.layout,
            "field": self.field,
            "kind": self.kind,
            "rate": round(self.rate, 4),
            "baseline": None if self.baseline is None else round(self.baseline, 4),
            "pages": self.pages,
            "message": self.message,
        }


def drift(current: FillRates, baseline: Baseline, thresholds: Thresholds) -> list[Alert]:
    """The alerts of a run against its baseline. Nothing is judged on fewer than
    `min_pages` pages (this run's, and the baseline's), nor without a baseline."""
    if baseline.runs == 0:
        return []
    before = baseline.rates
    runs = f"the previous {baseline.runs} run{'s' if baseline.runs > 1 else ''}"
    alerts: list[Alert] = []
    for (site, layout), now in sorted(current.layouts.items()):
        if now.pages < thresholds.min_pages or layout in thresholds.fallback_layouts:
            continue
        old = before.layouts.get((site, layout))
        if old is None:
            if before.site_pages(site):
                alerts.append(
                    Alert(
                        site, layout, None, "new_layout", 1.0, None, now.pages,
                        f"{site} {layout}: a layout not seen in {runs} read {now.pages} pages",
                    )
                )  # fmt: skip
            continue
        if old.pages < thresholds.min_pages:
            continue
        for name in HEALTH_FIELDS:
            rate, usual = now.rate(name), old.rate(name)
            if usual - rate >= thresholds.max_drop:
                alerts.append(
                    Alert(
                        site, layout, name, "fill_rate", rate, usual, now.pages,
                        f"{site} {layout} {name}: filled on {rate:.0%} of {now.pages} pages, "
                        f"{usual:.0%} over {runs} ({old.pages} pages)",
                    )
                )  # fmt: skip
    for site in sorted({site for site, _ in current.layouts}):
        pages = current.site_pages(site)
        if pages < thresholds.min_pages or before.site_pages(site) < thresholds.min_pages:
            continue
        share = _fallback_pages(current, site, thresholds) / pages
        usual = _fallback_pages(before, site, thresholds) / before.site_pages(site)
        if share - usual >= thresholds.max_drop:
            layouts = "/".join(thresholds.fallback_layouts)
            alerts.append(
                Alert(
                    site, layouts, None, "fallback_share", share, usual, pages,
                    f"{site} {layouts}: the fallback read {share:.0%} of {pages} pages, {usual:.0%} over {runs}",
                )
            )  # fmt: skip
    return alerts


def _fallback_pages(rates: FillRates, site: str, thresholds: Thresholds) -> int:
    return sum(
        f.pages for (s, layout), f in rates.layouts.items() if s == site and layout in thresholds.fallback_layouts
    )


def load_baseline(db: Database, site: str, runs: int, exclude_run: str | None = None) -> Baseline:
    """The last `runs` finished runs of this site (whichever spider ran them) that
    read pages and raised no alert: a drifted run never becomes the normal the next
    runs are held to."""
    found: list[dict[str, Any]] = []
    cursor = (
        db["crawl_runs"]
        .find({"status": "finished", "site": site}, {"fill_rates": 1, "health_alerts": 1})
        .sort("finished_at", DESCENDING)
        .limit(runs * 4)
    )
    for doc in cursor:
        if doc["_id"] == exclude_run or not doc.get("fill_rates") or doc.get("health_alerts"):
            continue
        found.append(doc)
        if len(found) == runs:
            break
    return Baseline(len(found), FillRates.from_rows([row for doc in found for row in doc["fill_rates"]]))


class ExtractionHealth:
    """Counts fill rates of the items read (stored or dropped on the way), into
    stats `health/fill_rates`; the baseline goes to `health/baseline`. Pages that
    failed extraction, or whose item misses fields its layout usually fills, go to
    quarantine. Settings: `HEALTH_ENABLED`, `HEALTH_BASELINE_RUNS`,
    `HEALTH_USUALLY_FILLED`, `QUARANTINE_*`."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.baseline_runs = settings.getint("HEALTH_BASELINE_RUNS")
        self.usually_filled = settings.getfloat("HEALTH_USUALLY_FILLED")
        self.quarantine_reasons = set(settings.getlist("QUARANTINE_REASONS"))
        self.rates = FillRates()
        self.baseline = Baseline(0, FillRates())
        self.quarantine = Quarantine(
            settings.getint("QUARANTINE_MAX_PAGES"),
            settings.getint("QUARANTINE_MAX_BYTES"),
            settings.getfloat("QUARANTINE_KEEP_DAYS"),
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionHealth:
        if not crawler.settings.getbool("HEALTH_ENABLED"):
            raise NotConfigured("HEALTH_ENABLED is off")
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signals.spider_opened)
        crawler.signals.connect(extension.item_scraped, signals.item_scraped)
        crawler.signals.connect(extension.item_dropped, signals.item_dropped)
        crawler.signals.connect(extension.page_unread, PAGE_UNREAD)
        crawler.signals.connect(extension.spider_closed, signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        if not self.crawler.settings.getbool("STORE_ENABLED"):
            return
        client = store_client(self.crawler.settings)
        try:
            db = client[self.crawler.settings.get("MONGO_DATABASE")]
            run_id = self.stats.get_value("crawl_run/id")
            site = getattr(spider, "site_key", spider.name)
            self.baseline = load_baseline(db, site, self.baseline_runs, run_id)
        except PyMongoError as error:
            logger.warning("health: no baseline (%s); fill rates are recorded, not compared", short_error(error))
        finally:
            client.close()
        self.stats.set_value("health/baseline_runs", self.baseline.runs)

    def item_scraped(self, item: dict[str, Any], response: Response, spider: Spider) -> None:
        self._count(item, response)

    def item_dropped(self, item: dict[str, Any], response: Response, exception: Exception, spider: Spider) -> None:
        if not isinstance(exception, DuplicateInRun):
            self._count(item, response)

    def _count(self, item: dict[str, Any], response: Response | None) -> None:
        layout = response.meta.get(LAYOUT_META) if response is not None else None
        if layout is None:
            return
        site = str(item.get("source") or getattr(self.crawler.spider, "site_key", "?"))
        missing = self.rates.add(site, layout, item)
        usual = self.baseline.rates.layouts.get((site, layout))
        if usual is None or usual.pages < self.crawler.settings.getint("HEALTH_MIN_PAGES"):
            return
        unusual = [name for name in missing if usual.rate(name) >= self.usually_filled]
        if unusual:
            self.quarantine.add(response, layout, f"missing {', '.join(unusual)}", self.stats, site=site)

    def page_unread(self, response: Response, reason: str, layout: str | None = None) -> None:
        if reason in self.quarantine_reasons:
            site = getattr(self.crawler.spider, "site_key", None)
            self.quarantine.add(response, layout, reason, self.stats, site=site)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.stats.set_value("health/fill_rates", self.rates.rows())
        self.stats.set_value("health/baseline", self.baseline)
        if not self.quarantine.pages or not self.crawler.settings.getbool("STORE_ENABLED"):
            return
        client = store_client(self.crawler.settings)
        try:
            db = client[self.crawler.settings.get("MONGO_DATABASE")]
            saved = self.quarantine.save(db, self.stats.get_value("crawl_run/id"))
            logger.info("health: %d pages quarantined (python -m crawler.fixtures list)", saved)
        except PyMongoError as error:
            uri = redact_uri(self.crawler.settings.get("MONGO_URI"))
            logger.warning("health: quarantined pages not saved to %s: %s", uri, short_error(error))
        finally:
            client.close()


PAGE_UNREAD = object()
"""Signal the spider sends for a page it could not read: (response, reason, layout)."""
