"""Tests of devservers.ferretdb against a real FerretDB + PostgreSQL (no mocks).

The first run builds FerretDB (about a minute); later runs use the cached binary.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pymongo import ASCENDING, MongoClient
from pymongo.errors import ConnectionFailure, DuplicateKeyError

from crawler.store.procs import pid_running
from devservers.ferretdb import REPO_ROOT, MongoServer


@pytest.fixture(scope="module")
def server() -> Iterator[MongoServer]:
    with MongoServer() as srv:
        yield srv


@pytest.fixture
def client(server: MongoServer) -> Iterator[MongoClient]:
    mongo: MongoClient = MongoClient(server.uri, serverSelectionTimeoutMS=2000)
    yield mongo
    mongo.close()


def _children(pid: int) -> list[int]:
    """Pids whose parent is pid (the postmaster's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_uri_and_ports(server: MongoServer) -> None:
    assert server.uri == f"mongodb://127.0.0.1:{server.port}/"
    assert server.port != server.pg_port
    assert server.ferretdb_pid and server.postgres_pid


def test_insert_and_find(client: MongoClient) -> None:
    docs = client.devservers_test.docs
    docs.insert_one({"url": "https://example.org/a", "title": "A", "tags": ["x"]})
    found = docs.find_one({"url": "https://example.org/a"}, {"_id": 0})
    assert found == {"url": "https://example.org/a", "title": "A", "tags": ["x"]}


def test_unique_compound_index_rejects_duplicate(client: MongoClient) -> None:
    articles = client.devservers_test.articles
    articles.create_index([("source", ASCENDING), ("url", ASCENDING)], unique=True)
    articles.insert_one({"source": "a", "url": "https://example.org/1"})
    articles.insert_one({"source": "b", "url": "https://example.org/1"})  # differs
    with pytest.raises(DuplicateKeyError) as info:
        articles.insert_one({"source": "a", "url": "https://example.org/1"})
    assert info.value.code == 11000
    assert articles.count_documents({}) == 2


def test_ferretdb_restarts_on_same_port_with_data(server: MongoServer, client: MongoClient) -> None:
    kept = client.devservers_test.kept
    kept.insert_one({"_id": 1, "v": "survives"})
    port, old_pid = server.port, server.ferretdb_pid

    server.stop_ferretdb()
    try:
        assert server.ferretdb_pid is None
        assert not pid_running(old_pid)
        with pytest.raises(ConnectionFailure):
            client.admin.command("ping")
    finally:
        server.start_ferretdb()

    assert server.port == port
    assert server.ferretdb_pid not in (None, old_pid)
    # The same client reconnects by itself: no new MongoClient needed.
    assert client.admin.command("ping")["ok"] == 1
    assert kept.find_one({"_id": 1}) == {"_id": 1, "v": "survives"}


def test_start_ferretdb_is_noop_when_running(server: MongoServer) -> None:
    pid = server.ferretdb_pid
    server.start_ferretdb()
    assert server.ferretdb_pid == pid


def test_taken_port_gives_clear_error(server: MongoServer) -> None:
    with pytest.raises(RuntimeError, match=f"port {server.port} is already in use"):
        MongoServer(port=server.port).start()


def test_stop_leaves_no_processes_and_no_folder() -> None:
    srv = MongoServer().start()
    directory = srv.dir
    assert directory is not None and directory.is_dir()
    pids = [srv.ferretdb_pid, srv.postgres_pid, *_children(srv.postgres_pid or 0)]
    assert len(pids) > 2 and all(pids)

    srv.stop()
    srv.stop()  # idempotent

    assert [pid for pid in pids if pid and pid_running(pid)] == []
    assert not directory.exists()
    assert srv.ferretdb_pid is None and srv.postgres_pid is None


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m devservers.ferretdb ARGS` as the Makefile would."""
    return subprocess.run(
        [sys.executable, "-m", "devservers.ferretdb", *args],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_cli_start_and_stop() -> None:
    # pytest's tmp_path is mode 0700: user postgres could not get through it.
    directory = Path(tempfile.mkdtemp(prefix="ferretdb-cli-"))
    directory.chmod(0o755)
    try:
        started = _cli("start", "--dir", str(directory))
        assert started.returncode == 0, started.stderr
        uri = (directory / "uri").read_text().strip()
        assert started.stdout == f"MONGO_URI={uri}\n"
        pids = [int((directory / f"{name}.pid").read_text()) for name in ("ferretdb", "postgres")]
        # The servers outlived the `start` process.
        assert all(pid_running(pid) for pid in pids)
        with MongoClient(uri, serverSelectionTimeoutMS=2000) as mongo:
            assert mongo.admin.command("ping")["ok"] == 1
    finally:
        stopped = _cli("stop", "--dir", str(directory))
        leftovers = sorted(p.name for p in directory.iterdir())
        shutil.rmtree(directory)
    assert stopped.returncode == 0, stopped.stderr
    assert not any(pid_running(pid) for pid in pids)
    assert "uri" not in leftovers and "pg" not in leftovers
