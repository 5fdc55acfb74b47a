"""Is a process running, and which process is it? Shared by the run lock, the
page-reading workers' tests and the dev servers; standard library only."""

from __future__ import annotations

import contextlib
import os
import socket
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


def pid_running(pid: int) -> bool:
    """True if pid runs. A zombie counts as dead: in containers whose pid 1
    does not reap, stopped processes linger as zombies."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = _stat_fields(pid)
    return stat is None or stat[0] != "Z"


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name (which may hold spaces and ")"):
    field 3 (state) is index 0, field 22 (start time) index 19."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


@dataclass(frozen=True)
class ProcessIdentity:
    """A process named so that its pid cannot be mistaken for another's: pids are
    reused after a reboot, in every new container (each has a pid namespace of its
    own) and, on a busy host, within minutes. Host + kernel boot + pid namespace +
    pid + start time (clock ticks after boot) names one process for good."""

    host: str
    boot_id: str
    pid_namespace: str
    pid: int
    started: int

    @classmethod
    def of(cls, pid: int | None = None) -> ProcessIdentity:
        pid = os.getpid() if pid is None else pid
        stat = _stat_fields(pid)
        namespace = ""
        with contextlib.suppress(OSError):
            namespace = os.readlink(f"/proc/{pid}/ns/pid")
        return cls(
            host=socket.gethostname(),
            boot_id=_read("/proc/sys/kernel/random/boot_id"),
            pid_namespace=namespace,
            pid=pid,
            started=int(stat[19]) if stat and len(stat) > 19 else 0,
        )

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> ProcessIdentity:
        return cls(
            host=str(document.get("host", "")),
            boot_id=str(document.get("boot_id", "")),
            pid_namespace=str(document.get("pid_namespace", "")),
            pid=int(document.get("pid") or 0),
            started=int(document.get("pid_started") or 0),
        )

    def document(self) -> dict[str, Any]:
        fields = asdict(self)
        fields["pid_started"] = fields.pop("started")
        return fields

    def is_running(self) -> bool | None:
        """Whether this process still runs, seen from the calling process: True or
        False when that can be told here, None when it can't (another host, another
        container of this host). A process of this host's previous boot is dead."""
        here = ProcessIdentity.of()
        if not self.boot_id or not self.host or self.host != here.host:
            return None
        if self.boot_id != here.boot_id:
            return False
        if not self.pid_namespace or self.pid_namespace != here.pid_namespace:
            return None
        if not pid_running(self.pid):
            return False
        return ProcessIdentity.of(self.pid).started == self.started
