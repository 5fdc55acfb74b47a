"""Raw article (what the page object read) to the stored document's fields."""

from __future__ import annotations

from typing import Any

from scrapy import Spider

from crawler.normalize import normalize_article
from crawler.pages import site_for


class NormalizePipeline:
    """Applies `crawler.normalize.normalize_article` once per item; keeps `fetched_at`."""

    def process_item(self, item: dict[str, Any], spider: Spider | None = None) -> dict[str, Any]:
        site = site_for(item["url"], getattr(spider, "site_key", None))
        article = normalize_article(item, site.host_aliases)
        article["fetched_at"] = item.get("fetched_at")
        return article
