"""`docker-compose up --scale crawler=2` for real, as docs/SCALING.md tells users to
scale out: docker-compose.yml with tests/image/compose.loopback.yml on top (host
network only; `mongo` is FerretDB on PostgreSQL and `redis` Debian's redis-server,
from an image built here, since no registry answers for mongo:7 or redis:7). Two
crawler containers of the image fire the same news job at the same second, share
one Redis frontier and one volume, and store every article of the replica once."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pymongo
import pytest
import redis

from devservers.docker import DockerEngine
from devservers.ferretdb import build_ferretdb
from devservers.processes import free_port
from replica.model import ReplicaSite
from replica.server import ReplicaServer
from tests.crawling import REPO
from tests.deploy.conftest import LOOPBACK_ARGS
from tests.deploy.test_crontab import news_job
from tests.deploy.test_scheduler import news_listed
from tests.faults.accounting import article_fetches
from tests.image.conftest import BuiltImage

STORES_IMAGE = "crawler-test-stores:image-test"
STORES_CONTEXT = Path(__file__).parent / "stores"
OVERRIDE = Path(__file__).parent / "compose.loopback.yml"
COMPOSE = "/usr/bin/docker-compose"  # Debian's docker-compose (v1), which reads the same file


@pytest.fixture(scope="module")
def stores_image(engine: DockerEngine, image: BuiltImage, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """On the Debian base that the crawler's `image` fixture imported."""
    context = tmp_path_factory.mktemp("stores")
    for path in STORES_CONTEXT.iterdir():
        shutil.copy2(path, context / path.name)
    shutil.copy2(build_ferretdb(), context / "ferretdb")
    engine.docker("build", "--network", "host", "--tag", STORES_IMAGE, str(context), timeout=900)
    yield STORES_IMAGE
    engine.docker("rmi", "--force", STORES_IMAGE, check=False)


class Compose:
    """`docker-compose -f docker-compose.yml -f compose.loopback.yml` of one project."""

    def __init__(self, engine: DockerEngine, variables: dict[str, str]) -> None:
        if not Path(COMPOSE).exists():
            pytest.fail(f"{COMPOSE} is missing: run devservers/install.sh --image (Debian's docker-compose)")
        self.env = {**os.environ, "DOCKER_HOST": engine.host, **variables}
        self.files = ["-f", str(REPO / "docker-compose.yml"), "-f", str(OVERRIDE)]

    def __call__(self, *args: str, timeout: float = 300) -> str:
        process = subprocess.run(
            [COMPOSE, *self.files, *args], env=self.env, cwd=REPO, capture_output=True, text=True, timeout=timeout
        )
        assert process.returncode == 0, f"docker-compose {' '.join(args)}:\n{process.stderr[-3000:]}"
        return process.stdout

    def logs(self) -> str:
        return self("logs", "--no-color", "--tail", "60")


def wait_for(what: str, condition: Callable[[], bool], timeout: float, compose: Compose) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout:.0f} s\n{compose.logs()[-6000:]}"
        time.sleep(0.5)


def answers(check: Callable[[], object]) -> bool:
    try:
        check()
    except (pymongo.errors.PyMongoError, redis.RedisError):
        return False
    return True


def hourly_at(moment: datetime) -> str:
    """A supercronic schedule (7 fields, seconds first) firing at `moment`, then an
    hour later: once within the test. (One that never fires again, a year field
    in the past, makes supercronic log a warning in a busy loop.)"""
    return moment.strftime("%-S %-M * * * * *")


@pytest.mark.timeout(1200)  # the images' builds, when this test runs first, count too
def test_compose_scale_runs_two_workers_on_one_frontier_and_stores_each_article_once(
    engine: DockerEngine, image: BuiltImage, stores_image: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with ReplicaServer(ReplicaSite(articles=300, seed=11, slow_seconds=6, client_rendered_every=10, now=now)) as site:
        mongo_port, redis_port = free_port(), free_port()
        schedule = tmp_path / "crontab"
        compose = Compose(
            engine,
            {
                "COMPOSE_PROJECT_NAME": f"scale{os.getpid()}",
                "STORES_IMAGE": stores_image,
                "CRAWLER_IMAGE": image.name,
                "MONGO_PORT": str(mongo_port),
                "PG_PORT": str(free_port({mongo_port, redis_port})),
                "REDIS_PORT": str(redis_port),
                "MONGO_DATABASE": "news",
                "SCHEDULE": str(schedule),
            },
        )
        mongo = pymongo.MongoClient(port=mongo_port, serverSelectionTimeoutMS=1000, tz_aware=True)
        frontier = redis.Redis(port=redis_port, socket_connect_timeout=1)
        try:
            compose("up", "--detach", "--no-build", "mongo", "redis")
            wait_for(
                "mongo and redis answering",
                lambda: answers(lambda: mongo.admin.command("ping")) and answers(frontier.ping),
                120,
                compose,
            )

            # Both containers fire the news job at one second, a little after they start.
            fire_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=20)
            arguments = ["-a", f"base_url={site.base_url}", *LOOPBACK_ARGS]
            schedule.write_text(
                f"{hourly_at(fire_at)} {news_job().command} {shlex.join(arguments)}\n", encoding="utf-8"
            )
            schedule.chmod(0o644)
            compose("up", "--detach", "--no-build", "--scale", "crawler=2", "crawler")
            workers = compose("ps", "--quiet", "crawler").split()
            assert len(workers) == 2, workers
            assert datetime.now(UTC) < fire_at, "the crawler containers started after the job's time"

            db = mongo["news"]
            wait_for(
                "both workers' runs ended",
                lambda: db.crawl_runs.count_documents({"status": "finished"}) == 2,
                420,
                compose,
            )
            runs = list(db.crawl_runs.find())
            urls = Counter(doc["url"] for doc in db.articles.find({}, {"url": 1}))
            (run_key,) = frontier.keys("frontier:*:run")
            run_state = frontier.hget(run_key, "state")
            logs = compose("logs", "--no-color", "crawler")
            expected = news_listed(site)
            fetched = article_fetches(site)
        finally:
            compose("down", "--volumes", "--timeout", "30", timeout=180)
            mongo.close()
            frontier.close()

    assert [url for url, n in urls.items() if n > 1] == [], "an article stored twice"
    assert set(urls) == expected, "every listed article stored"
    counts = [run["counts"] for run in runs]
    assert {c["frontier/run"] for c in counts} == {1}, "both workers joined one run"
    assert all(c.get("frontier/dequeued", 0) > 0 for c in counts), f"one worker did all the work: {counts}"
    assert sum(c.get("store/new", 0) for c in counts) == len(urls)
    assert run_state == b"done", "the last worker out ended the run"
    assert "Traceback" not in logs, logs[-4000:]
    assert logs.count("not used: the run's state is the frontier in Redis") == 2, (
        "the shared volume's JOBDIR is left alone"
    )
    rendered = sum(c.get("render/parsed", 0) for c in counts)
    print(
        f"\ncompose --scale crawler=2: {len(urls)} articles; per worker dequeued "
        f"{[c['frontier/dequeued'] for c in counts]}, stored {[c.get('store/new', 0) for c in counts]}; "
        f"{fetched} article fetches, {rendered} of them pages fetched again for the browser"
    )
