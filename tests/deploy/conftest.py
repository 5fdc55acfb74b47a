"""Shared by the deploy tests: one replica whose clock is now, and one database that a
real crawl of it filled (the report and the health check read it)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pymongo
import pytest

from devservers.ferretdb import MongoServer
from replica.model import ReplicaSite
from replica.server import ReplicaServer
from tests.crawling import REPO, CrawlResult, run_crawl

VENV_BIN = Path(sys.executable).parent
LOOPBACK_ARGS = [
    "-s", "AUTOTHROTTLE_ENABLED=0",
    "-s", "DOWNLOAD_DELAY=0",
    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "-s", "DOWNLOAD_TIMEOUT=3",
    "-s", "RETRY_TIMES=1",
    "-s", "RETRY_BACKOFF_BASE=0.05",
]  # fmt: skip


def entrypoint_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment the image gives the entrypoint, pointed at this checkout."""
    return {
        **os.environ,
        "APP_DIR": str(REPO),
        "DATA_DIR": str(data_dir),
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@pytest.fixture(scope="session")
def replica() -> Iterator[ReplicaServer]:
    """A 200-article replica whose clock is the real time, so freshness lags are real."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with ReplicaServer(ReplicaSite(articles=200, seed=1, slow_seconds=6, now=now), port=0) as server:
        yield server


@dataclass(frozen=True)
class CrawledDatabase:
    uri: str
    name: str
    crawl: CrawlResult

    def database(self, client: pymongo.MongoClient) -> pymongo.database.Database:
        return client[self.name]


@pytest.fixture(scope="session")
def crawled(
    mongo_server: MongoServer, replica: ReplicaServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CrawledDatabase]:
    """The replica crawled once (archive sitemaps, so the broken pages are met too)."""
    name = "deploy_crawled"
    client: pymongo.MongoClient = pymongo.MongoClient(mongo_server.uri, tz_aware=True)
    client.drop_database(name)
    result = run_crawl(
        tmp_path_factory.mktemp("crawled"),
        f"base_url={replica.base_url}",
        "sources=sitemap",
        "since=2026-01-01",
        env={"STORE_ENABLED": "1", "MONGO_URI": mongo_server.uri, "MONGO_DATABASE": name},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    yield CrawledDatabase(mongo_server.uri, name, result)
    client.drop_database(name)
    client.close()
