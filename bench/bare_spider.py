"""The baseline: a bare Scrapy spider that fetches a list of URLs and does nothing
with them. Run as `python bench/bare_spider.py URL_FILE [--parse] [-s KEY=VALUE ...]`
outside our project settings; `--parse` adds an lxml parse of each page (the
fetch + parse physical limit)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import scrapy
from lxml import html
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[str], parse_pages: bool, **kwargs) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.parse_pages = parse_pages

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response):
        if self.parse_pages:
            html.document_fromstring(response.body)
        return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url_file", type=Path)
    parser.add_argument("--parse", action="store_true")
    parser.add_argument("-s", action="append", default=[])
    args = parser.parse_args()
    settings = {
        "LOG_LEVEL": "WARNING",
        "ROBOTSTXT_OBEY": True,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
    }
    settings["TWISTED_REACTOR"] = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
    for pair in args.s:
        key, value = pair.split("=", 1)
        settings[key] = value
    urls = [line.strip() for line in args.url_file.read_text().splitlines() if line.strip()]
    process = CrawlerProcess(settings)
    process.crawl(BareSpider, urls=urls, parse_pages=args.parse)
    process.start()


if __name__ == "__main__":
    sys.exit(main())
