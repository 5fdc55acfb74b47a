"""crawler.health: the verdict from observations, then the command against a real
FerretDB: healthy after a real crawl, unhealthy when the last run is old or articles
arrive late, unreachable when nothing listens."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pymongo
import pytest

from crawler.health import HEALTHY, UNHEALTHY, UNREACHABLE, Observation, duration, judge, parse_args
from devservers.ferretdb import MongoServer
from tests.crawling import REPO
from tests.deploy.conftest import CrawledDatabase, entrypoint_env

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
AGE = timedelta(minutes=30)
LAG = timedelta(minutes=120)


def health(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.health", *args],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def test_a_recent_run_with_fresh_articles_is_healthy() -> None:
    verdict = judge(Observation("run-1", NOW - timedelta(minutes=4), [60, 600, 900]), NOW, AGE, LAG)
    assert verdict.status == HEALTHY
    assert verdict.message == (
        "health: ok: the last run run-1 finished 4 min ago; "
        "median freshness lag 10 min over 3 articles first seen in the last 30 min"
    )


def test_a_recent_run_without_new_articles_is_healthy() -> None:
    verdict = judge(Observation("run-1", NOW - timedelta(minutes=29), []), NOW, AGE, LAG)
    assert verdict.status == HEALTHY and "no new article" in verdict.message


@pytest.mark.parametrize(
    ("observation", "expected"),
    [
        (Observation(None, None, []), "no crawl run has finished successfully yet"),
        (Observation("run-1", NOW - timedelta(minutes=30), []), "finished 30 min ago (at 2026-11-25 11:30 UTC; limit 30 min)"),
        (Observation("run-1", NOW - timedelta(hours=3, minutes=5), [1]), "finished 3 h 05 min ago"),
        (Observation("run-1", NOW, [7200, 7200, 60]), "the median freshness lag of the 3 articles first seen in the last 30 min is 2 h 00 min (limit 2 h 00 min)"),
        (Observation("run-1", NOW, [60], ("franceinfo FranceinfoArticlePage lead: filled on 40% of 25 pages", "b", "c")), "extraction drift in the last run run-1: franceinfo FranceinfoArticlePage lead: filled on 40% of 25 pages (and 2 more alerts)"),
    ],
)  # fmt: skip
def test_unhealthy_verdicts_say_why(observation: Observation, expected: str) -> None:
    verdict = judge(observation, NOW, AGE, LAG)
    assert verdict.status == UNHEALTHY
    assert expected in verdict.message and "\n" not in verdict.message


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (59, "59 s"), (60, "1 min"), (3599, "59 min"), (3600, "1 h 00 min"), (90061, "1 d 1 h")],
)
def test_durations_read_well(seconds: int, text: str) -> None:
    assert duration(timedelta(seconds=seconds)) == text


def test_thresholds_default_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTH_MAX_AGE_MINUTES", "45")
    monkeypatch.setenv("HEALTH_MAX_LAG_MINUTES", "15")
    args = parse_args([])
    assert (args.max_age_minutes, args.max_lag_minutes) == (45, 15)
    assert parse_args(["--max-age-minutes", "5"]).max_age_minutes == 5


def test_a_bad_threshold_in_the_environment_is_one_line_and_status_2() -> None:
    process = health(env={"HEALTH_MAX_AGE_MINUTES": "half an hour"})
    assert process.returncode == UNREACHABLE
    assert one_line(process.stderr) == "health: HEALTH_MAX_AGE_MINUTES must be a number of minutes, got 'half an hour'"


@pytest.mark.slow
def test_healthy_after_a_real_crawl_run(crawled: CrawledDatabase, tmp_path: Path) -> None:
    """Through the entrypoint, as Docker's HEALTHCHECK would. The replica's backlog was
    published over 5 days, so its median lag is days: the lag limit is raised here and
    the next test shows the default one catching it."""
    process = subprocess.run(
        [str(REPO / "deploy" / "entrypoint.sh"), "health", "--max-lag-minutes", str(7 * 24 * 60)],
        env=entrypoint_env(tmp_path, MONGO_URI=crawled.uri, MONGO_DATABASE=crawled.name),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert process.returncode == HEALTHY, process.stderr
    run_id = crawled.crawl.stats["crawl_run/id"]
    assert one_line(process.stdout).startswith(f"health: ok: the last run {run_id} finished ")
    assert f"over {crawled.crawl.stat('store/new')} articles first seen in the last 30 min" in process.stdout
    assert process.stderr == ""


@pytest.mark.slow
def test_unhealthy_when_the_articles_first_seen_arrived_late(crawled: CrawledDatabase) -> None:
    process = health(env={"MONGO_URI": crawled.uri, "MONGO_DATABASE": crawled.name})
    assert process.returncode == UNHEALTHY
    assert one_line(process.stderr).startswith(
        f"health: the median freshness lag of the {crawled.crawl.stat('store/new')} articles first seen in the last 30 min is "
    )
    assert process.stdout == ""


@pytest.mark.slow
def test_unhealthy_when_the_last_successful_run_is_old(
    mongo_server: MongoServer, mongo_db: pymongo.database.Database
) -> None:
    now = datetime.now(UTC)
    mongo_db.crawl_runs.insert_many(
        [
            {"_id": "old", "run_id": "old", "status": "finished", "finished_at": now - timedelta(hours=2)},
            {"_id": "older", "run_id": "older", "status": "finished", "finished_at": now - timedelta(days=1)},
            {"_id": "failed", "run_id": "failed", "status": "failed", "finished_at": now - timedelta(minutes=1)},
            {"_id": "running", "run_id": "running", "status": "running", "finished_at": None},
        ]
    )
    process = health("--max-age-minutes", "60", env={"MONGO_URI": mongo_server.uri, "MONGO_DATABASE": mongo_db.name})
    assert process.returncode == UNHEALTHY
    assert one_line(process.stderr).startswith("health: the last successful run old finished 2 h 00 min ago (at ")
    assert one_line(process.stderr).endswith("UTC; limit 1 h 00 min)")


@pytest.mark.slow
def test_unhealthy_when_no_run_ever_finished(mongo_server: MongoServer, mongo_db: pymongo.database.Database) -> None:
    process = health(env={"MONGO_URI": mongo_server.uri, "MONGO_DATABASE": mongo_db.name})
    assert process.returncode == UNHEALTHY
    assert one_line(process.stderr) == "health: no crawl run has finished successfully yet"


@pytest.mark.slow
def test_unreachable_mongodb_is_status_2_in_a_few_seconds() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    process = health(env={"MONGO_URI": f"mongodb://crawler:s3cret@127.0.0.1:{port}/"})
    assert process.returncode == UNREACHABLE
    line = one_line(process.stderr)
    assert line.startswith(f"health: MongoDB at mongodb://crawler:***@127.0.0.1:{port}/ is unreachable: ")
    assert "s3cret" not in process.stderr + process.stdout
    assert time.monotonic() - started < 10
