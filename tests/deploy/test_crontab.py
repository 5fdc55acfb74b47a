"""deploy/crontab: valid cron (for supercronic itself, and for our parser of the
schedule checks), every job an entrypoint command, passes that never start
together, and the 5-minute job really crawling (the replica, into FerretDB)."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

import pymongo
import pytest

from devservers.ferretdb import MongoServer
from replica.server import ReplicaServer
from tests.crawling import REPO
from tests.deploy.conftest import LOOPBACK_ARGS, entrypoint_env
from tests.deploy.cronsyntax import FIELDS, CronError, CronJob, expand, parse_crontab

CRONTAB = REPO / "deploy" / "crontab"
ENTRYPOINT = '"$APP_DIR/deploy/entrypoint.sh"'


def jobs() -> list[CronJob]:
    return parse_crontab(CRONTAB.read_text(encoding="utf-8"))


def job_running(subcommand: str, *argument: str) -> CronJob:
    matching = [job for job in jobs() if job.words[1] == subcommand and all(a in job.words for a in argument)]
    assert len(matching) == 1, f"one job runs {subcommand} {argument}"
    return matching[0]


def news_job() -> CronJob:
    (job,) = [job for job in jobs() if job.words[1] == "crawl" and not any("sources=" in w for w in job.words)]
    return job


def dry_run(job: CronJob, data_dir: Path) -> list[str]:
    """What the job's line makes the entrypoint run, through `sh -c` as supercronic does."""
    process = subprocess.run(
        ["sh", "-c", job.command],
        env=entrypoint_env(data_dir, ENTRYPOINT_DRY_RUN="1"),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    return shlex.split(process.stdout)


@pytest.mark.parametrize(
    ("field", "position", "expected"),
    [
        ("*/5", 0, set(range(0, 60, 5))),
        ("5-55/5", 0, set(range(5, 56, 5))),
        ("0,30", 0, {0, 30}),
        ("0-2,4-23", 1, set(range(24)) - {3}),
        ("10/20", 0, {10, 30, 50}),
        ("jan-mar", 3, {1, 2, 3}),
        ("7", 4, {0}),
        ("mon-fri", 4, {1, 2, 3, 4, 5}),
    ],
)
def test_cron_fields_expand(field: str, position: int, expected: set[int]) -> None:
    _name, low, high, names = FIELDS[position]
    assert expand(field, low, high, names) == expected


@pytest.mark.parametrize(
    "line",
    [
        "60 * * * * true",
        "* 24 * * * true",
        "* * 0 * * true",
        "* * * 13 * true",
        "* * * * 8 true",
        "5-1 * * * * true",
        "*/0 * * * * true",
        "a * * * * true",
        "* * * * true",
        "1,,2 * * * * true",
        "* * * * * 2026 true",
    ],
)
def test_bad_cron_lines_are_refused(line: str) -> None:
    with pytest.raises(CronError):
        parse_crontab(line)


def supercronic() -> Path:
    """The image's cron at the Dockerfile's version, built by devservers/install.sh."""
    version = re.search(r"^ARG SUPERCRONIC_VERSION=(\S+)", (REPO / "Dockerfile").read_text(), re.MULTILINE)
    binary = REPO / ".cache" / f"supercronic-{version.group(1)}" / "supercronic"
    assert binary.exists(), f"{binary} missing: run devservers/install.sh"
    return binary


def test_supercronic_itself_accepts_the_crontab_and_refuses_a_broken_one(tmp_path: Path) -> None:
    check = subprocess.run([supercronic(), "-test", CRONTAB], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    broken = tmp_path / "crontab"
    broken.write_text(CRONTAB.read_text(encoding="utf-8") + "60 * * * * true\n", encoding="utf-8")
    assert subprocess.run([supercronic(), "-test", broken], capture_output=True, check=False).returncode != 0


def test_every_crontab_line_is_valid_cron_running_an_entrypoint_command() -> None:
    found = jobs()
    assert len(found) == 3
    usage = subprocess.run(
        [str(REPO / "deploy" / "entrypoint.sh"), "help"],
        env=entrypoint_env(Path("/nonexistent")),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for job in found:
        assert shlex.split(ENTRYPOINT) == job.words[:1], job.command
        assert f"\n  {job.words[1]} " in usage, f"line {job.line}: the entrypoint has no {job.words[1]!r} command"


def test_the_schedule_runs_news_every_5_minutes_sections_hourly_and_a_backfill_daily() -> None:
    news = news_job()
    assert news.values[0] == frozenset(range(5, 60, 5)) and len(news.values[1]) == 24
    sections = job_running("crawl", "sources=sections")
    assert len(sections.values[0]) == 1 and len(sections.values[1]) >= 23
    backfill = job_running("backfill")
    assert len(backfill.values[0]) == len(backfill.values[1]) == 1
    for job in jobs():
        assert job.values[2:] == (frozenset(range(1, 32)), frozenset(range(1, 13)), frozenset(range(7))), job.line


def test_no_two_passes_start_in_the_same_minute() -> None:
    """They would race for the run lock and one would be skipped at random."""
    starts: dict[tuple[int, int], int] = {}
    for job in jobs():
        for hour in job.values[1]:
            for minute in job.values[0]:
                assert (hour, minute) not in starts, (
                    f"lines {starts[(hour, minute)]} and {job.line} both at {hour}:{minute:02d}"
                )
                starts[(hour, minute)] = job.line


def test_each_pass_has_its_own_jobdir_and_the_shared_spill_dir(tmp_path: Path) -> None:
    jobdirs = set()
    for job in jobs():
        command = dry_run(job, tmp_path)
        assert command[1:5] == ["-m", "scrapy", "crawl", "franceinfo"], command
        settings = dict(command[i + 1].split("=", 1) for i, word in enumerate(command) if word == "-s")
        assert settings["STORE_SPILL_DIR"] == str(tmp_path / "spill")
        assert Path(settings["JOBDIR"]).parent == tmp_path / "jobdir"
        jobdirs.add(settings["JOBDIR"])
    assert len(jobdirs) == len(jobs())


def test_the_backfill_reads_the_archive_sitemaps_of_the_last_3_days(tmp_path: Path) -> None:
    command = dry_run(job_running("backfill"), tmp_path)
    arguments = [command[i + 1] for i, word in enumerate(command) if word == "-a"]
    assert "sources=sitemap" in arguments
    since = date.fromisoformat(next(a for a in arguments if a.startswith("since=")).removeprefix("since="))
    assert date.today() - since == timedelta(days=3)


@pytest.mark.slow
def test_the_5_minute_line_crawls_the_replica_into_mongodb(
    mongo_server: MongoServer, mongo_db: pymongo.database.Database, replica: ReplicaServer, tmp_path: Path
) -> None:
    extra = ["-a", f"base_url={replica.base_url}", *LOOPBACK_ARGS]
    env = entrypoint_env(tmp_path, MONGO_URI=mongo_server.uri, MONGO_DATABASE=mongo_db.name)
    process = subprocess.run(
        ["sh", "-c", f"{news_job().command} {shlex.join(extra)}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert process.returncode == 0, process.stderr[-3000:]
    run = mongo_db.crawl_runs.find_one()
    assert run["status"] == "finished" and run["finish_reason"] == "finished"
    assert run["arguments"] == {"base_url": replica.base_url}, "news sitemap + RSS: the default sources"
    stored = mongo_db.articles.count_documents({})
    assert stored >= 50 and run["counts"]["store/new"] == stored
    assert not (tmp_path / "jobdir" / "news").exists(), "a finished run clears its JOBDIR"


@pytest.mark.slow
def test_the_entrypoint_runs_the_news_line_under_supercronic(
    mongo_server: MongoServer, mongo_db: pymongo.database.Database, replica: ReplicaServer, tmp_path: Path
) -> None:
    """The image's default command for real: the entrypoint starts supercronic on a
    crontab holding the news line of deploy/crontab, made to fire every second
    (supercronic reads a seconds field) and pointed at the replica. Once a second run
    has started (so the first job has exited), a stop signal ends the scheduler and
    the run then going on (tests/deploy/test_scheduler.py checks how)."""
    extra = ["-a", f"base_url={replica.base_url}", *LOOPBACK_ARGS]
    schedule = tmp_path / "crontab"
    schedule.write_text(f"* * * * * * * {news_job().command} {shlex.join(extra)}\n", encoding="utf-8")
    data = tmp_path / "data"
    env = entrypoint_env(
        data, MONGO_URI=mongo_server.uri, MONGO_DATABASE=mongo_db.name, CRAWL_SCHEDULE_FILE=str(schedule)
    )
    env["PATH"] = f"{supercronic().parent}{os.pathsep}{env['PATH']}"
    scheduler = subprocess.Popen(
        [str(REPO / "deploy" / "entrypoint.sh"), "run-scheduler"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 180
        while mongo_db.crawl_runs.count_documents({}) < 2 and time.monotonic() < deadline:
            assert scheduler.poll() is None, "the scheduler stopped on its own"
            time.sleep(0.5)
    finally:
        scheduler.send_signal(signal.SIGTERM)
        output, errors = scheduler.communicate(timeout=120)
    assert scheduler.returncode == 0, output[-3000:]
    assert errors == "", "the entrypoint sends the scheduler's log to stdout"
    assert "job succeeded" in output, output[-3000:]
    runs = list(mongo_db.crawl_runs.find({}, sort=[("started_at", 1)]))
    assert runs[0]["status"] == "finished"
    assert all(run["status"] in ("finished", "stopped") for run in runs), "no run left running"
    assert mongo_db.articles.count_documents({}) == runs[0]["counts"]["store/new"] >= 50
    assert (data / "spill").is_dir() and (data / "jobdir").is_dir()
