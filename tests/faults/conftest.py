"""The fault matrix: each case a real crawl of the replica into a real FerretDB (on
its PostgreSQL) with the fault made for real, asserting what was lost (nothing),
duplicated (nothing), the exit status and the run record."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pymongo
import pytest
from pymongo.database import Database

from devservers.ferretdb import MongoServer


@pytest.fixture(scope="package")
def mongo() -> Iterator[MongoServer]:
    """A server of these tests' own: they stop and restart it."""
    with MongoServer() as server:
        yield server


@pytest.fixture
def database(mongo: MongoServer, request: pytest.FixtureRequest) -> Iterator[Database]:
    mongo.start_postgres()
    mongo.start_ferretdb()
    client: pymongo.MongoClient = pymongo.MongoClient(mongo.uri, tz_aware=True)
    name = "f_" + request.node.name[:40].replace("[", "_").replace("]", "_")
    client.drop_database(name)
    yield client[name]
    mongo.start_postgres()
    mongo.start_ferretdb()
    client.drop_database(name)
    client.close()


def wait_until(condition: Callable[[], bool], process: subprocess.Popen, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the crawl ended before {what}"
        assert time.monotonic() < deadline, f"not {what} within {timeout:.0f} s"
        time.sleep(0.05)


@contextlib.contextmanager
def tmpfs(path: Path, options: str) -> Iterator[Path]:
    """A small tmpfs (root only): a spill directory that is read-only, or fills up."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def assert_no_traceback(log: str) -> None:
    at = log.find("Traceback")
    assert at < 0, log[max(0, at - 600) : at + 2400]


def wait_until_stored(database: Database, process: subprocess.Popen, count: int, timeout: float = 60) -> None:
    """Until the running crawl has stored `count` articles; it must not have ended."""
    wait_until(lambda: database.articles.count_documents({}) >= count, process, timeout, f"{count} stored")
