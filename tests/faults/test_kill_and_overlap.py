"""A crawl killed (SIGKILL), stopped (SIGTERM, as `docker stop` does), or overlapping
another run: nothing lost, nothing stored twice, and the next run takes over."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
from pymongo.database import Database

from devservers.ferretdb import MongoServer
from replica.model import ReplicaSite
from replica.server import ReplicaServer
from tests.crawling import REPO, crawl_command, read_stats, run_crawl
from tests.faults.accounting import (
    article_fetches,
    assert_nothing_duplicated,
    assert_stored_exactly_once,
    storable_urls,
    store_env,
)
from tests.faults.conftest import wait_until_stored

pytestmark = pytest.mark.slow
SINCE = "since=2026-01-01"


def test_sigkill_then_resume_with_the_same_jobdir_stores_everything_once(
    mongo: MongoServer, database: Database, tmp_path: Path
) -> None:
    env = {**os.environ, **store_env(mongo, database)}
    with ReplicaServer(ReplicaSite(articles=1000, seed=8, slow_seconds=0.5), port=0) as server:
        settings = {"JOBDIR": str(tmp_path / "job"), "STORE_BATCH_SIZE": "50", "CONCURRENT_REQUESTS": "8"}
        command = crawl_command(tmp_path, f"base_url={server.base_url}", "sources=sitemap", SINCE, settings=settings)
        process = subprocess.Popen(command, cwd=REPO, env=env, start_new_session=True)
        try:
            wait_until_stored(database, process, 150)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        finally:
            process.kill()
        assert (tmp_path / "job").exists()
        killed_at = database.articles.count_documents({})
        fetched_before = article_fetches(server)
        resumed = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        (tmp_path / "resumed.log").write_text(resumed.stderr)
        assert resumed.returncode == 0, resumed.stderr[-2000:]
        expected = storable_urls(server)
        assert_stored_exactly_once(database, expected)
        stats = read_stats(tmp_path)
        assert stats["store/new"] + stats.get("store/replayed", 0) >= len(expected) - killed_at
        assert article_fetches(server) - fetched_before < len(expected), "the resumed run did not start over"
        assert not (tmp_path / "job").exists(), "a finished run clears its JOBDIR"
        runs = {run["_id"]: run["status"] for run in database.crawl_runs.find()}
        assert runs.pop(stats["crawl_run/id"]) == "finished"
        assert list(runs.values()) == ["abandoned"], "the killed run is closed by the one that took over"


def test_overlapping_runs_one_waits_its_turn(mongo: MongoServer, database: Database, tmp_path: Path) -> None:
    env = {**os.environ, **store_env(mongo, database)}
    with ReplicaServer(ReplicaSite(articles=600, seed=9, slow_seconds=0.5), port=0) as server:
        first_dir, second_dir = tmp_path / "first", tmp_path / "second"
        first_dir.mkdir()
        second_dir.mkdir()
        arguments = (f"base_url={server.base_url}", "sources=sitemap", SINCE)
        slow = {"CONCURRENT_REQUESTS": "2"}
        first = subprocess.Popen(crawl_command(first_dir, *arguments, settings=slow), cwd=REPO, env=env)
        try:
            wait_until_stored(database, first, 20)
            same_site = (f"base_url={server.base_url}/", *arguments[1:])  # another spelling, the same lock
            second = subprocess.run(
                crawl_command(second_dir, *same_site), cwd=REPO, env=env, capture_output=True, text=True, timeout=120
            )
            assert second.returncode == 75
            assert "another run holds the lock" in second.stderr.strip().splitlines()[-1]
            assert first.wait(timeout=300) == 0
        finally:
            first.kill()
        assert_stored_exactly_once(database, storable_urls(server))
        third = run_crawl(
            second_dir, *arguments, env={"STORE_ENABLED": "1", "MONGO_URI": mongo.uri, "MONGO_DATABASE": database.name}
        )
        assert third.returncode == 0, "the lock was released at the end of the first run"
        assert {run["status"] for run in database.crawl_runs.find()} == {"finished"}


def test_sigterm_stops_gracefully_and_the_next_run_resumes_from_the_jobdir(
    mongo: MongoServer, database: Database, tmp_path: Path
) -> None:
    """`docker stop`: requests in flight end, what was read is stored, the run is
    recorded `stopped`, the lock released, the JOBDIR kept, exit 143."""
    env = {**os.environ, **store_env(mongo, database)}
    with ReplicaServer(ReplicaSite(articles=800, seed=10, slow_seconds=0.5), port=0) as server:
        settings = {"JOBDIR": str(tmp_path / "job"), "STORE_BATCH_SIZE": "20", "CONCURRENT_REQUESTS": "4"}
        command = crawl_command(tmp_path, f"base_url={server.base_url}", "sources=sitemap", SINCE, settings=settings)
        process = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
        try:
            wait_until_stored(database, process, 100)
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=120)
        finally:
            process.kill()
        assert process.returncode == 143, stderr[-3000:]
        assert "Traceback" not in stderr
        stopped = read_stats(tmp_path)
        assert stopped["store/new"] == database.articles.count_documents({}), "what was read is stored"
        assert_nothing_duplicated(database)
        (run,) = database.crawl_runs.find()
        assert run["status"] == "stopped"
        assert database.crawl_locks.count_documents({}) == 0
        assert (tmp_path / "job").exists(), "kept for the next run"

        resumed = run_crawl(
            tmp_path, f"base_url={server.base_url}", "sources=sitemap", SINCE, settings=settings, env=env
        )
        assert resumed.returncode == 0, resumed.stderr[-3000:]
        assert_stored_exactly_once(database, storable_urls(server))
        assert resumed.stat("store/new") == len(storable_urls(server)) - stopped["store/new"]
        assert not (tmp_path / "job").exists(), "a finished run clears its JOBDIR"
