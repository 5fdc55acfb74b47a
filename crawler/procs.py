"""Is a process running? Shared by the run lock, the page-reading workers' tests
and the dev servers; standard library only."""

from __future__ import annotations

import os
from pathlib import Path


def pid_running(pid: int) -> bool:
    """True if pid runs. A zombie counts as dead: in containers whose pid 1
    does not reap, stopped processes linger as zombies."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"
