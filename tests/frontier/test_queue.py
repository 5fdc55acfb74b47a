"""The leased queue on a real Redis: a pop is a lease, a dead worker's leases come
back in priority order, a retry ends the lease of the request it replaces."""

from __future__ import annotations

import redis
from scrapy import Request, Spider

from crawler.frontier import codec
from crawler.frontier.queue import LEASE, LeasedQueue

PREFIX = "frontier:{test}"


def queue_of(client: redis.Redis, worker: str) -> LeasedQueue:
    return LeasedQueue(client, Spider("news"), PREFIX, codec, worker=worker)


def beat(client: redis.Redis, worker: str) -> None:
    client.set(f"{PREFIX}:alive:{worker}", "now", ex=30)
    client.sadd(f"{PREFIX}:workers", worker)


def test_a_pop_is_a_lease_until_it_ends(redis_client: redis.Redis) -> None:
    queue = queue_of(redis_client, "a")
    queue.push(Request("https://example.org/1"))

    request = queue.pop()

    assert request is not None and request.url == "https://example.org/1"
    assert len(queue) == 0
    assert redis_client.hlen(queue.leases_key("a")) == 1
    request.meta[LEASE].end(redis_client)
    assert redis_client.hlen(queue.leases_key("a")) == 0
    assert queue.pop() is None


def test_a_dead_workers_leases_come_back_in_priority_order(redis_client: redis.Redis) -> None:
    dead, alive = queue_of(redis_client, "dead"), queue_of(redis_client, "alive")
    beat(redis_client, "dead")
    beat(redis_client, "alive")
    dead.push(Request("https://example.org/low", priority=1))
    dead.push(Request("https://example.org/high", priority=9))
    assert [dead.pop().url, dead.pop().url] == ["https://example.org/high", "https://example.org/low"]
    assert alive.leased_elsewhere() == 2

    assert alive.reap("dead") == -1, "a worker whose heartbeat key is there keeps its leases"
    redis_client.delete(f"{PREFIX}:alive:dead")
    assert alive.reap("dead") == 2

    assert alive.leased_elsewhere() == 0
    assert not redis_client.sismember(f"{PREFIX}:workers", "dead")
    assert [alive.pop().url, alive.pop().url] == ["https://example.org/high", "https://example.org/low"]


def test_pushing_a_retry_ends_the_lease_of_the_request_it_replaces(redis_client: redis.Redis) -> None:
    queue = queue_of(redis_client, "a")
    queue.push(Request("https://example.org/1"))
    taken = queue.pop()

    retry = taken.replace(dont_filter=True)
    retry.meta["retry_times"] = 1
    queue.push(retry)

    assert redis_client.hlen(queue.leases_key("a")) == 0
    assert len(queue) == 1
    back = queue.pop()
    assert back.meta["retry_times"] == 1
    assert redis_client.hlen(queue.leases_key("a")) == 1, "the retry is leased in its turn"
