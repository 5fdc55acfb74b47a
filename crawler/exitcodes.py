"""Exit statuses of `scrapy crawl`, so cron and its alerting can tell runs apart."""

from __future__ import annotations

from typing import Any

from scrapy.settings import BaseSettings

OK = 0
CRASHED = 1
BAD_ARGUMENTS = 2
STORE_UNREACHABLE = 3
STORE_FAILED = 4
LOCKED = 75  # EX_TEMPFAIL: the previous run is still going; not an alert

STORE_REASONS = {"store_unreachable": STORE_UNREACHABLE, "store_unavailable": STORE_FAILED}


def for_run(stats: dict[str, Any], settings: BaseSettings) -> int:
    """The status a finished run exits with."""
    reason = stats.get("finish_reason", "finished")
    if reason in STORE_REASONS:
        return STORE_REASONS[reason]
    return OK
