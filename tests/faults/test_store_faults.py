"""Store faults: the database down at start, away for 30 s, away past the outage limit
mid-crawl and at the last flush, its PostgreSQL away, a spill directory that is
read-only or fills up. Nothing is lost, nothing duplicated, and a
run that leaves anything unstored never exits 0."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from pymongo.database import Database

from devservers.ferretdb import MongoServer
from replica.model import ReplicaSite
from replica.server import ReplicaServer
from tests.crawling import REPO, crawl_command, read_stats, run_crawl
from tests.faults.accounting import assert_stored_exactly_once, storable_urls, store_env
from tests.faults.conftest import assert_no_traceback, tmpfs, wait_until, wait_until_stored

pytestmark = pytest.mark.slow
SINCE = "since=2026-01-01"


def start_crawl(
    tmp_path: Path, server: ReplicaServer, env: dict[str, str], settings: dict[str, str]
) -> subprocess.Popen[str]:
    command = crawl_command(tmp_path, f"base_url={server.base_url}", "sources=sitemap", SINCE, settings=settings)
    return subprocess.Popen(command, cwd=REPO, env={**os.environ, **env}, stderr=subprocess.PIPE, text=True)


def test_postgresql_away_30_seconds_behind_ferretdb_loses_nothing(
    mongo: MongoServer, database: Database, tmp_path: Path
) -> None:
    """FerretDB answers InternalError (code 1) while its PostgreSQL is down: an outage,
    retried like a lost connection (before: tracebacks, items dropped, exit 0)."""
    with ReplicaServer(ReplicaSite(articles=600, seed=8, slow_seconds=0.5), port=0) as server:
        settings = {"STORE_BATCH_SIZE": "20", "STORE_FLUSH_SECONDS": "0.5", "CONCURRENT_REQUESTS": "4"}
        process = start_crawl(tmp_path, server, store_env(mongo, database), settings)
        try:
            wait_until(lambda: database.articles.count_documents({}) >= 60, process, 60, "60 stored")
            mongo.stop_postgres()
            time.sleep(30)
            assert process.poll() is None, "the crawl waits for the server instead of giving up"
            mongo.start_postgres()
            _, stderr = process.communicate(timeout=300)
        finally:
            process.kill()
        assert process.returncode == 0, stderr[-3000:]
        assert_no_traceback(stderr)
        stats = read_stats(tmp_path)
        assert stats["store/retries"] > 0 and "store/unsaved" not in stats
        assert not [key for key in stats if key.startswith("dropped/store/")], stats
        assert_stored_exactly_once(database, storable_urls(server))
        assert stats["store/new"] == database.articles.count_documents({})
        (run,) = database.crawl_runs.find()
        assert run["status"] == "finished"
        assert database.crawl_locks.count_documents({}) == 0
        assert not list((tmp_path / "spill").glob("*.jsonl"))


def test_an_outage_at_the_last_flush_exits_4_and_the_next_run_replays_and_closes_it(
    mongo: MongoServer, database: Database, tmp_path: Path
) -> None:
    """Everything is written at the last flush, and the server is gone by then
    (before: exit 0, `finished`, the items left in the spill directory)."""
    env = store_env(mongo, database)
    with ReplicaServer(ReplicaSite(articles=200, seed=9, slow_seconds=0.5), port=0) as server:
        settings = {"STORE_BATCH_SIZE": "100000", "STORE_FLUSH_SECONDS": "3600", "STORE_OUTAGE_LIMIT_SECONDS": "3"}
        process = start_crawl(tmp_path, server, env, settings)
        try:
            wait_until(lambda: database.crawl_runs.count_documents({}) == 1, process, 60, "the run recorded")
            mongo.stop_ferretdb()
            _, stderr = process.communicate(timeout=300)
        finally:
            process.kill()
        assert process.returncode == 4, stderr[-3000:]
        stats = read_stats(tmp_path)
        spilled = sum(len(p.read_text().splitlines()) for p in (tmp_path / "spill").glob("*.jsonl"))
        assert spilled == stats["store/unsaved"] > 100
        assert f"{spilled} items are not stored" in stderr

        mongo.start_ferretdb()
        (killed,) = database.crawl_runs.find()
        assert killed["status"] == "running", "the server was away when the run ended"
        again = run_crawl(tmp_path, f"base_url={server.base_url}", "sources=sitemap", SINCE, env=env)
        assert again.returncode == 0, again.stderr[-3000:]
        assert again.stat("store/replayed") == spilled
        assert_stored_exactly_once(database, storable_urls(server))
        assert database.crawl_runs.find_one({"_id": killed["_id"]})["status"] == "abandoned"
        assert not list((tmp_path / "spill").glob("*.jsonl"))


def test_a_read_only_spill_directory_stops_the_run_before_it_fetches(
    mongo: MongoServer, database: Database, tmp_path: Path
) -> None:
    with tmpfs(tmp_path / "spill", "ro,size=1m"), ReplicaServer(ReplicaSite(articles=100, seed=3), port=0) as server:
        result = run_crawl(
            tmp_path, f"base_url={server.base_url}", "sources=sitemap", SINCE, env=store_env(mongo, database)
        )
        fetched = server.stats()["by_kind"]
    assert result.returncode == 4, result.stderr[-3000:]
    assert "spill directory" in result.stderr and "cannot be written" in result.stderr
    assert_no_traceback(result.stderr)
    assert fetched.get("article", 0) == 0, "nothing fetched that could not be kept safe"
    assert database.articles.count_documents({}) == 0


def test_a_spill_directory_that_fills_up_stops_the_crawl_and_stores_what_was_read(
    mongo: MongoServer, database: Database, tmp_path: Path
) -> None:
    """Before: the store up, yet 0 of 1,004 stored, an OSError traceback per item, exit 0."""
    with tmpfs(tmp_path / "spill", "size=256k"), ReplicaServer(ReplicaSite(articles=600, seed=4), port=0) as server:
        result = run_crawl(
            tmp_path,
            f"base_url={server.base_url}",
            "sources=sitemap",
            SINCE,
            settings={"STORE_BATCH_SIZE": "400", "STORE_FLUSH_SECONDS": "3600"},
            env=store_env(mongo, database),
        )
        storable = storable_urls(server)
    assert result.returncode == 4, result.stderr[-3000:]
    assert result.stderr.count("cannot write the journal") == 1
    assert_no_traceback(result.stderr)
    stored = database.articles.count_documents({})
    assert result.stat("store/journal_errors") > 0
    assert result.stat("store/new") == stored == result.stat("item_scraped_count") > 0, "every item read is stored"
    assert stored < len(storable), "the crawl stopped"
    (run,) = database.crawl_runs.find()
    assert run["finish_reason"] == "spill_unwritable" and run["status"] == "failed"


def test_database_down_at_start_fails_fast_with_one_line(tmp_path: Path) -> None:
    env = {"STORE_ENABLED": "1", "MONGO_URI": "mongodb://crawler:secret@127.0.0.1:9/", "STORE_SERVER_TIMEOUT_MS": "500"}
    result = run_crawl(tmp_path, "base_url=http://127.0.0.1:9", settings={"STORE_SERVER_TIMEOUT_MS": "500"}, env=env)
    assert result.returncode == 3
    last = result.stderr.strip().splitlines()[-1]
    assert "MongoDB at mongodb://crawler:***@127.0.0.1:9/ is unreachable" in last
    assert "secret" not in result.stderr and "Traceback" not in result.stderr
    assert result.stats == {}, "the crawl never started"


def test_database_outage_of_30_seconds_loses_and_duplicates_nothing(
    mongo: MongoServer, database: Database, tmp_path: Path
) -> None:
    with ReplicaServer(ReplicaSite(articles=800, seed=6, slow_seconds=0.5), port=0) as server:
        command = crawl_command(
            tmp_path,
            f"base_url={server.base_url}",
            "sources=sitemap",
            SINCE,
            settings={"STORE_BATCH_SIZE": "20", "STORE_FLUSH_SECONDS": "0.5", "CONCURRENT_REQUESTS": "4"},
        )
        process = subprocess.Popen(command, cwd=REPO, env={**os.environ, **store_env(mongo, database)})
        try:
            wait_until_stored(database, process, 60)
            mongo.stop_ferretdb()
            time.sleep(30)
            assert process.poll() is None, "the crawl waits for the server instead of giving up"
            mongo.start_ferretdb()
            assert process.wait(timeout=300) == 0
        finally:
            process.kill()
        stats = read_stats(tmp_path)
        assert stats["store/retries"] > 0
        assert_stored_exactly_once(database, storable_urls(server))
        assert stats["store/new"] == database.articles.count_documents({})
        assert not list((tmp_path / "spill").glob("*.jsonl")), "nothing left behind"
        (run,) = database.crawl_runs.find()
        assert run["status"] == "finished" and database.crawl_locks.count_documents({}) == 0


def test_outage_past_the_limit_spills_and_the_next_run_replays(
    mongo: MongoServer, database: Database, tmp_path: Path
) -> None:
    env = store_env(mongo, database)
    with ReplicaServer(ReplicaSite(articles=400, seed=7, slow_seconds=0.5), port=0) as server:
        command = crawl_command(
            tmp_path,
            f"base_url={server.base_url}",
            "sources=sitemap",
            SINCE,
            settings={"STORE_BATCH_SIZE": "20", "STORE_OUTAGE_LIMIT_SECONDS": "3", "CONCURRENT_REQUESTS": "4"},
        )
        process = subprocess.Popen(command, cwd=REPO, env={**os.environ, **env}, stderr=subprocess.PIPE, text=True)
        try:
            wait_until_stored(database, process, 40)
            mongo.stop_ferretdb()
            _, stderr = process.communicate(timeout=120)
        finally:
            process.kill()
        assert process.returncode == 4, stderr[-2000:]
        assert "unsaved items stay in" in stderr
        spilled = list((tmp_path / "spill").glob("*.jsonl"))
        assert spilled and sum(len(p.read_text().splitlines()) for p in spilled) >= 20
        mongo.start_ferretdb()
        stored_before = database.articles.count_documents({})
        again = run_crawl(tmp_path, f"base_url={server.base_url}", "sources=sitemap", SINCE, env=env)
        assert again.returncode == 0, again.stderr[-2000:]
        assert again.stat("store/replayed") >= 20
        assert_stored_exactly_once(database, storable_urls(server))
        assert database.articles.count_documents({}) > stored_before
        assert not list((tmp_path / "spill").glob("*.jsonl"))
        runs = {run["_id"]: run["status"] for run in database.crawl_runs.find()}
        assert runs.pop(again.stats["crawl_run/id"]) == "finished"
        assert list(runs.values()) == ["abandoned"], "the stopped run, recorded while the server was away, is closed"
