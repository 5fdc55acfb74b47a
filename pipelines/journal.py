"""The store's write-ahead journal: items not yet confirmed in MongoDB, on disk.

Every item is appended (JSON lines, MongoDB extended JSON for dates) to the open
segment before it is buffered. A flush seals the segment and opens a new one;
once the sealed segment's batch is stored, the segment is deleted. Whatever a
crash, a SIGKILL or a long outage leaves behind is the spill file that the next
run replays first, so no article is lost between a fetch and the store.

Workers sharing one spill folder (N containers on one volume, with a shared
frontier) each hold an advisory lock on their run's `.lock` file while their
journal is open: a worker's leftovers are only the segments of runs no live
process holds (a SIGKILL releases the lock with the process).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from bson import json_util

_READ = json_util.JSONOptions(tz_aware=True, tzinfo=json_util.DEFAULT_JSON_OPTIONS.tzinfo)


class Journal:
    def __init__(self, directory: Path, name: str, run_id: str) -> None:
        self.directory = directory
        self.name = name
        self.run_id = run_id
        self.sequence = 0
        self.current: Path | None = None
        self.handle: IO[str] | None = None
        self.count = 0
        self.lock: IO[str] | None = None

    def leftovers(self) -> list[Path]:
        """Segments that earlier runs did not get into the store (oldest first)."""
        if not self.directory.exists():
            return []
        segments = [
            path
            for path in self.directory.glob(f"{self.name}-*.jsonl")
            if not path.name.startswith(f"{self.name}-{self.run_id}-") and not self._held_by_a_live_run(path)
        ]
        return sorted(segments, key=lambda path: path.stat().st_mtime)

    def _lock_path(self, run: str) -> Path:
        return self.directory / f".{run}.lock"

    def _held_by_a_live_run(self, segment: Path) -> bool:
        lock = self._lock_path(segment.name.rsplit("-", 1)[0])
        try:
            with lock.open("r") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                lock.unlink()  # its run is dead: the segments are leftovers
        except BlockingIOError:
            return True
        except OSError:
            return False
        return False

    def hold(self) -> None:
        """Lock this run's segments against other workers' replay, until `close`."""
        if self.lock is None:
            self.lock = self._lock_path(f"{self.name}-{self.run_id}").open("a")
            fcntl.flock(self.lock, fcntl.LOCK_EX)

    def check_writable(self) -> None:
        """Raise OSError now if items could not be journaled (missing, read-only or
        full directory), rather than on the first item."""
        self.directory.mkdir(parents=True, exist_ok=True)
        probe = self.directory / f".{self.name}-{self.run_id}.probe"
        with probe.open("w", encoding="utf-8") as handle:
            handle.write("probe\n")
            handle.flush()
            os.fsync(handle.fileno())
        probe.unlink()

    def segments(self) -> list[Path]:
        """This run's segments still on disk: what it has not got into the store."""
        if not self.directory.exists():
            return []
        return sorted(self.directory.glob(f"{self.name}-{self.run_id}-*.jsonl"))

    def append(self, item: dict[str, Any]) -> None:
        if self.handle is None:
            self._open()
        self.handle.write(json.dumps(item, default=_extended_json, ensure_ascii=False) + "\n")
        self.handle.flush()
        self.count += 1

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.sequence += 1
        self.current = self.directory / f"{self.name}-{self.run_id}-{self.sequence:05d}.jsonl"
        self.handle = self.current.open("a", encoding="utf-8")
        self.count = 0

    def seal(self) -> Path | None:
        """Close the open segment (fsynced) and return it; the next item opens a new one."""
        if self.handle is None:
            return None
        try:
            self.handle.flush()
            os.fsync(self.handle.fileno())
        except OSError:
            pass  # a full disk: the store counted it when appending; the batch is in memory
        finally:
            with contextlib.suppress(OSError):
                self.handle.close()
        sealed, self.handle, self.current = self.current, None, None
        return sealed

    @staticmethod
    def discard(segment: Path | None) -> None:
        if segment is not None:
            segment.unlink(missing_ok=True)

    def close(self) -> Path | None:
        """Seal the open segment; an empty one is removed. Returns what is left, if anything."""
        sealed = self.seal()
        if sealed is not None and self.count == 0:
            self.discard(sealed)
            sealed = None
        if self.lock is not None:
            self._lock_path(f"{self.name}-{self.run_id}").unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                self.lock.close()
            self.lock = None
        return sealed

    @staticmethod
    def read(segment: Path) -> list[dict[str, Any]]:
        """The items of a segment; a line cut by a crash is skipped, even one cut inside
        a multi-byte character (each line is decoded on its own)."""
        items = []
        for line in segment.read_bytes().splitlines():
            if not line.strip():
                continue
            try:
                items.append(json_util.loads(line.decode("utf-8"), json_options=_READ))
            except ValueError:  # UnicodeDecodeError included
                continue
        return items


def _extended_json(value: Any) -> Any:
    """Dates as relaxed extended JSON (what `json_util` reads back), written by the
    standard library's C encoder: several times faster than `json_util.dumps`."""
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return {"$date": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")}
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
