"""Exit statuses of `scrapy crawl`, so cron and its alerting can tell runs apart.

| status | meaning | page someone? |
|---|---|---|
| 0 | the run finished | no |
| 1 | Scrapy could not start the crawl | yes |
| 2 | bad spider argument (one line on stderr) | yes |
| 3 | MongoDB unreachable at start | yes |
| 4 | items not stored: MongoDB away longer than `STORE_OUTAGE_LIMIT_SECONDS` (mid-crawl or at the last flush; items spilled), or the spill directory cannot be written | yes |
| 5 | nothing parsed although the sources listed articles to fetch (blocked? site changed?) | yes |
| 6 | article pages failing above `ALERT_ERROR_RATE` | yes |
| 7 | closed by `CLOSESPIDER_TIMEOUT` | yes |
| 8 | extraction drift: a field filled clearly less often than over the previous runs, a new layout, or more pages read by the generic fallback (`crawler.observe.extraction_health`; `python -m crawler.health` names site, layout and field) | yes |
| 9 | discovery failed: no sitemap, feed or section page could be read, so nothing was listed (site down? blocked? moved?) | yes |
| 75 | another run holds the lock; this one did nothing | no |
| 143 | stopped by SIGTERM/SIGINT (`docker stop`): what was read is stored, the JOBDIR kept to resume | no |
"""

from __future__ import annotations

from typing import Any

from scrapy.settings import BaseSettings

OK = 0
CRASHED = 1
BAD_ARGUMENTS = 2
STORE_UNREACHABLE = 3
STORE_FAILED = 4
NOTHING_PARSED = 5
ERROR_RATE = 6
TIMED_OUT = 7
EXTRACTION_DRIFT = 8
DISCOVERY_FAILED = 9
LOCKED = 75  # EX_TEMPFAIL: the previous run is still going
STOPPED = 143  # 128 + SIGTERM, as a shell reports a job stopped by it

MEANINGS = {
    OK: "the run finished",
    CRASHED: "Scrapy could not start the crawl",
    BAD_ARGUMENTS: "bad spider argument",
    STORE_UNREACHABLE: "MongoDB unreachable at start",
    STORE_FAILED: "items not stored (MongoDB away too long, or the spill directory unwritable)",
    NOTHING_PARSED: "nothing parsed although the sources listed articles to fetch",
    ERROR_RATE: "article pages failing above ALERT_ERROR_RATE",
    TIMED_OUT: "closed by CLOSESPIDER_TIMEOUT",
    EXTRACTION_DRIFT: "extraction drift (see the health alerts)",
    DISCOVERY_FAILED: "discovery failed: no sitemap, feed or section page could be read",
    LOCKED: "another run holds the lock",
    STOPPED: "stopped by SIGTERM/SIGINT",
}


def name_of(status: int) -> str:
    """`ERROR_RATE` for 6: the constant a status is written as here."""
    for name, value in globals().items():
        if name.isupper() and value == status and status in MEANINGS:
            return name
    return "?"


STORE_REASONS = {
    "store_unreachable": STORE_UNREACHABLE,
    "store_unavailable": STORE_FAILED,
    "spill_unwritable": STORE_FAILED,
}


def article_pages(stats: dict[str, Any]) -> tuple[int, int, int]:
    """(article pages to fetch after incremental skips, parsed, failed)."""
    listed = sum(
        v
        for k, v in stats.items()
        if k.startswith("discovered/")
        and k.count("/") == 1
        and k not in ("discovered/duplicate_url", "discovered/over_max_articles", "discovered/already_parsed")
    )
    skipped = sum(v for k, v in stats.items() if k.startswith("incremental/skipped/"))
    not_modified = stats.get("incremental/not_modified", 0)
    parsed = stats.get("articles/parsed", 0) + not_modified
    failed = sum(v for k, v in stats.items() if k.startswith("failed/") and not k.startswith("failed/discovery/"))
    return listed - skipped, parsed, failed


UNREADABLE_DISCOVERY = ("failed/invalid_sitemap", "failed/invalid_feed")  # fetched, but not a sitemap or feed


def discovery_failed(stats: dict[str, Any]) -> bool:
    """Discovery was tried and not one document listing articles could be read: a
    site that refuses connections or answers 404 everywhere, not a quiet news hour.
    A run of explicit `urls=` only has no discovery, so never fails this way."""
    failed = sum(v for k, v in stats.items() if k.startswith(("failed/discovery/", *UNREADABLE_DISCOVERY)))
    read = sum(v for k, v in stats.items() if k.startswith("discovery/read/"))
    return failed > 0 and read == 0


def for_run(stats: dict[str, Any], settings: BaseSettings) -> int:
    """The status a finished run exits with."""
    reason = stats.get("finish_reason", "finished")
    if reason in STORE_REASONS:
        return STORE_REASONS[reason]
    if stats.get("store/unsaved", 0):
        return STORE_FAILED
    if reason == "closespider_timeout":
        return TIMED_OUT
    if reason == "shutdown":
        return STOPPED
    if discovery_failed(stats):
        return DISCOVERY_FAILED
    to_fetch, parsed, failed = article_pages(stats)
    if to_fetch > 0 and parsed == 0:
        return NOTHING_PARSED
    if to_fetch >= settings.getint("ALERT_MIN_PAGES") and failed / to_fetch > settings.getfloat(
        "ALERT_ERROR_RATE", 0.5
    ):
        return ERROR_RATE
    if stats.get("health/alerts"):
        return EXTRACTION_DRIFT
    return OK
