"""Debian's `redis-server` on a free loopback port, in a private folder.

Why: the shared frontier of N crawl workers (`crawler.frontier`) lives in Redis;
tests, CI and benchmarks run the real server, as they run FerretDB.

In Python::

    with RedisServer() as server:
        client = redis.Redis.from_url(server.url)

From a shell::

    python -m devservers.redis run [--port N]      # foreground
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from devservers.processes import free_port, stop_process

REDIS_SERVER = "/usr/bin/redis-server"
EPHEMERAL = ["--save", "", "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no"]


class RedisServer:
    """One redis-server process, persistence off (the frontier of a test is thrown
    away with it), stopped and its folder removed by `stop()`."""

    def __init__(self, port: int | None = None, start_timeout: float = 10.0) -> None:
        self.port = port or 0
        self.start_timeout = start_timeout
        self.dir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> RedisServer:
        if not Path(REDIS_SERVER).exists():
            raise RuntimeError(f"{REDIS_SERVER} not found; run devservers/install.sh (apt-get install redis-server)")
        self.dir = Path(tempfile.mkdtemp(prefix="redis-"))
        self.port = self.port or free_port()
        log = open(self.dir / "redis.log", "wb")  # noqa: SIM115 - the child writes it until stop()
        self._process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir), *EPHEMERAL],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                output = (self.dir / "redis.log").read_text(errors="replace")[-2000:]
                self.stop()
                raise RuntimeError(f"redis-server exited at start:\n{output}")
            if self._ping():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port} within {self.start_timeout} s")

    def _ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Idempotent."""
        process, self._process = self._process, None
        stop_process(process)
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    with RedisServer(args.port) as server:
        print(server.url, flush=True)
        try:
            while server.pid is not None:
                time.sleep(1)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
