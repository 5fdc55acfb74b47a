"""`scrapy crawl`, as cron runs it: arguments checked, the store reached, the run
lock taken, all before Scrapy starts anything; then an exit status that says how
the run went (see `crawler.observe.exitcodes`)."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
from datetime import timedelta
from typing import Any

from pymongo.errors import PyMongoError
from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from crawler.observe import exitcodes
from crawler.observe.logs import install_json_logs
from crawler.spiders.params import DEFAULT_BASE_URL, normalize_base_url
from crawler.store.jobdir import repair_request_queues
from crawler.store.mongo import new_run_id, redact_uri, short_error, store_client, store_enabled
from crawler.store.runlock import RunLock

logger = logging.getLogger(__name__)


class Command(ScrapyCrawl):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if os.environ.get("LOG_FORMAT", "").lower() == "json" and self.settings.getbool("LOG_ENABLED"):
            install_json_logs(self.settings.get("LOG_LEVEL"))
            self.settings.set("LOG_ENABLED", False, priority="cmdline")
        if len(args) != 1:
            return
        try:
            spider_class = get_spider_loader(self.settings).load(args[0])
        except KeyError:
            return
        validate = getattr(spider_class, "validate_arguments", None)
        problem = validate(dict(opts.spargs)) if validate else None
        if problem:
            fail(f"{args[0]}: bad argument: {problem}", exitcodes.BAD_ARGUMENTS)
        if store_enabled(self.settings) and not self.settings.get("CRAWL_RUN_ID"):
            self.settings.set("CRAWL_RUN_ID", new_run_id(args[0]), priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("scrapy crawl takes one spider name")
        spider_name = args[0]
        if self.settings.get("REDIS_URL") and self.settings.get("JOBDIR"):
            # The frontier in Redis is the crawl's state. A JOBDIR would be shared by
            # workers on one volume, and cleared by the first to finish under the others.
            logger.info("JOBDIR %s not used: the run's state is the frontier in Redis", self.settings.get("JOBDIR"))
            self.settings.set("JOBDIR", None, priority="cmdline")
        lock = self.take_run_lock(spider_name, opts.spargs) if store_enabled(self.settings) else None
        if self.settings.get("JOBDIR"):
            repair_request_queues(self.settings.get("JOBDIR"))
        try:
            crawler = self._create_crawler(spider_name)
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            if lock is not None:
                lock.release()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = exitcodes.CRASHED
            return
        stats = crawler.stats.get_stats()
        self.exitcode = exitcodes.for_run(stats, crawler.settings)
        clear_finished_jobdir(crawler.settings, stats.get("finish_reason"))

    def take_run_lock(self, spider_name: str, spider_args: dict[str, str]) -> RunLock | None:
        """Reach the store first (fail fast, one line), then hold the run lock."""
        uri = self.settings.get("MONGO_URI")
        client = store_client(self.settings)
        try:
            client.admin.command("ping")
        except PyMongoError as error:
            fail(
                f"{spider_name}: MongoDB at {redact_uri(uri)} is unreachable: {short_error(error)}",
                exitcodes.STORE_UNREACHABLE,
            )
        if not self.settings.getbool("RUN_LOCK_ENABLED") or self.settings.get("REDIS_URL"):
            # With a shared frontier, N workers crawl one run together (crawler/frontier).
            client.close()
            return None
        lock = RunLock(
            client[self.settings.get("MONGO_DATABASE")]["crawl_locks"],
            name=self.run_lock_name(spider_name, spider_args),
            owner=self.settings.get("CRAWL_RUN_ID"),
            stale_after=timedelta(seconds=self.settings.getfloat("RUN_LOCK_STALE_SECONDS")),
        )
        holder = lock.acquire()
        if holder is not None:
            fail(
                f"{spider_name}: another run holds the lock ({holder['owner']}, pid {holder.get('pid')} on "
                f"{holder.get('host')}, since {holder.get('acquired_at')}); this run exits without crawling",
                exitcodes.LOCKED,
            )
        lock.start_heartbeat()
        return lock

    def run_lock_name(self, spider_name: str, spider_args: dict[str, str]) -> str:
        """What the run writes to: the spider's `run_lock_name` (`<site>@<base_url>`),
        else `<spider>@<base_url>`."""
        try:
            spider_class = get_spider_loader(self.settings).load(spider_name)
        except KeyError:
            spider_class = None
        named = getattr(spider_class, "run_lock_name", None)
        if named is not None:
            return named(dict(spider_args))
        return f"{spider_name}@{normalize_base_url(spider_args.get('base_url', DEFAULT_BASE_URL))}"


def clear_finished_jobdir(settings: Any, finish_reason: str | None) -> None:
    """A JOBDIR lets a killed run resume where it stopped; once a run finishes, its
    seen-requests file would make the next run skip everything, so it goes."""
    jobdir = settings.get("JOBDIR")
    if jobdir and finish_reason == "finished" and settings.getbool("JOBDIR_CLEAR_ON_FINISH"):
        shutil.rmtree(jobdir, ignore_errors=True)


def fail(message: str, code: int) -> None:
    print(message, file=sys.stderr)
    raise SystemExit(code)
