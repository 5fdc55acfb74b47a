"""What the report shows, read from MongoDB: `gather(db, days)` into a `ReportData`.

The aggregations stay within what FerretDB 1.24 (the test and demo server) runs
correctly: `$match`, `$group` with a single `$sum` (a second accumulator in the same
`$group` comes back as 0 there, FerretDB issue #4616), `$sort`, `$count`. Date
bucketing, percentiles and the sums over the dynamic `counts` keys are done in
Python (`crawler.report.figures`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pymongo import DESCENDING
from pymongo.database import Database

from crawler.article.normalize import paris_day
from crawler.health import (
    DEFAULT_MAX_AGE_MINUTES,
    as_utc,
)

FAILURE_PREFIXES = ("failed/", "dropped/")


Row = TypeVar("Row")


@dataclass(frozen=True)
class FillRate:
    """How many of a run's pages of one (site, layout) had each field: a layout whose
    selectors stopped matching shows as a field filled on fewer pages than before."""

    site: str
    layout: str
    pages: int
    filled: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_document(cls, doc: object) -> FillRate | None:
        if not isinstance(doc, dict):
            return None
        filled = doc.get("filled")
        return cls(
            site=_label(doc.get("site")),
            layout=_label(doc.get("layout")),
            pages=_count(doc.get("pages")),
            filled={str(k): _count(v) for k, v in filled.items()} if isinstance(filled, dict) else {},
        )

    def percent(self, name: str) -> int | None:
        """Whole percent, rounded down so that 100% means every page; None without pages."""
        if self.pages <= 0:
            return None
        return self.filled.get(name, 0) * 100 // self.pages


@dataclass(frozen=True)
class HealthAlert:
    """A drift the run's extraction health check saw (`fill_rate`, `new_layout` or
    `fallback_share`), with the message it wrote for people."""

    site: str
    layout: str
    field: str | None
    kind: str
    rate: float | None
    baseline: float | None
    pages: int
    message: str

    @classmethod
    def from_document(cls, doc: object) -> HealthAlert | None:
        if not isinstance(doc, dict):
            return None
        site, layout, kind = _label(doc.get("site")), _label(doc.get("layout")), _label(doc.get("kind"))
        name = doc.get("field")
        name = str(name) if name not in (None, "") else None
        message = doc.get("message")
        if not isinstance(message, str) or not message.strip():
            message = " ".join(part for part in (site, layout, name) if part) + f": {kind}"
        return cls(
            site=site,
            layout=layout,
            field=name,
            kind=kind,
            rate=_fraction(doc.get("rate")),
            baseline=_fraction(doc.get("baseline")),
            pages=_count(doc.get("pages")),
            message=message,
        )


@dataclass(frozen=True)
class Run:
    """One `crawl_runs` document, with the numbers the report shows."""

    run_id: str
    spider: str
    arguments: dict[str, str]
    started_at: datetime | None
    finished_at: datetime | None
    status: str
    finish_reason: str | None
    counts: dict[str, float] = field(default_factory=dict)
    fill_rates: tuple[FillRate, ...] = ()
    health_alerts: tuple[HealthAlert, ...] = ()
    site: str = ""  # the site's key; older runs have none: their spider's name

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Run:
        counts = doc.get("counts") or {}
        return cls(
            run_id=str(doc.get("run_id") or doc.get("_id")),
            spider=str(doc.get("spider") or ""),
            arguments={str(k): str(v) for k, v in (doc.get("arguments") or {}).items()},
            started_at=as_utc(doc.get("started_at")),
            finished_at=as_utc(doc.get("finished_at")),
            status=str(doc.get("status") or "unknown"),
            finish_reason=doc.get("finish_reason"),
            counts={str(k): v for k, v in counts.items() if isinstance(v, int | float) and not isinstance(v, bool)},
            fill_rates=_rows(doc.get("fill_rates"), FillRate.from_document),
            health_alerts=_rows(doc.get("health_alerts"), HealthAlert.from_document),
            site=str(doc.get("site") or doc.get("spider") or ""),
        )

    def count(self, key: str) -> int:
        return int(self.counts.get(key, 0))

    @property
    def new(self) -> int:
        return self.count("store/new")

    @property
    def updated(self) -> int:
        return self.count("store/updated")

    @property
    def unchanged(self) -> int:
        return self.count("store/unchanged")

    @property
    def failures(self) -> int:
        """Pages the run gave up on (`failed/*`) or could not use (`dropped/*`)."""
        return sum(int(v) for k, v in self.counts.items() if k.startswith(FAILURE_PREFIXES))

    @property
    def requests(self) -> int:
        return self.count("downloader/request_count")

    @property
    def duration(self) -> timedelta | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at


def _rows(value: object, parse: Callable[[object], Row | None]) -> tuple[Row, ...]:
    """The parsable items of a list field; anything else (absent on old runs, garbled) is none."""
    if not isinstance(value, list):
        return ()
    return tuple(row for row in map(parse, value) if row is not None)


def _label(value: object) -> str:
    return str(value) if value not in (None, "") else "(none)"


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return 0
    return max(0, int(value))


def _fraction(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


@dataclass(frozen=True)
class ReportData:
    """Everything the page shows, read once; `render` needs nothing else."""

    generated_at: datetime
    database: str
    days: int
    runs: list[Run]
    last_success: Run | None
    total_articles: int
    total_revisions: int
    section_days: dict[str, dict[str, int]]
    lags_s: list[float]
    max_age_minutes: float = DEFAULT_MAX_AGE_MINUTES

    @property
    def since(self) -> datetime:
        return self.generated_at - timedelta(days=self.days)


def gather(db: Database, days: int, now: datetime | None = None, max_age_minutes: float | None = None) -> ReportData:
    """Read the window's runs and articles. `days` is the window; the last successful
    run and the totals are looked up whatever their age."""
    now = now or datetime.now(UTC)
    since = now - timedelta(days=days)
    runs = [
        Run.from_document(doc)
        for doc in db["crawl_runs"].find({"started_at": {"$gte": since}}).sort("started_at", DESCENDING)
    ]
    last = db["crawl_runs"].find_one({"status": "finished"}, sort=[("finished_at", DESCENDING)])
    first_day = paris_day(since)
    per_section_day = db["articles"].aggregate(
        [
            {"$match": {"date_path": {"$gte": first_day}}},
            {"$group": {"_id": {"day": "$date_path", "site": "$source", "section": "$section"}, "n": {"$sum": 1}}},
        ]
    )
    rows = list(per_section_day)
    several_sites = len({row["_id"].get("site") for row in rows}) > 1
    section_days: dict[str, dict[str, int]] = {}
    for row in rows:
        day, section = row["_id"].get("day"), row["_id"].get("section") or "(none)"
        if several_sites:  # "lemonde · international": a section is a site's
            section = f"{row['_id'].get('site') or '?'} · {section}"
        per_day = section_days.setdefault(str(day), {})
        per_day[str(section)] = per_day.get(str(section), 0) + int(row["n"])
    recent = db["articles"].find({"first_seen_at": {"$gte": since}}, {"freshness_lag_s": 1, "_id": 0})
    lags = [doc["freshness_lag_s"] for doc in recent if isinstance(doc.get("freshness_lag_s"), int | float)]
    return ReportData(
        generated_at=now,
        database=db.name,
        days=days,
        runs=runs,
        last_success=Run.from_document(last) if last else None,
        total_articles=db["articles"].count_documents({}),
        total_revisions=db["article_revisions"].count_documents({}),
        section_days=section_days,
        lags_s=lags,
        max_age_minutes=DEFAULT_MAX_AGE_MINUTES if max_age_minutes is None else max_age_minutes,
    )
