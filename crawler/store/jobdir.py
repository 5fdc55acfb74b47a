"""Making a `JOBDIR` left by a killed run safe to resume.

Scrapy's disk queues (queuelib's LIFO files) write their entry count only when
they close, so a SIGKILL can leave a file whose header and entries disagree, or
an empty one: pushing to it then raises inside the engine and the request is
lost. Before a run starts, every queue file is checked by walking its entries
from the end; a file that doesn't check out is set aside (`*.corrupt`). Nothing
is lost by that: the spider re-reads discovery on every run and the store says
what is already there.

A JOBDIR that Scrapy could not open at all (an `active.json`, `spider.state` or
`requests.seen` that is garbage, or another program's) would fail every later run
the same way; the whole folder is set aside (`<jobdir>.corrupt-<time>`) with one log
line, and the run starts afresh.
"""

from __future__ import annotations

import json
import logging
import pickle
import struct
from datetime import UTC, datetime
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


def jobdir_problem(jobdir: Path) -> str | None:
    """Why Scrapy could not resume this JOBDIR, or None."""
    active = jobdir / "requests.queue" / "active.json"
    if active.exists():
        try:
            slots = json.loads(active.read_bytes())
        except ValueError as error:
            return f"{active.name} is not JSON ({error})"
        priorities = slots.values() if isinstance(slots, dict) else [slots]
        if not all(isinstance(p, list) and all(isinstance(n, int) for n in p) for p in priorities):
            return f"{active.name} does not list queue priorities"
    state = jobdir / "spider.state"
    if state.exists():
        try:
            with state.open("rb") as handle:
                if not isinstance(pickle.load(handle), dict):
                    return "spider.state does not hold a dict"
        except Exception as error:
            return f"spider.state cannot be read ({type(error).__name__})"
    seen = jobdir / "requests.seen"
    if seen.exists():
        try:
            seen.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            return f"requests.seen cannot be read ({type(error).__name__})"
    return None


def repair_request_queues(jobdir: str | Path) -> list[Path]:
    """Set aside a JOBDIR Scrapy could not open, else the queue files a crash left
    unreadable; returns what was set aside."""
    problem = jobdir_problem(Path(jobdir)) if Path(jobdir).is_dir() else None
    if problem:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = Path(jobdir).with_name(f"{Path(jobdir).name}.corrupt-{stamp}")
        Path(jobdir).rename(aside)
        logger.warning(
            "JOBDIR %s cannot be resumed: %s; set aside as %s, this run starts afresh", jobdir, problem, aside
        )
        return [aside]
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
