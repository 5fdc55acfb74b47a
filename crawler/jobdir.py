"""Making a `JOBDIR` left by a killed run safe to resume.

Scrapy's disk queues (queuelib's LIFO files) write their entry count only when
they close, so a SIGKILL can leave a file whose header and entries disagree, or
an empty one: pushing to it then raises inside the engine and the request is
lost. Before a run starts, every queue file is checked by walking its entries
from the end; a file that doesn't check out is set aside (`*.corrupt`). Nothing
is lost by that: the spider re-reads discovery on every run and the store says
what is already there.
"""

from __future__ import annotations

import logging
import struct
from pathlib import Path

logger = logging.getLogger(__name__)
SIZE = struct.Struct(">L")


def lifo_file_is_sound(path: Path) -> bool:
    data = path.read_bytes()
    if len(data) < SIZE.size:
        return False
    (count,) = SIZE.unpack_from(data, 0)
    end = len(data)
    for _ in range(count):
        if end - SIZE.size < SIZE.size:
            return False
        (length,) = SIZE.unpack_from(data, end - SIZE.size)
        end -= SIZE.size + length
        if end < SIZE.size:
            return False
    return end == SIZE.size


def repair_request_queues(jobdir: str | Path) -> list[Path]:
    """Set aside the queue files a crash left unreadable; returns them."""
    queues = Path(jobdir) / "requests.queue"
    if not queues.is_dir():
        return []
    set_aside = []
    for path in sorted(queues.rglob("*")):
        if path.name.endswith(".json") or path.suffix == ".corrupt" or not path.is_file():
            continue
        if not lifo_file_is_sound(path):
            path.rename(path.with_name(path.name + ".corrupt"))
            set_aside.append(path)
            logger.warning("JOBDIR: %s was cut by a crash; set aside, its requests will be rediscovered", path)
    return set_aside
