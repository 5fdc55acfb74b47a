"""One document per (url, date_path) within a run: a second copy is dropped."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from crawler.article import DuplicateInRun

logger = logging.getLogger(__name__)


class DedupePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.seen: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler)

    def process_item(self, item: dict[str, Any], spider: object = None) -> dict[str, Any]:
        key = (item["url"], item["date_path"])
        if key in self.seen:
            self.stats.inc_value("dropped/duplicate")
            logger.info("dropped/duplicate %s (already seen in this run)", item["url"])
            raise DuplicateInRun("duplicate in this run")
        self.seen.add(key)
        return item
