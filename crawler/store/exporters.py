"""Feed exports (`-O articles.jsonl`) written like `python -m crawler.extract`:
UTF-8, datetimes ISO 8601 with `Z`."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.exporters import BaseItemExporter

from crawler.article import dumps_article


class ArticleJsonLinesExporter(BaseItemExporter):
    def __init__(self, file: Any, **kwargs: Any) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file

    def export_item(self, item: Any) -> None:
        self.file.write(dumps_article(ItemAdapter(item).asdict(), indent=None).encode("utf-8") + b"\n")
