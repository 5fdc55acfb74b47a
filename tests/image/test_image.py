"""The image for real: built by the classic builder, run as a container is in
production (non-root, PID 1 the entrypoint, supercronic firing the news line of
deploy/crontab) against FerretDB and the replica on loopback; rendered pages stored
(Chromium works inside), healthy by its HEALTHCHECK, logs on stdout, `docker stop`
during a crawl ends it cleanly and the restarted container resumes; `docker kill`
loses nothing either."""

from __future__ import annotations

import json
import shlex
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pymongo.database import Database

from devservers.ferretdb import MongoServer
from replica.model import ReplicaSite
from replica.server import ReplicaServer
from tests.deploy.conftest import LOOPBACK_ARGS
from tests.deploy.test_crontab import news_job
from tests.deploy.test_scheduler import news_listed
from tests.image.conftest import BuiltImage

SCHEDULE = "/etc/crawler/crontab"
POLITE = ["-s", "DOWNLOAD_DELAY=0.25", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "STORE_FLUSH_SECONDS=1"]


class Container:
    """One `docker run -d --network host` of the image, with the schedule mounted."""

    def __init__(self, image: BuiltImage, tmp_path: Path, line: str, env: dict[str, str]) -> None:
        self.image = image
        self.name = f"crawler-test-{uuid.uuid4().hex[:8]}"
        self.volume = f"{self.name}-data"
        schedule = tmp_path / "crontab"
        schedule.write_text(f"{line}\n", encoding="utf-8")
        schedule.chmod(0o644)
        options = [f"--env={key}={value}" for key, value in {**env, "CRAWL_SCHEDULE_FILE": SCHEDULE}.items()]
        self.docker(
            "run", "--detach", "--name", self.name, "--network", "host",
            "--volume", f"{schedule}:{SCHEDULE}:ro", "--volume", f"{self.volume}:/data",
            "--health-interval=2s", "--health-start-period=0s", "--health-retries=1", "--health-timeout=10s",
            *options, image.name,
        )  # fmt: skip

    def docker(self, *args: str, check: bool = True, timeout: float = 300) -> str:
        return self.image.engine.docker(*args, check=check, timeout=timeout).stdout

    def inspect(self) -> dict:
        return json.loads(self.docker("inspect", self.name))[0]

    def logs(self, since: str | None = None) -> tuple[str, str]:
        process = self.image.engine.docker("logs", *(["--since", since] if since else []), self.name)
        return process.stdout, process.stderr

    def exec(self, *command: str) -> str:
        return self.docker("exec", self.name, *command)

    def remove(self) -> None:
        self.docker("rm", "--force", "--volumes", self.name, check=False)
        self.docker("volume", "rm", "--force", self.volume, check=False)


@pytest.fixture
def containers(image: BuiltImage, tmp_path: Path) -> Iterator[list[Container]]:
    started: list[Container] = []
    yield started
    for container in started:
        if container.inspect()["State"]["Running"]:
            print(container.logs()[0][-3000:])
        container.remove()


def start(
    containers: list[Container], image: BuiltImage, tmp_path: Path, replica: ReplicaServer, db: Database,
    uri: str, every: str, extra: list[str],
) -> Container:  # fmt: skip
    arguments = ["-a", f"base_url={replica.base_url}", *LOOPBACK_ARGS, *extra]
    line = f"{every} {news_job().command} {shlex.join(arguments)}"
    env = {"MONGO_URI": uri, "MONGO_DATABASE": db.name, "HEALTH_MAX_LAG_MINUTES": "10000"}
    container = Container(image, tmp_path, line, env)
    containers.append(container)
    return container


def wait_for(what: str, condition: Callable[[], bool], timeout: float, container: Container) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout:.0f} s\n{container.logs()[0][-4000:]}"
        assert container.inspect()["State"]["Running"], f"the container stopped\n{container.logs()[0][-4000:]}"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def site() -> Iterator[ReplicaServer]:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with ReplicaServer(ReplicaSite(articles=400, seed=7, slow_seconds=6, client_rendered_every=8, now=now)) as server:
        yield server


def test_the_image_holds_what_the_crawler_runs_with_and_runs_as_crawler(image: BuiltImage) -> None:
    def run(entrypoint: str, *args: str) -> str:
        return image.engine.docker(
            "run", "--rm", "--network", "host", "--entrypoint", entrypoint, image.name, *args
        ).stdout

    assert run("id", "-u").strip() == "10001"
    spec = (
        "import importlib.util as u; print([m for m in ('pytest', 'ruff', 'replica', 'devservers') if u.find_spec(m)])"
    )
    assert run("python3", "-c", spec).strip() == "[]", "no test or dev-only package in the image"
    node = "/opt/venv/lib/python3.11/site-packages/playwright/driver/node"
    libraries = run("ldd", node)
    assert "libatomic.so.1 =>" in libraries and "not found" not in libraries, libraries
    assert run("/usr/bin/chromium", "--version").startswith("Chromium")


def test_the_default_command_stores_rendered_pages_turns_healthy_and_logs_to_stdout(
    image: BuiltImage, containers: list[Container], site: ReplicaServer, mongo_server: MongoServer,
    mongo_db: Database, tmp_path: Path,
) -> None:  # fmt: skip
    container = start(containers, image, tmp_path, site, mongo_db, mongo_server.uri, "*/3 * * * * * *", [])
    wait_for(
        "a finished crawl", lambda: mongo_db.crawl_runs.count_documents({"status": "finished"}) > 0, 300, container
    )
    run = mongo_db.crawl_runs.find_one({"status": "finished"})
    counts = run["counts"]
    assert counts["store/new"] == mongo_db.articles.count_documents({}) >= 50
    assert counts.get("render/parsed", 0) > 0, f"no page rendered in Chromium: {counts}"
    assert not [key for key in counts if key.startswith(("failed/exception", "failed/render_crashed"))], counts
    assert run["host"] and run["pid"] > 1

    wait_for("healthy", lambda: container.inspect()["State"]["Health"]["Status"] == "healthy", 60, container)
    pid_1 = container.exec("cat", "/proc/1/cmdline").rstrip("\0").split("\0")
    assert pid_1[-2:] == ["/app/deploy/entrypoint.sh", "run-scheduler"], pid_1
    assert "Uid:\t10001" in container.exec("cat", "/proc/1/status")
    output, errors = container.logs()
    assert errors == "", "the entrypoint sends everything to stdout"
    assert "job succeeded" in output and "run franceinfo-" in output, output[-3000:]
    container.docker("stop", "--time", "60", container.name, timeout=90)
    assert container.inspect()["State"]["ExitCode"] == 0


def test_docker_stop_during_a_crawl_stops_it_cleanly_and_the_restarted_container_resumes(
    image: BuiltImage, containers: list[Container], site: ReplicaServer, mongo_server: MongoServer,
    mongo_db: Database, tmp_path: Path,
) -> None:  # fmt: skip
    container = start(containers, image, tmp_path, site, mongo_db, mongo_server.uri, "*/2 * * * * * *", POLITE)
    wait_for("10 articles stored", lambda: mongo_db.articles.count_documents({}) >= 10, 240, container)
    started = time.monotonic()
    container.docker("stop", "--time", "60", container.name, timeout=90)
    took = time.monotonic() - started
    assert took < 20, f"docker stop took {took:.0f} s"
    assert container.inspect()["State"]["ExitCode"] == 0
    (run,) = mongo_db.crawl_runs.find()
    assert run["status"] == "stopped", run
    assert mongo_db.crawl_locks.count_documents({}) == 0, "the lock is released"
    assert run["counts"]["store/new"] == mongo_db.articles.count_documents({}) < len(news_listed(site))
    queue = container.docker(
        "run", "--rm", "--network", "host", "--volume", f"{container.volume}:/data", "--entrypoint", "ls",
        image.name, "/data/jobdir/news",
    )  # fmt: skip
    assert "requests.queue" in queue.split(), "the JOBDIR is kept for the next run"

    restarted_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    container.docker("start", container.name)
    wait_for("a finished run", lambda: mongo_db.crawl_runs.count_documents({"status": "finished"}) > 0, 300, container)
    output, _ = container.logs(since=restarted_at)
    assert "another run holds the lock" not in output, output[-3000:]
    urls = Counter(doc["url"] for doc in mongo_db.articles.find({}, {"url": 1}))
    assert [url for url, n in urls.items() if n > 1] == []
    assert set(urls) == news_listed(site), "nothing lost across the stop"


def test_docker_kill_loses_nothing_and_the_lock_is_taken_over_once_stale(
    image: BuiltImage, containers: list[Container], site: ReplicaServer, mongo_server: MongoServer,
    mongo_db: Database, tmp_path: Path,
) -> None:  # fmt: skip
    """SIGKILL closes nothing. The restarted container's runs find a holder in another
    pid namespace, which no process there can check: they wait out its heartbeat
    (RUN_LOCK_STALE_SECONDS), then take over, close the dead run as abandoned and
    replay its journal."""
    extra = [*POLITE, "-s", "RUN_LOCK_STALE_SECONDS=8"]
    container = start(containers, image, tmp_path, site, mongo_db, mongo_server.uri, "*/2 * * * * * *", extra)
    wait_for("10 articles stored", lambda: mongo_db.articles.count_documents({}) >= 10, 240, container)
    container.docker("kill", container.name)
    (killed,) = mongo_db.crawl_runs.find()
    assert killed["status"] == "running" and mongo_db.crawl_locks.count_documents({}) == 1

    container.docker("start", container.name)
    wait_for("a finished run", lambda: mongo_db.crawl_runs.count_documents({"status": "finished"}) > 0, 300, container)
    assert mongo_db.crawl_runs.find_one({"_id": killed["_id"]})["status"] == "abandoned"
    output, _ = container.logs()
    assert "took over from run " + killed["_id"] in output, output[-3000:]
    urls = Counter(doc["url"] for doc in mongo_db.articles.find({}, {"url": 1}))
    assert [url for url, n in urls.items() if n > 1] == []
    assert set(urls) == news_listed(site), "nothing lost across the kill"
