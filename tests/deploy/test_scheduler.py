"""The image's default command outside Docker but as a container runs it: the
entrypoint as PID 1 of a pid namespace of its own (`unshare`), supercronic under
it, the news line of deploy/crontab firing against the replica. A stop signal (what
`docker stop` sends) stops the running crawl at once, and the next run resumes."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pymongo
import pytest

from devservers.ferretdb import MongoServer
from replica.model import ReplicaSite
from replica.server import ReplicaServer
from tests.crawling import REPO
from tests.deploy.conftest import LOOPBACK_ARGS, entrypoint_env
from tests.deploy.test_crontab import news_job, supercronic

ENTRYPOINT = REPO / "deploy" / "entrypoint.sh"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None, reason="a pid namespace needs root and unshare"
)


class Scheduler:
    """`entrypoint.sh run-scheduler` as PID 1 of a new pid namespace."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        env = {**env, "PATH": f"{supercronic().parent}{os.pathsep}{env['PATH']}"}
        self.outer = subprocess.Popen(
            ["unshare", "--pid", "--fork", "--mount-proc", str(ENTRYPOINT), "run-scheduler", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.init = self._pid_1()

    def _pid_1(self) -> int:
        """unshare's forked child, which is PID 1 inside (here, under its outer pid)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            children = Path(f"/proc/{self.outer.pid}/task/{self.outer.pid}/children").read_text().split()
            if children:
                return int(children[0])
            assert self.outer.poll() is None, self.outer.communicate()
            time.sleep(0.05)
        raise AssertionError("unshare started no child")

    def running(self) -> bool:
        return self.outer.poll() is None

    def stop(self, timeout: float) -> tuple[int, str, str]:
        """SIGTERM to PID 1, as `docker stop` sends it; then its status and output."""
        if self.running():
            os.kill(self.init, signal.SIGTERM)
        output, errors = self.outer.communicate(timeout=timeout)
        return self.outer.returncode, output, errors


def test_the_scheduler_runs_as_pid_1(tmp_path: Path) -> None:
    """supercronic as PID 1 re-executes itself by argv[0]: started by bare name, it died
    at once with `Failed to fork exec`."""
    schedule = tmp_path / "crontab"
    schedule.write_text("* * * * * * * echo tick; (sleep 0.2 &)\n", encoding="utf-8")
    scheduler = Scheduler(entrypoint_env(tmp_path / "data", CRAWL_SCHEDULE_FILE=str(schedule)))
    time.sleep(3.5)
    assert scheduler.running(), scheduler.stop(10)
    zombies = [
        pid
        for pid in os.listdir("/proc")
        if pid.isdigit()
        and _parent(pid) == scheduler.init
        and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    ]
    status, output, errors = scheduler.stop(timeout=30)
    assert status == 0, output
    assert errors == "", "everything goes to stdout"
    assert output.count("job succeeded") >= 2, output
    assert zombies == [], "PID 1 reaps the orphans its jobs leave"


def _parent(pid: str) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError):
        return -1


@pytest.fixture
def slow_site() -> Iterator[ReplicaServer]:
    """A site the news line takes half a minute to crawl at one page per 0.25 s."""
    with ReplicaServer(ReplicaSite(articles=400, seed=5, slow_seconds=6), port=0) as server:
        yield server


def news_listed(replica: ReplicaServer) -> set[str]:
    """What the news line (news sitemap + /titres.rss) must store: all but the page
    slower than the download timeout."""
    with urllib.request.urlopen(replica.base_url + "/_replica/articles.json") as response:
        truth = json.load(response)
    return {
        a["url"]
        for a in truth["articles"]
        if a["quirk"] != "slow" and (a["sources"]["news_sitemap"] or "/titres.rss" in a["sources"]["rss"])
    }


@pytest.mark.slow
def test_a_stop_signal_stops_the_running_crawl_and_the_next_run_resumes(
    mongo_server: MongoServer, mongo_db: pymongo.database.Database, slow_site: ReplicaServer, tmp_path: Path
) -> None:
    """Before, supercronic waited for the crawl while `docker stop` counted down its
    10 s, then everything was SIGKILLed: the run stayed `running`, its lock held."""
    polite = ["-s", "DOWNLOAD_DELAY=0.25", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "STORE_FLUSH_SECONDS=1"]
    extra = ["-a", f"base_url={slow_site.base_url}", *LOOPBACK_ARGS, *polite]
    line = f"{news_job().command} {shlex.join(extra)}"
    schedule = tmp_path / "crontab"
    schedule.write_text(f"* * * * * * * {line}\n", encoding="utf-8")
    data = tmp_path / "data"
    env = entrypoint_env(
        data, MONGO_URI=mongo_server.uri, MONGO_DATABASE=mongo_db.name, CRAWL_SCHEDULE_FILE=str(schedule)
    )
    scheduler = Scheduler(env)
    try:
        deadline = time.monotonic() + 120
        while mongo_db.articles.count_documents({}) < 10 and time.monotonic() < deadline:
            assert scheduler.running(), scheduler.stop(10)
            time.sleep(0.2)
    finally:
        stopped_at = time.monotonic()
        status, output, _ = scheduler.stop(timeout=120)
    took = time.monotonic() - stopped_at
    assert status == 0, output[-3000:]
    assert took < 15, f"the crawl went on for {took:.0f} s after the stop signal"
    (run,) = mongo_db.crawl_runs.find()
    assert run["status"] == "stopped" and run["finish_reason"] == "shutdown", run
    stored = mongo_db.articles.count_documents({})
    assert 10 <= run["counts"]["store/new"] == stored < len(news_listed(slow_site)), "stopped half-way"
    assert mongo_db.crawl_locks.count_documents({}) == 0, "the lock is released"
    assert (data / "jobdir" / "news" / "requests.queue").is_dir(), "the JOBDIR is kept to resume"

    resumed = subprocess.run(
        ["sh", "-c", line.replace("DOWNLOAD_DELAY=0.25", "DOWNLOAD_DELAY=0")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    urls = Counter(doc["url"] for doc in mongo_db.articles.find({}, {"url": 1}))
    assert [url for url, n in urls.items() if n > 1] == []
    assert set(urls) == news_listed(slow_site), "nothing lost across the stop"
    assert not (data / "jobdir" / "news").exists(), "a finished run clears its JOBDIR"
