"""A JOBDIR resumes after a graceful stop, and a corrupt one is set aside with one
line instead of failing every later run."""

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
from tests.crawling import REPO, crawl_command, run_crawl
from tests.faults.accounting import assert_stored_exactly_once, storable_urls, store_env
from tests.faults.conftest import assert_no_traceback, wait_until

pytestmark = pytest.mark.slow
SINCE = "since=2026-01-01"


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_run_stopped_gracefully_resumes_from_its_jobdir(
    mongo: MongoServer, database: Database, tmp_path: Path, stop: signal.Signals
) -> None:
    env = store_env(mongo, database)
    jobdir = tmp_path / "jobdir"
    settings = {"JOBDIR": str(jobdir), "CLOSESPIDER_TIMEOUT": "120", "STORE_FLUSH_SECONDS": "0.5"}
    with ReplicaServer(ReplicaSite(articles=400, seed=11, slow_seconds=0.5), port=0) as server:
        command = crawl_command(
            tmp_path, f"base_url={server.base_url}", "sources=sitemap", SINCE,
            settings={**settings, "DOWNLOAD_DELAY": "0.02", "CONCURRENT_REQUESTS_PER_DOMAIN": "2"},
        )  # fmt: skip
        process = subprocess.Popen(command, cwd=REPO, env={**os.environ, **env}, stderr=subprocess.PIPE, text=True)
        try:
            wait_until(lambda: database.articles.count_documents({}) >= 40, process, 90, "40 stored")
            process.send_signal(stop)
            _, stderr = process.communicate(timeout=60)
        finally:
            process.kill()
        assert process.returncode == 143, stderr[-3000:]
        assert (jobdir / "requests.queue").is_dir()
        resumed = run_crawl(
            tmp_path, f"base_url={server.base_url}", "sources=sitemap", SINCE, settings=settings, env=env
        )
        expected = storable_urls(server)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "set aside" not in resumed.stderr, "a queue closed by a graceful stop is sound"
    assert resumed.stat("scheduler/dequeued/disk") > 0, "the queue was resumed"
    assert_stored_exactly_once(database, expected)
    assert not jobdir.exists(), "a finished run clears its JOBDIR"


@pytest.mark.parametrize(
    ("path", "garbage"),
    [
        ("requests.queue/active.json", b"\x00\x01 not json"),
        ("requests.queue/active.json", b'{"127.0.0.1": "a string"}'),
        ("spider.state", b"\x80\x04garbage, not a pickle"),
    ],
)
def test_a_corrupt_jobdir_is_set_aside_with_one_line(
    mongo: MongoServer, database: Database, tmp_path: Path, path: str, garbage: bytes
) -> None:
    jobdir = tmp_path / "jobdir"
    (jobdir / path).parent.mkdir(parents=True, exist_ok=True)
    (jobdir / path).write_bytes(garbage)
    with ReplicaServer(ReplicaSite(articles=60, seed=12, slow_seconds=0.5), port=0) as server:
        result = run_crawl(
            tmp_path, f"base_url={server.base_url}", "sources=sitemap", SINCE,
            settings={"JOBDIR": str(jobdir)}, env=store_env(mongo, database),
        )  # fmt: skip
        expected = storable_urls(server)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr.count("JOBDIR") >= 1 and result.stderr.count("set aside") == 1, result.stderr[-2000:]
    assert_no_traceback(result.stderr)
    assert_stored_exactly_once(database, expected)
    assert list(tmp_path.glob("jobdir.corrupt-*")), "kept for a look, out of the way"
