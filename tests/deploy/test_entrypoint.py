"""deploy/entrypoint.sh outside Docker: each command, arguments passed through untouched,
and one line with status 2 for what it refuses."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.crawling import REPO
from tests.deploy.conftest import entrypoint_env

ENTRYPOINT = REPO / "deploy" / "entrypoint.sh"


def entrypoint(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ENTRYPOINT), *args],
        env=entrypoint_env(data_dir, **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_entrypoint_is_an_executable_bash_script() -> None:
    assert os.access(ENTRYPOINT, os.X_OK)
    assert ENTRYPOINT.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")
    subprocess.run(["bash", "-n", str(ENTRYPOINT)], check=True)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["crawl", "-a", "sources=rss", "-a", "urls=a b,c'd"], ["-m", "scrapy", "crawl", "franceinfo", "-a", "sources=rss", "-a", "urls=a b,c'd"]),
        (["health", "--max-age-minutes", "10"], ["-m", "crawler.health", "--max-age-minutes", "10"]),
        (["report", "--out", "/tmp/r.html", "--days", "3"], ["-m", "crawler.report", "--out", "/tmp/r.html", "--days", "3"]),
    ],
)  # fmt: skip
def test_commands_pass_their_arguments_through(args: list[str], expected: list[str], tmp_path: Path) -> None:
    process = entrypoint(*args, data_dir=tmp_path, ENTRYPOINT_DRY_RUN="1")
    assert process.returncode == 0, process.stderr
    assert shlex.split(process.stdout) == ["python3", *expected]


def test_the_default_command_runs_the_schedule_from_the_environment(tmp_path: Path) -> None:
    schedule = tmp_path / "my.crontab"
    schedule.write_text("*/10 * * * * true\n")
    process = entrypoint(data_dir=tmp_path, ENTRYPOINT_DRY_RUN="1", CRAWL_SCHEDULE_FILE=str(schedule))
    assert process.returncode == 0, process.stderr
    assert shlex.split(process.stdout) == ["supercronic", "-no-reap", str(schedule)]
    default = entrypoint("run-scheduler", "-json", data_dir=tmp_path, ENTRYPOINT_DRY_RUN="1")
    assert shlex.split(default.stdout) == ["supercronic", "-no-reap", "-json", str(REPO / "deploy" / "crontab")]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["dance"], {}, "unknown command 'dance'"),
        (["backfill", "three"], {}, "backfill DAYS: DAYS must be a whole number of days, got 'three'"),
        (["run-scheduler"], {"CRAWL_SCHEDULE_FILE": "/nonexistent/crontab"}, "cannot read the schedule"),
        (["health"], {"APP_DIR": "/nonexistent"}, "APP_DIR=/nonexistent is not a directory"),
        (["health"], {"PYTHON": "no-such-python"}, "no no-such-python on PATH"),
    ],
)
def test_refusals_exit_2_with_one_line(args: list[str], env: dict[str, str], message: str, tmp_path: Path) -> None:
    process = entrypoint(*args, data_dir=tmp_path, **env)
    assert process.returncode == 2
    lines = process.stderr.strip().splitlines()
    assert lines[-1].startswith(f"entrypoint: {message}"), process.stderr
    if args != ["dance"]:
        assert len(lines) == 1, "one line (an unknown command also gets the usage)"


def test_a_real_crawl_gets_the_arguments_and_its_exit_status_comes_back(tmp_path: Path) -> None:
    """Without a dry run: the crawl command itself refuses the bad date, with status 2."""
    process = entrypoint("crawl", "-a", "since=2020-13-01", data_dir=tmp_path)
    assert process.returncode == 2
    assert process.stderr.strip().splitlines() == [
        "franceinfo: bad argument: since must be a date YYYY-MM-DD, got '2020-13-01'"
    ]
