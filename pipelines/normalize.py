"""Raw article (what the page object read) to the stored document's fields."""

from __future__ import annotations

from typing import Any

from scrapy import Spider

from crawler.article.normalize import normalize_article
from crawler.sites import site_for

FETCH_FIELDS = ("fetched_at", "source_lastmod", "http_etag", "http_last_modified")


class NormalizePipeline:
    """Applies `crawler.article.normalize.normalize_article` once per item, and keeps what
    the fetch learnt (`FETCH_FIELDS`) for the store and the next incremental run."""

    def process_item(self, item: dict[str, Any], spider: Spider | None = None) -> dict[str, Any]:
        site = site_for(item["url"], getattr(spider, "site_key", None))
        article = normalize_article(item, site.host_aliases)
        for field in FETCH_FIELDS:
            article[field] = item.get(field)
        return article
