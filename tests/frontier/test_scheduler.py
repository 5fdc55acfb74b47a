"""The frontier scheduler on a real Redis: off without REDIS_URL; workers of one
command share a run; the last to close ends it; each run has its own duplicate
filter, which tells a retry or a browser pass from the first fetch."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import redis
from scrapy import Request, Spider
from scrapy.core.scheduler import Scheduler as ScrapyScheduler
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.frontier.scheduler import FrontierScheduler, frontier_name
from devservers.redis import RedisServer


class NewsSpider(Spider):
    name = "news"

    def __init__(self, **arguments: Any) -> None:
        super().__init__(**arguments)
        self.raw_arguments = arguments


def scheduler(redis_url: str | None, **arguments: Any) -> Any:
    values = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}
    del values["TWISTED_REACTOR"]
    values["REDIS_URL"] = redis_url
    crawler = get_crawler(NewsSpider, values)
    crawler.spider = NewsSpider(**arguments)
    crawler.stats.open_spider()
    found = FrontierScheduler.from_crawler(crawler)
    if isinstance(found, FrontierScheduler):
        asyncio.run(opened(found, crawler.spider))
    return found


async def opened(found: FrontierScheduler, spider: Spider) -> None:
    """Opened on a running asyncio loop, as in a crawl, and no Twisted reactor
    installed in this process (later tests build crawlers without one)."""
    found.open(spider)


def test_without_redis_url_it_is_scrapys_own_scheduler() -> None:
    assert type(scheduler(None)) is ScrapyScheduler


def test_the_frontier_is_named_by_site_and_arguments() -> None:
    assert frontier_name(NewsSpider(sources="sitemap")) == frontier_name(NewsSpider(sources="sitemap"))
    assert frontier_name(NewsSpider(sources="sitemap")) != frontier_name(NewsSpider(sources="rss"))
    assert frontier_name(NewsSpider()).startswith("news-")


def test_a_request_counts_once_per_run_and_its_variants_apart(
    redis_server: RedisServer, redis_client: redis.Redis
) -> None:
    worker = scheduler(redis_server.url)
    page = Request("https://www.francetvinfo.fr/monde/a_1.html", dont_filter=True)

    assert worker.enqueue_request(page)
    assert not worker.enqueue_request(page.copy()), "seeded twice (each worker's start()), queued once"
    retry = page.copy()
    retry.meta["retry_times"] = 1
    rendered = page.copy()
    rendered.meta["playwright"] = True
    assert worker.enqueue_request(retry)
    assert worker.enqueue_request(rendered)
    assert len(worker.queue) == 3
    assert 0 < redis_client.ttl(worker.df.key) <= project_settings.FRONTIER_SEEN_TTL_SECONDS
    worker.close("shutdown")


def test_a_url_listed_again_passes_only_with_a_newer_lastmod(
    redis_server: RedisServer, redis_client: redis.Redis
) -> None:
    """Two workers read the news sitemap and the RSS feed: the same page listed by
    both, whichever comes first, is one read; a lastmod newer than any listed is a
    second (the page changed during the run)."""
    first, second = scheduler(redis_server.url), scheduler(redis_server.url)
    url = "https://www.francetvinfo.fr/monde/a_1.html"

    def listed(lastmod: datetime | None) -> Request:
        return Request(url, meta={"lastmod": lastmod}, dont_filter=True)

    noon = datetime(2026, 12, 7, 12, tzinfo=UTC)
    assert first.enqueue_request(listed(noon))
    assert not second.enqueue_request(listed(None)), "the feed lists it with no lastmod"
    assert not second.enqueue_request(listed(noon.astimezone(timezone(timedelta(hours=1))))), "the same moment"
    assert not second.enqueue_request(listed(noon - timedelta(hours=1))), "an older lastmod"
    assert second.enqueue_request(listed(noon + timedelta(minutes=5))), "updated since"
    assert not first.enqueue_request(listed(noon + timedelta(minutes=5)))

    from_the_feed = "https://www.francetvinfo.fr/monde/b_2.html"
    assert first.enqueue_request(Request(from_the_feed, dont_filter=True))
    assert not second.enqueue_request(Request(from_the_feed, meta={"lastmod": noon}, dont_filter=True)), (
        "the sitemap's listing after the feed's: the page is read already"
    )
    assert not first.enqueue_request(Request(from_the_feed, meta={"lastmod": noon}, dont_filter=True))
    assert second.enqueue_request(Request(from_the_feed, meta={"lastmod": noon + timedelta(hours=1)}, dont_filter=True))
    assert len(first.queue) == 4
    first.close("shutdown")
    second.close("shutdown")


def test_a_worker_never_sees_a_request_filtered_and_not_yet_queued(
    redis_server: RedisServer, redis_client: redis.Redis
) -> None:
    """Two workers start at once: the second's seeds are duplicates of the first's.
    Were a seed marked seen before it is queued, the second would find no work left
    in between and finish at once, leaving the whole run to the first."""
    first, second = scheduler(redis_server.url), scheduler(redis_server.url)
    seen_by_second = []
    send = first.server.execute_command

    def send_then_look(*arguments: Any, **options: Any) -> Any:
        answer = send(*arguments, **options)
        seen_by_second.append((arguments[0], second.work_left()))
        return answer

    first.server.execute_command = send_then_look
    assert first.enqueue_request(Request("https://www.francetvinfo.fr/sitemap_index.xml", dont_filter=True))
    first.server.execute_command = send

    assert seen_by_second, "the seed went to Redis"
    assert all(left for _, left in seen_by_second), seen_by_second
    assert not second.enqueue_request(Request("https://www.francetvinfo.fr/sitemap_index.xml", dont_filter=True))
    first.close("shutdown")
    second.close("shutdown")


def test_workers_share_a_run_the_last_ends_it_and_the_next_command_starts_anew(
    redis_server: RedisServer, redis_client: redis.Redis
) -> None:
    first, second = scheduler(redis_server.url), scheduler(redis_server.url)
    assert first.generation == second.generation == "1"
    assert first.prefix == second.prefix
    page = Request("https://www.francetvinfo.fr/monde/a_1.html")
    assert first.enqueue_request(page)
    taken = second.next_request()
    assert taken.url == page.url

    first.close("finished")
    assert redis_client.hget(first.run_key, "state") == b"running", "a request is still leased to the second"
    second.close("finished")
    assert redis_client.hget(first.run_key, "state") == b"done"

    later = scheduler(redis_server.url)
    assert later.generation == "2"
    assert later.enqueue_request(page), "a new run fetches the page again (the store says if it changed)"
    later.close("finished")


def test_a_worker_shut_down_puts_its_leases_back(redis_server: RedisServer, redis_client: redis.Redis) -> None:
    worker = scheduler(redis_server.url)
    worker.enqueue_request(Request("https://www.francetvinfo.fr/monde/a_1.html"))
    assert worker.next_request() is not None
    assert len(worker.queue) == 0

    worker.close("shutdown")

    assert len(worker.queue) == 1
    assert redis_client.hget(worker.run_key, "state") == b"running", "queued work keeps the run open"


@pytest.mark.parametrize("reason", ["finished", "shutdown"])
def test_redis_gone_at_close_is_logged_not_raised(
    reason: str, redis_client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    with RedisServer() as own:
        worker = scheduler(own.url)
        worker.enqueue_request(Request("https://www.francetvinfo.fr/monde/a_1.html"))
    assert worker.enqueue_request(Request("https://www.francetvinfo.fr/monde/a_2.html")), "held while Redis is away"
    assert len(worker.held) == 1
    worker.close(reason)
    assert "Redis unreachable at close" in caplog.text
