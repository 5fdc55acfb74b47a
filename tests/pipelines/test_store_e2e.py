"""The whole job into a real server (FerretDB): incremental re-crawls and faults.

Each test crawls the local replica with `scrapy crawl franceinfo` in a subprocess,
as cron does, and checks what the server holds afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pymongo
import pytest
from pymongo.database import Database

from devservers.ferretdb import MongoServer
from replica.model import ReplicaSite
from replica.server import ReplicaServer
from tests.crawling import REPO, crawl_command, read_stats, run_crawl

pytestmark = pytest.mark.slow
SINCE = "since=2026-01-01"


@pytest.fixture(scope="module")
def mongo() -> Iterator[MongoServer]:
    """A server of this module's own: these tests stop and restart it."""
    with MongoServer() as server:
        yield server


@pytest.fixture
def database(mongo: MongoServer, request: pytest.FixtureRequest) -> Iterator[pymongo.database.Database]:
    mongo.start_ferretdb()
    client = pymongo.MongoClient(mongo.uri, tz_aware=True)
    name = "e2e_" + request.node.name[:40].replace("[", "_").replace("]", "_")
    client.drop_database(name)
    yield client[name]
    mongo.start_ferretdb()
    client.drop_database(name)
    client.close()


def store_env(mongo: MongoServer, database: pymongo.database.Database) -> dict[str, str]:
    return {"STORE_ENABLED": "1", "MONGO_URI": mongo.uri, "MONGO_DATABASE": database.name}


def replica_json(server: ReplicaServer, path: str, payload: dict | None = None) -> dict:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(server.base_url + path, data=data, method="POST" if data else "GET")
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def storable_urls(server: ReplicaServer) -> set[str]:
    return {a["url"] for a in replica_json(server, "/_replica/articles.json")["articles"]}


def article_fetches(server: ReplicaServer) -> int:
    by_kind = replica_json(server, "/_replica/stats.json")["by_kind"]
    return by_kind.get("article", 0) + by_kind.get("quirk", 0)


def assert_stored_exactly_once(database: Database, expected: set[str]) -> None:
    urls = [doc["url"] for doc in database.articles.find({}, {"url": 1})]
    assert len(urls) == len(set(urls)), "a document stored twice"
    assert set(urls) == expected


def wait_until_stored(database: Database, process: subprocess.Popen, count: int, timeout: float = 60) -> None:
    """Until the running crawl has stored `count` articles; it must not have ended."""
    deadline = time.monotonic() + timeout
    while database.articles.count_documents({}) < count:
        assert process.poll() is None, "the crawl ended before storing enough"
        assert time.monotonic() < deadline, f"fewer than {count} articles stored after {timeout} s"
        time.sleep(0.05)


def test_database_down_at_start_fails_fast_with_one_line(tmp_path: Path) -> None:
    env = {"STORE_ENABLED": "1", "MONGO_URI": "mongodb://crawler:secret@127.0.0.1:9/", "STORE_SERVER_TIMEOUT_MS": "500"}
    result = run_crawl(tmp_path, "base_url=http://127.0.0.1:9", settings={"STORE_SERVER_TIMEOUT_MS": "500"}, env=env)
    assert result.returncode == 3
    last = result.stderr.strip().splitlines()[-1]
    assert "MongoDB at mongodb://crawler:***@127.0.0.1:9/ is unreachable" in last
    assert "secret" not in result.stderr and "Traceback" not in result.stderr
    assert result.stats == {}, "the crawl never started"


def test_incremental_recrawl_fetches_little_and_stores_exactly_the_changes(
    mongo: MongoServer, database: pymongo.database.Database, tmp_path: Path
) -> None:
    env = store_env(mongo, database)
    site = ReplicaSite(articles=2000, seed=5, slow_seconds=0.5)
    with ReplicaServer(site, port=0) as server:
        base = f"base_url={server.base_url}"
        first = run_crawl(tmp_path, base, "sources=sitemap", SINCE, env=env)
        assert first.returncode == 0, first.stderr[-2000:]
        expected = storable_urls(server)
        assert_stored_exactly_once(database, expected)
        assert first.stat("store/new") == len(expected) == database.articles.count_documents({})
        run = database.crawl_runs.find_one({"_id": first.stats["crawl_run/id"]})
        assert run["status"] == "finished" and run["counts"]["store/new"] == len(expected)

        server.reset_stats()
        second = run_crawl(tmp_path, base, "sources=sitemap", SINCE, env=env)
        assert second.returncode == 0, second.stderr[-2000:]
        assert article_fetches(server) <= 0.02 * 2000
        assert second.stat("incremental/skipped/unchanged_lastmod") >= len(expected) - 5
        assert second.stat("store/new") == second.stat("store/updated") == 0

        before = {d["url"]: (d["last_seen_at"], d["revision"]) for d in database.articles.find()}
        revisions_before = database.article_revisions.count_documents({})
        change = replica_json(server, "/_replica/advance", {"publish": 20, "edit": 49, "minutes": 30})
        edited, published = set(change["edited"]), set(change["published"])
        assert len(edited) == 50 and len(published) == 20

        third = run_crawl(tmp_path, base, "sources=sitemap", SINCE, env=env)
        assert third.returncode == 0, third.stderr[-2000:]
        assert (third.stat("store/new"), third.stat("store/updated")) == (20, 50)
        assert database.article_revisions.count_documents({}) == revisions_before + 50
        assert database.articles.count_documents({}) == len(expected) + 20
        after = {d["url"]: (d["last_seen_at"], d["revision"]) for d in database.articles.find()}
        touched = {url for url in after if before.get(url) != after[url]}
        redirected = {
            q["canonical"]
            for q in replica_json(server, "/_replica/quirks.json")["quirks"]
            if q["case"] == "redirect_chain"
        }
        assert touched - redirected == edited | published, "nothing but the edited and new articles was written"
        for url in touched & redirected - edited:
            assert after[url][1] == before[url][1], "a URL that redirects is fetched again: its target is only seen"
        assert all(after[url][1] == before[url][1] + 1 for url in edited)


def test_database_outage_of_30_seconds_loses_and_duplicates_nothing(
    mongo: MongoServer, database: pymongo.database.Database, tmp_path: Path
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


def test_outage_past_the_limit_spills_and_the_next_run_replays(
    mongo: MongoServer, database: pymongo.database.Database, tmp_path: Path
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


def test_sigkill_then_resume_with_the_same_jobdir_stores_everything_once(
    mongo: MongoServer, database: pymongo.database.Database, tmp_path: Path
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


def test_overlapping_runs_one_waits_its_turn(
    mongo: MongoServer, database: pymongo.database.Database, tmp_path: Path
) -> None:
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
