"""The run lock on FerretDB: a holder is named by its process for good, so a pid
reused after a reboot or in a fresh container is never taken for the holder, and a
live holder this host can see is never taken over."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.database import Database

from crawler.store.procs import ProcessIdentity
from crawler.store.runlock import RunLock

NAME = "franceinfo@http://127.0.0.1:8765"


def lock(db: Database, owner: str = "run-new", stale_seconds: float = 60) -> RunLock:
    return RunLock(db["crawl_locks"], NAME, owner, stale_after=timedelta(seconds=stale_seconds))


def hold(db: Database, holder: ProcessIdentity, beat_age: timedelta = timedelta(0), owner: str = "run-old") -> None:
    """A lock document as another run left it, and that run's crawl_runs document."""
    beat = datetime.now(UTC) - beat_age
    db["crawl_locks"].insert_one(
        {"_id": NAME, "owner": owner, **holder.document(), "acquired_at": beat, "heartbeat_at": beat}
    )
    db["crawl_runs"].insert_one({"_id": owner, "status": "running"})


def holder_of(db: Database) -> dict[str, Any]:
    return db["crawl_locks"].find_one({"_id": NAME})


@pytest.fixture
def live_process() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process
    process.kill()
    process.wait()


def test_identity_names_a_process_until_it_exits(live_process: subprocess.Popen[bytes]) -> None:
    identity = ProcessIdentity.of(live_process.pid)
    assert identity.pid == live_process.pid and identity.started > 0 and identity.boot_id
    assert identity.is_running() is True
    assert replace(identity, started=identity.started + 1).is_running() is False, "same pid, another process"
    live_process.kill()
    live_process.wait()
    assert identity.is_running() is False


def test_identity_cannot_tell_another_host_or_container() -> None:
    here = ProcessIdentity.of()
    assert replace(here, host="elsewhere").is_running() is None
    assert replace(here, pid_namespace="pid:[1]").is_running() is None
    assert replace(here, boot_id="an-earlier-boot").is_running() is False, "a reboot ended every process"


def test_a_second_run_is_refused_while_the_first_holds_the_lock(mongo_db: Database) -> None:
    first = lock(mongo_db, "run-1")
    assert first.acquire() is None
    refused = lock(mongo_db, "run-2").acquire()
    assert refused is not None and refused["owner"] == "run-1" and refused["pid"] == os.getpid()
    first.release()
    assert lock(mongo_db, "run-2").acquire() is None


def test_a_holder_whose_pid_now_names_another_process_is_taken_over(mongo_db: Database) -> None:
    """The pid of the dead holder is this very run's (a fresh container numbers its
    processes alike), but the start time says it is another process."""
    me = ProcessIdentity.of()
    hold(mongo_db, replace(me, started=me.started - 100))
    assert lock(mongo_db).acquire() is None
    assert holder_of(mongo_db)["owner"] == "run-new"
    assert mongo_db["crawl_runs"].find_one({"_id": "run-old"})["status"] == "abandoned"


def test_a_holder_of_an_earlier_boot_is_taken_over(mongo_db: Database) -> None:
    hold(mongo_db, replace(ProcessIdentity.of(), boot_id="an-earlier-boot"))
    assert lock(mongo_db).acquire() is None


def test_a_live_holder_of_this_host_is_kept_however_late_its_heartbeat(
    mongo_db: Database, live_process: subprocess.Popen[bytes]
) -> None:
    hold(mongo_db, ProcessIdentity.of(live_process.pid), beat_age=timedelta(hours=1))
    assert lock(mongo_db).acquire()["owner"] == "run-old"
    assert mongo_db["crawl_runs"].find_one({"_id": "run-old"})["status"] == "running"


def test_a_holder_no_process_here_can_check_is_taken_over_once_it_stops_beating(mongo_db: Database) -> None:
    other_container = replace(ProcessIdentity.of(), pid_namespace="pid:[1]", pid=7, started=1)
    hold(mongo_db, other_container, beat_age=timedelta(seconds=30))
    assert lock(mongo_db, stale_seconds=60).acquire()["owner"] == "run-old"
    assert lock(mongo_db, stale_seconds=10).acquire() is None


def test_the_heartbeat_keeps_the_lock_fresh_and_release_frees_it(mongo_db: Database) -> None:
    held = lock(mongo_db, stale_seconds=2)
    assert held.acquire() is None
    first_beat = holder_of(mongo_db)["heartbeat_at"]
    held.start_heartbeat()
    try:
        deadline = datetime.now(UTC) + timedelta(seconds=5)
        while holder_of(mongo_db)["heartbeat_at"] == first_beat and datetime.now(UTC) < deadline:
            pass
        assert holder_of(mongo_db)["heartbeat_at"] > first_beat
    finally:
        held.release()
    assert holder_of(mongo_db) is None
