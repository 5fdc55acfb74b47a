"""N workers on one Redis frontier and one FerretDB, for real: `scrapy crawl`
processes on a replica, one killed with SIGKILL mid-crawl; every article stored
exactly once, nothing lost, and a restarted worker resumes the run."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
import redis
from pymongo.database import Database

from devservers.ferretdb import MongoServer
from devservers.redis import RedisServer
from replica.model import ReplicaSite
from replica.server import ReplicaServer
from tests.crawling import REPO, crawl_command, read_stats
from tests.faults.accounting import article_fetches, assert_stored_exactly_once, storable_urls, store_env
from tests.faults.conftest import wait_until_stored

pytestmark = pytest.mark.slow
# Leases of 3 s so a killed worker's requests come back within the test; no shared
# budget (the replica is not a site to be polite to); small batches so a kill
# lands between two of them.
WORKER_SETTINGS = {
    "FRONTIER_LEASE_SECONDS": "3",
    "FRONTIER_HOST_RATE": "0",
    "CONCURRENT_REQUESTS": "8",
    "STORE_BATCH_SIZE": "50",
}


class Workers:
    """`scrapy crawl franceinfo` workers of one command, each in its own folder."""

    def __init__(self, tmp_path: Path, server: ReplicaServer, env: dict[str, str]) -> None:
        self.tmp_path = tmp_path
        self.command_arguments = (f"base_url={server.base_url}", "sources=sitemap", "since=2026-01-01")
        self.env = env

    def folder(self, name: str) -> Path:
        folder = self.tmp_path / name
        folder.mkdir(exist_ok=True)
        return folder

    def start(self, name: str) -> subprocess.Popen:
        folder = self.folder(name)
        command = crawl_command(folder, *self.command_arguments, settings=WORKER_SETTINGS, feed=False)
        log = open(folder / "log", "a")  # noqa: SIM115 - the child writes it
        return subprocess.Popen(command, cwd=REPO, env=self.env, stderr=log, start_new_session=True)

    def finish(self, name: str, process: subprocess.Popen, timeout: float = 300) -> dict:
        returncode = process.wait(timeout=timeout)
        log = (self.folder(name) / "log").read_text()
        assert returncode == 0, log[-3000:]
        assert "Traceback" not in log, log[log.find("Traceback") - 500 :][:3000]
        return read_stats(self.folder(name))


@pytest.fixture
def env(mongo_server: MongoServer, mongo_db: Database, redis_server: RedisServer, redis_client: redis.Redis) -> dict:
    return {**os.environ, **store_env(mongo_server, mongo_db), "REDIS_URL": redis_server.url}


def kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def test_two_workers_store_every_article_once_and_share_the_work(
    mongo_db: Database, redis_client: redis.Redis, env: dict, tmp_path: Path
) -> None:
    with ReplicaServer(ReplicaSite(articles=400, seed=8, slow_seconds=0.5), port=0) as server:
        workers = Workers(tmp_path, server, env)
        first, second = workers.start("a"), workers.start("b")
        stats = [workers.finish("a", first), workers.finish("b", second)]
        expected = storable_urls(server)

        assert_stored_exactly_once(mongo_db, expected)
        assert all(s["frontier/dequeued"] > 0 for s in stats), "both workers took requests from the queue"
        assert sum(s.get("store/new", 0) for s in stats) == len(expected)
        fetched = article_fetches(server)
        assert fetched < 1.15 * len(expected), f"{fetched} article fetches for {len(expected)}: work done twice"
        (run_key,) = redis_client.keys("frontier:*:run")
        assert redis_client.hget(run_key, "state") == b"done", "the last worker out ends the run"


def test_a_worker_killed_mid_crawl_loses_nothing_and_its_restart_stores_nothing_twice(
    mongo_db: Database, env: dict, tmp_path: Path
) -> None:
    with ReplicaServer(ReplicaSite(articles=600, seed=8, slow_seconds=0.5), port=0) as server:
        workers = Workers(tmp_path, server, env)
        killed, survivor = workers.start("killed"), workers.start("survivor")
        try:
            wait_until_stored(mongo_db, killed, 150, timeout=120)
            kill(killed)
            survived = workers.finish("survivor", survivor)
        finally:
            killed.kill()
            survivor.kill()
        expected = storable_urls(server)

        assert_stored_exactly_once(mongo_db, expected)
        assert survived.get("frontier/reaped", 0) > 0, "the killed worker's leased requests came back"
        print(f"kill: survivor reaped {survived['frontier/reaped']} requests, stored {survived['store/new']}")

        fetched_before = article_fetches(server)
        restarted = workers.finish("killed", workers.start("killed"))
        assert_stored_exactly_once(mongo_db, expected)
        assert restarted.get("store/new", 0) == 0, "what the killed worker had read is stored already"
        assert article_fetches(server) - fetched_before < len(expected) / 2, "the next run re-fetches what changed"


def test_a_restarted_worker_resumes_the_run_from_the_shared_queue(
    mongo_db: Database, redis_client: redis.Redis, env: dict, tmp_path: Path
) -> None:
    with ReplicaServer(ReplicaSite(articles=600, seed=8, slow_seconds=0.5), port=0) as server:
        workers = Workers(tmp_path, server, env)
        process = workers.start("worker")
        try:
            wait_until_stored(mongo_db, process, 150, timeout=120)
            kill(process)
        finally:
            process.kill()
        (run_key,) = redis_client.keys("frontier:*:run")
        assert redis_client.hget(run_key, "state") == b"running"

        resumed = workers.finish("worker", workers.start("worker"))
        expected = storable_urls(server)

        assert_stored_exactly_once(mongo_db, expected)
        assert resumed["frontier/run"] == 1, "the restart joined the run the killed worker left"
        assert resumed.get("frontier/reaped", 0) > 0
        assert resumed.get("frontier/duplicate", 0) > 0, "its seeds were seen already: no start over"
        assert article_fetches(server) < 1.3 * len(expected), "the restart did not fetch everything again"
