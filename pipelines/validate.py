"""An article that breaks the schema (`crawler.article.validate`) is dropped with its
reason counted (`dropped/invalid/<field>`) and logged with its URL."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.article.validate import problems

logger = logging.getLogger(__name__)


class ValidatePipeline:
    """Drops articles that break the schema: `VALIDATE_FUTURE_SKEW_SECONDS` is how far
    in the future a date may be (clock skew) before it counts as invalid."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.future_skew = timedelta(seconds=crawler.settings.getfloat("VALIDATE_FUTURE_SKEW_SECONDS"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: dict[str, Any], spider: object = None) -> dict[str, Any]:
        found = problems(item, datetime.now(UTC), self.future_skew)
        if found:
            field, message = found[0]
            self.stats.inc_value(f"dropped/invalid/{field}")
            logger.warning("dropped/invalid/%s %s: %s", field, item.get("url"), message)
            raise DropItem(f"invalid {field}: {message}")
        return item
