"""The report's numbers, derived from a `ReportData` without I/O: failure reasons,
freshness lags, time buckets, fill rates."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from crawler.article.normalize import PARIS
from crawler.observe.extraction_health import HEALTH_FIELDS
from crawler.report.data import FAILURE_PREFIXES, FillRate, ReportData, Run

LAG_BUCKETS: tuple[tuple[str, float], ...] = (
    ("< 5 min", 5 * 60),
    ("5–15 min", 15 * 60),
    ("15–30 min", 30 * 60),
    ("30–60 min", 3600),
    ("1–2 h", 2 * 3600),
    ("2–6 h", 6 * 3600),
    ("6–12 h", 12 * 3600),
    ("12–24 h", 24 * 3600),
    ("1–2 d", 2 * 86400),
    ("2–7 d", 7 * 86400),
    ("≥ 7 d", math.inf),
)
TIME_BUCKETS = [timedelta(minutes=m) for m in (5, 15, 30, 60, 120, 180, 360, 720, 1440)]
MAX_TIME_BUCKETS = 168
FILL_FIELDS = HEALTH_FIELDS
REASON_MEANINGS = {
    "failed/timeout": "no answer within DOWNLOAD_TIMEOUT",
    "failed/dns": "the host name did not resolve",
    "failed/connection_refused": "the server refused the connection",
    "failed/connection_lost": "the connection dropped mid-answer",
    "failed/redirect_loop": "redirects went round in a circle",
    "failed/robots_txt": "robots.txt forbids the URL",
    "failed/offsite": "the URL left the site",
    "failed/too_large": "the page is larger than DOWNLOAD_MAXSIZE",
    "failed/truncated": "the transfer was cut short",
    "failed/render_timeout": "Chromium did not render the page in time (after a retry)",
    "failed/render_crashed": "Chromium crashed on the page (after a retry)",
    "dropped/not_html": "the URL served something else than HTML",
    "dropped/not_article": "the page is not an article",
    "dropped/no_title": "the article has no title",
    "dropped/empty_body": "the article has no body text",
    "dropped/truncated": "the page was cut short",
    "dropped/empty_page": "the page was empty",
    "dropped/duplicate": "the same (url, date_path) twice in one run",
}


def failure_reasons(runs: Iterable[Run]) -> list[tuple[str, int, int]]:
    """(reason, total count, number of runs that had it), most frequent first."""
    totals: Counter[str] = Counter()
    runs_with: Counter[str] = Counter()
    for run in runs:
        for key, value in run.counts.items():
            if key.startswith(FAILURE_PREFIXES) and value:
                totals[key] += int(value)
                runs_with[key] += 1
    return [(key, total, runs_with[key]) for key, total in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]


def describe_reason(reason: str) -> str:
    """A few words for the on-call person, after the README's table of stats."""
    if reason in REASON_MEANINGS:
        return REASON_MEANINGS[reason]
    if reason.startswith("failed/http_"):
        return f"the server answered HTTP {reason.removeprefix('failed/http_')} (after retries for 5xx/429)"
    if reason.startswith("dropped/invalid/"):
        return f"the article broke the schema ({reason.removeprefix('dropped/invalid/')})"
    if reason.startswith("dropped/store/"):
        return f"the store refused it ({reason.removeprefix('dropped/store/')})"
    return ""


def lag_histogram(lags_s: Iterable[float]) -> list[tuple[str, int]]:
    """Counts per `LAG_BUCKETS` bucket, every bucket present (zeros included)."""
    counts = [0] * len(LAG_BUCKETS)
    for lag in lags_s:
        for index, (_label, upper) in enumerate(LAG_BUCKETS):
            if lag < upper:
                counts[index] += 1
                break
    return [(label, counts[index]) for index, (label, _upper) in enumerate(LAG_BUCKETS)]


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100), None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class TimeBucket:
    start: datetime
    end: datetime
    runs: list[Run]

    def total(self, attribute: str) -> int:
        return sum(getattr(run, attribute) for run in self.runs)


def time_buckets(runs: Iterable[Run], since: datetime, until: datetime) -> list[TimeBucket]:
    """Runs grouped by start time into equal buckets over the window (at most
    `MAX_TIME_BUCKETS`, aligned on UTC midnight), so gaps without runs show."""
    window = until - since
    size = next((s for s in TIME_BUCKETS if window / s <= MAX_TIME_BUCKETS), TIME_BUCKETS[-1])
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    first = epoch + ((since - epoch) // size) * size
    count = (until - first) // size + 1
    buckets = [TimeBucket(first + i * size, first + (i + 1) * size, []) for i in range(count)]
    for run in runs:
        if run.started_at is None or not (first <= run.started_at < first + count * size):
            continue
        buckets[int((run.started_at - first) // size)].runs.append(run)
    return buckets


def pooled(rows: Iterable[FillRate]) -> FillRate | None:
    """Rows of one (site, layout) as one, pages and filled counts summed: a rate over
    several runs weighs each page the same, whatever the run's size."""
    rows = list(rows)
    if not rows:
        return None
    filled: Counter[str] = Counter()
    for row in rows:
        filled.update(row.filled)
    return FillRate(rows[0].site, rows[0].layout, sum(row.pages for row in rows), dict(filled))


def fill_rate_of(runs: Iterable[Run], site: str, layout: str) -> FillRate | None:
    """What these runs read with one (site, layout), None if they read nothing with it."""
    return pooled(row for run in runs for row in run.fill_rates if (row.site, row.layout) == (site, layout))


def site_layouts(runs: Iterable[Run]) -> dict[str, list[str]]:
    """The layouts each site's pages were read with, sites and layouts sorted."""
    seen: dict[str, set[str]] = {}
    for run in runs:
        for row in run.fill_rates:
            seen.setdefault(row.site, set()).add(row.layout)
    return {site: sorted(layouts) for site, layouts in sorted(seen.items())}


def window_days(data: ReportData) -> list[str]:
    """The `date_path` days of the window, oldest first, with the days that have data."""
    first = data.since.astimezone(PARIS).date()
    last = max([data.generated_at.astimezone(PARIS).date(), *(day_of(d) or first for d in data.section_days)])
    days = [(first + timedelta(days=i)).strftime("%Y/%m/%d") for i in range((last - first).days + 1)]
    return sorted(set(days) | set(data.section_days))


def day_of(date_path: str) -> date | None:
    try:
        return datetime.strptime(date_path, "%Y/%m/%d").date()
    except ValueError:
        return None
