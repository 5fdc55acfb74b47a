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
from tests.faults.conftest import wait_until, wait_until_stored

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

    def __init__(self, tmp_path: Path, server: ReplicaServer, env: dict[str, str], sources: str = "sitemap") -> None:
        self.tmp_path = tmp_path
        self.command_arguments = (f"base_url={server.base_url}", f"sources={sources}", "since=2026-01-01")
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
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"worker {name} still running after {timeout:.0f} s\n{self.diagnosis()}")
        log = (self.folder(name) / "log").read_text()
        assert returncode == 0, log[-3000:]
        assert "Traceback" not in log, log[log.find("Traceback") - 500 :][:3000]
        return read_stats(self.folder(name))

    def diagnosis(self) -> str:
        """What a hung run waits on: the frontier's keys, then each worker's log tail."""
        lines = []
        with redis.Redis.from_url(self.env["REDIS_URL"]) as server:
            for key in sorted(server.keys("frontier:*")):
                kind = server.type(key).decode()
                if kind == "hash":
                    value = {k.decode(): v.decode(errors="replace")[:120] for k, v in server.hgetall(key).items()}
                elif kind == "set":
                    value = sorted(m.decode() for m in server.smembers(key))[:20]
                elif kind == "zset":
                    value = f"{server.zcard(key)} queued"
                else:
                    value = server.get(key)
                lines.append(f"{key.decode()} ({kind}): {value}")
        for log in sorted(self.tmp_path.glob("*/log")):
            lines.append(f"--- {log.parent.name}/log, last lines:\n" + "\n".join(log.read_text().splitlines()[-40:]))
        return "\n".join(lines)


@pytest.fixture
def env(mongo_server: MongoServer, mongo_db: Database, redis_server: RedisServer, redis_client: redis.Redis) -> dict:
    return {**os.environ, **store_env(mongo_server, mongo_db), "REDIS_URL": redis_server.url}


def assert_run_closed_as_abandoned(db: Database, reaper: dict) -> None:
    """The killed worker's crawl_runs document, which it never completed, is closed
    by the worker that reaped it; the reaper's own is finished."""
    statuses = {run["frontier_worker"]: run["status"] for run in db.crawl_runs.find()}
    assert reaper["frontier/workers_reaped"] == 1
    assert statuses.pop(reaper["frontier/worker"]) == "finished"
    assert list(statuses.values()) == ["abandoned"], statuses


def leases_held(server: redis.Redis, process: subprocess.Popen) -> int:
    """Requests the worker of this process has taken and not yet processed."""
    held = 0
    for workers_key in server.keys("frontier:*:workers"):
        prefix = workers_key.decode().removesuffix(":workers")
        for member in server.smembers(workers_key):
            if f"-{process.pid}-" in member.decode():
                held += server.hlen(f"{prefix}:leases:{member.decode()}")
    return held


def kill_mid_crawl(db: Database, server: redis.Redis, process: subprocess.Popen) -> None:
    """SIGKILL once 150 articles are stored and while this worker holds leases: on a
    loaded machine one worker may store the first 150 before the other has taken any."""
    wait_until_stored(db, process, 150, timeout=120)
    wait_until(lambda: leases_held(server, process) > 0, process, 60, "leases held by the worker to kill")
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def test_two_workers_store_every_article_once_and_share_the_work(
    mongo_db: Database, redis_client: redis.Redis, env: dict, tmp_path: Path
) -> None:
    with ReplicaServer(ReplicaSite(articles=400, seed=8, slow_seconds=0.5), port=0) as server:
        workers = Workers(tmp_path, server, env, sources="sitemap,rss")
        first, second = workers.start("a"), workers.start("b")
        stats = [workers.finish("a", first), workers.finish("b", second)]
        expected = storable_urls(server)

        assert_stored_exactly_once(mongo_db, expected)
        assert all(s["frontier/dequeued"] > 0 for s in stats), "both workers took requests from the queue"
        assert sum(s.get("store/new", 0) for s in stats) == len(expected)
        fetched = article_fetches(server)
        print(f"two workers: {fetched} article fetches for {len(expected)} articles")
        # Above one fetch an article: the replica's live and client-side pages go
        # through the browser after a plain fetch, and its faults are retried.
        assert fetched < 1.10 * len(expected), f"{fetched} article fetches for {len(expected)}: work done twice"
        (run_key,) = redis_client.keys("frontier:*:run")
        assert redis_client.hget(run_key, "state") == b"done", "the last worker out ends the run"


def test_a_worker_killed_mid_crawl_loses_nothing_and_its_restart_stores_nothing_twice(
    mongo_db: Database, redis_client: redis.Redis, env: dict, tmp_path: Path
) -> None:
    with ReplicaServer(ReplicaSite(articles=600, seed=8, slow_seconds=0.5), port=0) as server:
        workers = Workers(tmp_path, server, env)
        killed, survivor = workers.start("killed"), workers.start("survivor")
        try:
            kill_mid_crawl(mongo_db, redis_client, killed)
            survived = workers.finish("survivor", survivor)
        finally:
            killed.kill()
            survivor.kill()
        expected = storable_urls(server)

        assert_stored_exactly_once(mongo_db, expected)
        assert survived.get("frontier/reaped", 0) > 0, "the killed worker's leased requests came back"
        assert_run_closed_as_abandoned(mongo_db, survived)
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
            kill_mid_crawl(mongo_db, redis_client, process)
        finally:
            process.kill()
        (run_key,) = redis_client.keys("frontier:*:run")
        assert redis_client.hget(run_key, "state") == b"running"

        resumed = workers.finish("worker", workers.start("worker"))
        expected = storable_urls(server)

        assert_stored_exactly_once(mongo_db, expected)
        assert resumed["frontier/run"] == 1, "the restart joined the run the killed worker left"
        assert resumed.get("frontier/reaped", 0) > 0
        assert_run_closed_as_abandoned(mongo_db, resumed)
        assert resumed.get("frontier/duplicate", 0) > 0, "its seeds were seen already: no start over"
        assert article_fetches(server) < 1.3 * len(expected), "the restart did not fetch everything again"


def test_a_worker_leaves_the_jobdir_alone_the_frontier_is_the_runs_state(
    mongo_db: Database, env: dict, tmp_path: Path
) -> None:
    """The crontab's JOBDIR sits on the volume every compose replica mounts: one
    worker finishing would clear it under the others."""
    jobdir = tmp_path / "jobdir"
    settings = {**WORKER_SETTINGS, "JOBDIR": str(jobdir), "JOBDIR_CLEAR_ON_FINISH": "False"}
    with ReplicaServer(ReplicaSite(articles=30, seed=8, slow_seconds=0.5), port=0) as server:
        workers = Workers(tmp_path, server, env)
        command = crawl_command(workers.folder("worker"), *workers.command_arguments, settings=settings, feed=False)
        process = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)

        assert process.returncode == 0, process.stderr[-3000:]
        assert f"JOBDIR {jobdir} not used: the run's state is the frontier in Redis" in process.stderr
        assert not jobdir.exists(), list(jobdir.iterdir())
        assert_stored_exactly_once(mongo_db, storable_urls(server))
