"""One run at a time per spider and site, across processes and machines.

The lock is a document in MongoDB's `crawl_locks` (the store every run already
needs), refreshed by a heartbeat. A lock whose holder stopped beating for
`stale_after`, or whose process is gone from this host, is taken over.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError, PyMongoError

from crawler.procs import pid_running

logger = logging.getLogger(__name__)


class RunLock:
    def __init__(self, locks: Collection, name: str, owner: str, stale_after: timedelta = timedelta(minutes=10)):
        self.locks = locks
        self.name = name
        self.owner = owner
        self.stale_after = stale_after
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def _document(self, now: datetime) -> dict[str, Any]:
        return {"owner": self.owner, "host": self.host, "pid": self.pid, "acquired_at": now, "heartbeat_at": now}

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
        return None

    def _is_stale(self, holder: dict[str, Any], now: datetime) -> bool:
        if holder.get("host") == self.host and not pid_running(int(holder.get("pid", 0))):
            return True
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
