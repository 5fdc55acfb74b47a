"""One run at a time per spider and site, across processes and machines.

The lock is a document in MongoDB's `crawl_locks` (the store every run already
needs), refreshed by a heartbeat, naming its holder's process for good (host,
kernel boot, pid namespace, pid, start time: see `crawler.store.procs.ProcessIdentity`).
A holder this process can check (same host and boot, same pid namespace) is
taken over when it is dead, and never while it runs, however late its heartbeat.
Any other holder (another host, another container) is taken over once it stopped
beating for `stale_after`. Taking over closes the dead run's `crawl_runs`
document as `abandoned`.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError, PyMongoError

from crawler.store.procs import ProcessIdentity

logger = logging.getLogger(__name__)


class RunLock:
    def __init__(self, locks: Collection, name: str, owner: str, stale_after: timedelta = timedelta(minutes=10)):
        self.locks = locks
        self.name = name
        self.owner = owner
        self.stale_after = stale_after
        self.process = ProcessIdentity.of()
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def _document(self, now: datetime) -> dict[str, Any]:
        return {"owner": self.owner, **self.process.document(), "acquired_at": now, "heartbeat_at": now}

    def acquire(self) -> dict[str, Any] | None:
        """Take the lock; returns None when taken, else the holder's document."""
        now = datetime.now(UTC)
        try:
            self.locks.insert_one({"_id": self.name, **self._document(now)})
            return None
        except DuplicateKeyError:
            holder = self.locks.find_one({"_id": self.name})
        if holder is None:
            return self.acquire()
        if not self._is_stale(holder, now):
            return holder
        taken = self.locks.find_one_and_update(
            {"_id": self.name, "owner": holder["owner"]}, {"$set": self._document(now)}
        )
        if taken is None:
            return self.locks.find_one({"_id": self.name}) or holder
        logger.warning(
            "run lock %s: took over from run %s (pid %s on %s, last heartbeat %s)",
            self.name,
            holder["owner"],
            holder.get("pid"),
            holder.get("host"),
            holder.get("heartbeat_at"),
        )
        self._close_abandoned_run(holder["owner"], now)
        return None

    def _close_abandoned_run(self, run_id: str, now: datetime) -> None:
        """The dead holder could not complete its run document: say it never will."""
        try:
            close_abandoned_run(self.locks.database["crawl_runs"], {"_id": run_id}, now)
        except PyMongoError as error:
            logger.warning("run lock %s: could not close crawl_runs/%s: %s", self.name, run_id, error)

    def _is_stale(self, holder: dict[str, Any], now: datetime) -> bool:
        running = ProcessIdentity.from_document(holder).is_running()
        if running is not None:
            return not running
        beat = holder.get("heartbeat_at")
        if beat is not None and beat.tzinfo is None:
            beat = beat.replace(tzinfo=UTC)
        return beat is None or now - beat > self.stale_after

    def start_heartbeat(self) -> None:
        interval = max(self.stale_after.total_seconds() / 4, 0.5)

        def beat() -> None:
            while not self._stop.wait(interval):
                try:
                    self.locks.update_one(
                        {"_id": self.name, "owner": self.owner},
                        {"$set": {"heartbeat_at": datetime.now(UTC)}},
                    )
                except PyMongoError as error:
                    logger.warning("run lock %s: heartbeat failed: %s", self.name, error)

        self._beat = threading.Thread(target=beat, name="run-lock-heartbeat", daemon=True)
        self._beat.start()

    def release(self) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=5)
        try:
            self.locks.delete_one({"_id": self.name, "owner": self.owner})
        except PyMongoError as error:
            logger.warning("run lock %s: could not release (it will go stale): %s", self.name, error)


def close_abandoned_run(runs: Collection, which: dict[str, Any], now: datetime | None = None) -> bool:
    """Mark the run document `which` abandoned if it still says running: the
    process that wrote it died and never will complete it."""
    result = runs.update_one(
        {**which, "status": "running"},
        {"$set": {"status": "abandoned", "finish_reason": "abandoned", "finished_at": now or datetime.now(UTC)}},
    )
    return result.modified_count > 0
