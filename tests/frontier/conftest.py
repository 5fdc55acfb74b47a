"""One real redis-server (Debian's) per test session, emptied before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from devservers.redis import RedisServer


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    yield client
    client.close()
