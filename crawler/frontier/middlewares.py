"""The frontier's two middlewares, on only with `REDIS_URL`.

`LeaseAckMiddleware` (spider): a request taken from the shared queue is done when
its callback's output is consumed and each item it gave is in MongoDB (the store's
`articles_stored`) or dropped with a reason; then its lease ends. Until then a
killed worker's request goes back to the queue and another worker fetches it: an
item only in a dead worker's memory or journal is never the only copy.

`SharedBudgetMiddleware` (downloader): N workers each keep their own politeness
(delay, concurrency, AutoThrottle); on top, every request to a host reserves the
next free slot of that host's shared budget in Redis (`FRONTIER_HOST_RATE` requests
a second across all workers and all frontiers; 0 turns it off), and waits for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from redis import Redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy_redis import connection

from crawler.frontier.queue import LEASE, Lease
from crawler.store.mongo import store_enabled
from crawler.store.signals import articles_stored

RESERVE = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now, free)
redis.call('SET', KEYS[1], tostring(start + tonumber(ARGV[1])), 'EX', 3600)
return tostring(start - now)
"""


def _redis(crawler: Crawler) -> Redis:
    if not crawler.settings.get("REDIS_URL"):
        raise NotConfigured  # no args: Scrapy would log a WARNING on every run without Redis
    return connection.from_settings(crawler.settings)


class LeaseAckMiddleware:
    def __init__(self, server: Redis, store_enabled: bool) -> None:
        self.server = server
        self.store_enabled = store_enabled
        self.open: dict[Lease, list[int]] = {}  # lease -> [items not yet done, output consumed]
        self.storing: dict[int, Lease] = {}  # id(item) -> its lease, while it waits for the store's batch
        # Items a batch stored before their item_scraped: the last item of a full
        # batch, or one the periodic flush took first (held, so their ids stay theirs).
        self.stored_first: dict[int, Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeaseAckMiddleware:
        middleware = cls(_redis(crawler), store_enabled(crawler.settings))
        crawler.signals.connect(middleware.item_scraped, signals.item_scraped)
        for signal in (signals.item_dropped, signals.item_error):
            crawler.signals.connect(middleware.item_done, signal)
        crawler.signals.connect(middleware.articles_stored, articles_stored)
        return middleware

    async def process_spider_output(
        self, response: Any, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        lease = _lease_of(response)
        if lease is None:
            async for output in result:
                yield output
            return
        state = self.open.setdefault(lease, [0, 0])
        try:
            async for output in result:
                if not isinstance(output, Request):
                    state[0] += 1
                yield output
        finally:
            state[1] = 1
            self._end_if_done(lease)

    def item_scraped(self, item: Any, response: Any = None, **_: Any) -> None:
        """Past the pipelines: in the store's buffer and journal, not yet in MongoDB."""
        stored = self.stored_first.pop(id(item), None) is not None
        lease = _lease_of(response)
        if lease not in self.open:
            return
        if stored or not self.store_enabled:
            self.item_done(item, response)
            return
        self.storing[id(item)] = lease
        self.server.hset(lease.storing_key, lease.id, 1)

    def articles_stored(self, items: list[Any], **_: Any) -> None:
        for item in items:
            lease = self.storing.pop(id(item), None)
            if lease is None:
                self.stored_first[id(item)] = item
            elif lease in self.open:
                self.open[lease][0] -= 1
                self._end_if_done(lease)

    def item_done(self, item: Any, response: Any = None, **_: Any) -> None:
        lease = _lease_of(response)
        if lease in self.open:
            self.open[lease][0] -= 1
            self._end_if_done(lease)

    def _end_if_done(self, lease: Lease) -> None:
        items, consumed = self.open[lease]
        if consumed and items <= 0:
            del self.open[lease]
            lease.end(self.server)


def _lease_of(response: Any) -> Lease | None:
    return getattr(response, "meta", {}).get(LEASE) if response is not None else None


class SharedBudgetMiddleware:
    def __init__(self, server: Redis, rate: float, stats: Any) -> None:
        self.server = server
        self.interval = 1.0 / rate
        self.stats = stats
        self._reserve = server.register_script(RESERVE)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedBudgetMiddleware:
        rate = crawler.settings.getfloat("FRONTIER_HOST_RATE")
        if rate <= 0:
            raise NotConfigured  # FRONTIER_HOST_RATE 0: no shared budget
        return cls(_redis(crawler), rate, crawler.stats)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = urlsplit(request.url).netloc
        wait = float(self._reserve(keys=[f"budget:{{{host}}}"], args=[self.interval]))
        if wait > 0:
            # How long requests queued for the host's shared budget: the sign that
            # more workers would add nothing to this host.
            self.stats.inc_value("frontier/budget_wait_seconds", round(wait, 3))
            await asyncio.sleep(wait)
