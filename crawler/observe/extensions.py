"""Scrapy extensions of our own."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.article import iso_utc

logger = logging.getLogger(__name__)


class StatsFile:
    """Writes the run's final stats as JSON to `STATS_FILE`, for scripts and tests
    that look at a finished run without parsing logs."""

    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        path = crawler.settings.get("STATS_FILE")
        if not path:
            raise NotConfigured  # no message: Scrapy would log a warning on every run without the file
        extension = cls(crawler, Path(path))
        crawler.signals.connect(extension.spider_closed, signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats: dict[str, Any] = dict(self.crawler.stats.get_stats())
        stats.setdefault("finish_reason", reason)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(
            json.dumps(
                stats, default=lambda value: iso_utc(value) if hasattr(value, "astimezone") else str(value), indent=1
            ),
            encoding="utf-8",
        )


class RunSummary:
    """One log line per run with its counts, the line an operator greps for."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunSummary:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_closed, signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        failed = sum(v for k, v in stats.items() if k.startswith("failed/"))
        dropped = sum(v for k, v in stats.items() if k.startswith("dropped/"))
        skipped = sum(v for k, v in stats.items() if k.startswith("incremental/skipped/"))
        logger.info(
            "run %s %s: new=%d updated=%d unchanged=%d skipped=%d dropped=%d failed=%d rendered=%d requests=%d seconds=%.1f",
            stats.get("crawl_run/id", "-"),
            reason,
            stats.get("store/new", 0),
            stats.get("store/updated", 0),
            stats.get("store/unchanged", 0),
            skipped,
            dropped,
            failed,
            stats.get("render/parsed", 0),
            stats.get("downloader/request_count", 0),
            stats.get("elapsed_time_seconds", 0.0),
            extra={"run_summary": True},
        )
