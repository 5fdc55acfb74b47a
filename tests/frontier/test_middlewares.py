"""A lease ends when its response's items are in MongoDB or dropped, whatever order
the signals come in (on a real Redis)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.statscollectors import StatsCollector
from scrapy.utils.test import get_crawler

from crawler.frontier.middlewares import LeaseAckMiddleware, SharedBudgetMiddleware
from crawler.frontier.queue import LEASE, Lease

LEASES = "frontier:{test}:leases:worker"


def leased_response(server: redis.Redis, lease_id: int) -> HtmlResponse:
    lease = Lease(LEASES, lease_id)
    server.hset(LEASES, lease_id, "0\n{}")
    request = Request("https://www.francetvinfo.fr/a_1.html", meta={LEASE: lease})
    return HtmlResponse(request.url, body=b"<html></html>", request=request)


async def consume(middleware: LeaseAckMiddleware, response: HtmlResponse, outputs: list[Any]) -> None:
    async def result() -> AsyncIterator[Any]:
        for output in outputs:
            yield output

    async for _ in middleware.process_spider_output(response, result()):
        pass


def held(server: redis.Redis, lease_id: int) -> bool:
    return bool(server.hexists(LEASES, lease_id))


def test_an_item_stays_leased_until_its_batch_is_stored(redis_client: redis.Redis) -> None:
    middleware = LeaseAckMiddleware(redis_client, store_enabled=True)
    response, item = leased_response(redis_client, 1), {"url": "a"}
    asyncio.run(consume(middleware, response, [item]))
    middleware.item_scraped(item, response)
    assert held(redis_client, 1), "in the store's buffer only: a kill now must give the request back"
    middleware.articles_stored([item])
    assert not held(redis_client, 1)


@pytest.mark.parametrize("order", ["stored first", "scraped first"])
def test_a_batch_stored_before_item_scraped_still_ends_the_lease(redis_client: redis.Redis, order: str) -> None:
    """The last item of a full batch is stored inside its own `process_item`, before
    Scrapy sends its `item_scraped` (the lease was left held for ever: workers hung)."""
    middleware = LeaseAckMiddleware(redis_client, store_enabled=True)
    response, item = leased_response(redis_client, 2), {"url": "b"}
    asyncio.run(consume(middleware, response, [item]))
    if order == "stored first":
        middleware.articles_stored([item])
        middleware.item_scraped(item, response)
    else:
        middleware.item_scraped(item, response)
        middleware.articles_stored([item])
    assert not held(redis_client, 2)
    assert not middleware.stored_first and not middleware.storing and not middleware.open


def test_a_response_without_items_or_with_dropped_ones_ends_its_lease(redis_client: redis.Redis) -> None:
    middleware = LeaseAckMiddleware(redis_client, store_enabled=True)
    sitemap = leased_response(redis_client, 3)
    asyncio.run(consume(middleware, sitemap, [Request("https://www.francetvinfo.fr/b_2.html")]))
    assert not held(redis_client, 3)
    article, item = leased_response(redis_client, 4), {"url": "c"}
    asyncio.run(consume(middleware, article, [item]))
    middleware.item_done(item, article)
    assert not held(redis_client, 4)


def stats() -> StatsCollector:
    return get_crawler(settings_dict={"TWISTED_REACTOR_ENABLED": False}).stats


def test_workers_together_stay_within_the_hosts_shared_budget(redis_client: redis.Redis) -> None:
    """Two workers' middlewares, 20 requests a second to the host between them:
    20 requests take at least 19 intervals, and the waits are counted."""
    workers = [SharedBudgetMiddleware(redis_client, rate=20.0, stats=stats()) for _ in range(2)]
    requests = [Request(f"https://www.francetvinfo.fr/a_{n}.html") for n in range(20)]

    async def crawl() -> float:
        start = time.monotonic()
        await asyncio.gather(*(workers[n % 2].process_request(request) for n, request in enumerate(requests)))
        return time.monotonic() - start

    assert asyncio.run(crawl()) >= 19 / 20 * 0.95
    assert all(worker.stats.get_value("frontier/budget_wait_seconds") > 0 for worker in workers)
    other_host = SharedBudgetMiddleware(redis_client, rate=20.0, stats=stats())
    asyncio.run(other_host.process_request(Request("https://www.lemonde.fr/a.html")))
    assert other_host.stats.get_value("frontier/budget_wait_seconds") is None, "another host has a budget of its own"
