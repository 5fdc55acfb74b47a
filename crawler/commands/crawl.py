"""`scrapy crawl` with a clear start: bad spider arguments are one line on stderr
and exit status 2, before Scrapy starts anything."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.spiderloader import get_spider_loader


class Command(ScrapyCrawl):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) != 1 or self.settings is None:
            return
        try:
            spider_class = get_spider_loader(self.settings).load(args[0])
        except KeyError:
            return
        validate = getattr(spider_class, "validate_arguments", None)
        problem = validate(dict(opts.spargs)) if validate else None
        if problem:
            print(f"{args[0]}: bad argument: {problem}", file=sys.stderr)
            raise SystemExit(2)
