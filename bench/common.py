"""Shared by the benchmarks: the replica in its own process, child processes with
their peak RSS, and the closing JSON line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from replica import CRAWLER_SETTINGS

REPO = Path(__file__).resolve().parents[1]
LOOPBACK_SETTINGS = {**CRAWLER_SETTINGS, "DOWNLOAD_TIMEOUT": "10", "LOG_LEVEL": "WARNING"}


@contextmanager
def replica_process(articles: int, seed: int = 3, extra: list[str] | None = None) -> Iterator[str]:
    """`python -m replica` on a free port; yields its base URL."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "replica",
            "--port",
            "0",
            "--articles",
            str(articles),
            "--seed",
            str(seed),
            *(extra or []),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        if not line.startswith("REPLICA_URL="):
            raise RuntimeError(f"replica did not start: {line!r}")
        yield line.split("=", 1)[1]
    finally:
        process.terminate()
        process.wait(timeout=30)


def fetch_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float
    returncode: int
    output: str
    peak_tree_rss_mb: float = 0.0
    cpu_seconds: float = 0.0
    descendants_cpu_seconds: float = 0.0
    box_busy: float = 0.0


def run_measured(command: list[str], env: dict[str, str] | None = None, cwd: Path = REPO) -> Run:
    """Run a child process; wall time, its peak resident memory (from wait4), the
    peak of its RSS summed with its descendants' (page-reading workers, browsers),
    the CPU time of the process itself and of its descendants, and how busy all
    the machine's cores were meanwhile (the site's server and the database count
    there too). The /proc figures are sampled every 100 ms."""
    box_before = _box_cpu()
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    tree_peak = [0, 0.0, 0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            for index, value in enumerate(tree_usage(process.pid)):
                tree_peak[index] = max(tree_peak[index], value)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    box_after = _box_cpu()
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss / 1024
    busy = (box_after[0] - box_before[0]) / max(box_after[1] - box_before[1], 1)
    return Run(
        seconds,
        peak,
        process.returncode,
        output,
        peak_tree_rss_mb=max(tree_peak[0] / 1024, peak),
        cpu_seconds=tree_peak[1],
        descendants_cpu_seconds=tree_peak[2],
        box_busy=busy,
    )


def _box_cpu() -> tuple[int, int]:
    """(busy, total) clock ticks of all cores since boot, from /proc/stat."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]
    return sum(ticks) - idle, sum(ticks)


def tree_usage(root: int) -> tuple[int, float, float]:
    """Resident memory (KB) of a process and all its descendants, the CPU seconds
    the process used, and those its descendants used (live ones, and those it
    already waited for), from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    cpu: dict[int, tuple[int, int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        cpu[pid] = (int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14]))
    total_rss = rss.get(root, 0)
    descendants_ticks = cpu.get(root, (0, 0))[1]
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        total_rss += rss.get(pid, 0)
        descendants_ticks += sum(cpu.get(pid, (0, 0)))
        todo.extend(children.get(pid, []))
    tick = os.sysconf("SC_CLK_TCK")
    return total_rss, cpu.get(root, (0, 0))[0] / tick, descendants_ticks / tick


def settings_args(settings: dict[str, str]) -> list[str]:
    args = []
    for key, value in settings.items():
        args += ["-s", f"{key}={value}"]
    return args


def print_json_line(figures: dict) -> None:
    print(json.dumps(figures, sort_keys=False))
