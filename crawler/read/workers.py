"""Where page objects run: on the crawl's own thread, or in worker processes.

Reading a 300 KB article page (parse, select, clean) costs a few milliseconds of
CPU. On the reactor thread that time is taken from the network: downloads wait
while a page is read, and one pathological page can push others past their
timeout. With `EXTRACT_PROCESSES` ≥ 1, pages are read in that many worker
processes, on other cores, while the spider awaits the raw article.

Each worker is `python -m crawler.read.workers`, fed length-prefixed pickles on
its stdin and answering on its stdout. The event loop writes and reads those
pipes itself: no feeder or manager threads competing with the reactor for the
GIL (with `ProcessPoolExecutor`, pages queued for 70 ms while its worker sat
idle a third of the time, measured on 300 KB pages).

A worker that dies (a crash in a C library, the kernel's OOM killer) fails the
pages it had; they are read again by a new worker. The page it died on is
blamed, and a page that has killed `CRASH_ATTEMPTS` workers is dropped as
`extraction_crashed`. A worker that takes longer than `EXTRACT_TIMEOUT` to
answer is killed the same way, and a page that hangs twice is dropped as
`extraction_timeout`. (Reading inline, `processes=0`, has neither safety net.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import importlib
import itertools
import logging
import os
import pickle
import struct
import sys
import traceback
from collections.abc import Callable
from typing import Any, BinaryIO

from crawler.read import NotAnArticle

logger = logging.getLogger(__name__)

CRASH_ATTEMPTS = 2
_LENGTH = struct.Struct("!I")


class PageObjectError(Exception):
    """A page object failed in a way it should not (a bug): the page is dropped, the
    traceback logged."""


class WorkerDied(Exception):
    """`while_reading_this`: the worker reads in order, so the oldest page it had
    is the one it died on; the others are read again without blame."""

    def __init__(self, why: str, while_reading_this: bool, timed_out: bool = False) -> None:
        super().__init__(why)
        self.while_reading_this = while_reading_this
        self.timed_out = timed_out


def _resolve(path: str) -> Callable[..., dict[str, Any]]:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


class PageReader:
    """Runs the read function `read` (`module:function`, named so a worker can import
    it; the spider gives `crawler.sites:read_page`) inline (`processes=0`) or in
    worker processes."""

    def __init__(self, processes: int, read: str, timeout: float = 30.0) -> None:
        self.processes = processes
        self.read_path = read
        self.timeout = timeout
        self._read = _resolve(read) if not processes else None
        self._workers: list[_Worker] = []
        self._starting = asyncio.Lock()
        self.workers_started = 0

    async def start(self) -> None:
        """Start the missing workers (at spider open, so their imports overlap discovery)."""
        async with self._starting:
            self._workers = [worker for worker in self._workers if worker.alive]
            while len(self._workers) < self.processes:
                self._workers.append(await _Worker.spawn(self.read_path))
                self.workers_started += 1

    async def read(self, site_key: str, url: str, body: bytes, content_type: str | None) -> dict[str, Any]:
        if self._read is not None:
            try:
                return self._read(site_key, url, body, content_type)
            except NotAnArticle:
                raise
            except Exception as error:
                raise PageObjectError(traceback.format_exc().strip()) from error
        crashes = 0
        while True:
            if len(self._workers) < self.processes or not all(worker.alive for worker in self._workers):
                await self.start()
            worker = min(self._workers, key=lambda w: len(w.pending))
            try:
                return await worker.call((site_key, url, body, content_type), self.timeout)
            except WorkerDied as died:
                if died.while_reading_this:
                    crashes += 1
                    logger.error("a page-reading worker died (%s) reading %s", died, url)
                if crashes >= CRASH_ATTEMPTS:
                    reason = "extraction_timeout" if died.timed_out else "extraction_crashed"
                    raise NotAnArticle(reason, f"reading it killed {crashes} page-reading workers") from None

    async def close(self) -> None:
        """Stop the workers; no process outlives the crawl."""
        workers, self._workers = self._workers, []
        await asyncio.gather(*(worker.stop() for worker in workers))

    def pids(self) -> list[int]:
        return [worker.process.pid for worker in self._workers if worker.alive]


class _Worker:
    """One worker process and the calls it has in flight."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.ids = itertools.count()
        self.alive = True
        self.timed_out = False
        self.reader = asyncio.get_running_loop().create_task(self._read_answers())

    @classmethod
    async def spawn(cls, read_path: str) -> _Worker:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "crawler.read.workers",
            "--read",
            read_path,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        return cls(process)

    async def call(self, arguments: tuple[Any, ...], timeout: float) -> dict[str, Any]:
        if not self.alive:
            raise WorkerDied("already gone", while_reading_this=False)
        call_id = next(self.ids)
        future = asyncio.get_running_loop().create_future()
        self.pending[call_id] = future
        payload = pickle.dumps((call_id, arguments), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.process.stdin.write(_LENGTH.pack(len(payload)) + payload)
            await self.process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError) as error:
            self._fail_all(f"its stdin closed: {error}")
        done, _ = await asyncio.wait({future}, timeout=timeout)
        if not done and self.process.returncode is None:
            self.timed_out = True
            self.process.kill()  # the answer reader then fails every pending page
        return await future

    async def _read_answers(self) -> None:
        try:
            while True:
                (size,) = _LENGTH.unpack(await self.process.stdout.readexactly(_LENGTH.size))
                call_id, ok, value = pickle.loads(await self.process.stdout.readexactly(size))
                future = self.pending.pop(call_id, None)
                if future is None or future.done():
                    continue
                if ok:
                    future.set_result(value)
                elif isinstance(value, NotAnArticle):
                    future.set_exception(value)
                else:
                    future.set_exception(PageObjectError(value))
        except (asyncio.IncompleteReadError, ConnectionResetError):
            code = await self.process.wait()
            self._fail_all("no answer in time, killed" if self.timed_out else f"exit status {code}")

    def _fail_all(self, why: str) -> None:
        self.alive = False
        pending, self.pending = self.pending, {}
        for position, call_id in enumerate(sorted(pending)):
            if not pending[call_id].done():
                pending[call_id].set_exception(WorkerDied(why, position == 0, self.timed_out))

    async def stop(self) -> None:
        self.alive = False
        if self.process.returncode is None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
            try:
                await asyncio.wait_for(self.process.wait(), timeout=10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        await self.reader


def serve(read: Callable[..., dict[str, Any]], requests: BinaryIO, answers: BinaryIO) -> None:
    """The worker's loop: one answer per request, until the crawl closes our stdin."""
    while True:
        header = requests.read(_LENGTH.size)
        if len(header) < _LENGTH.size:
            return
        call_id, arguments = pickle.loads(requests.read(_LENGTH.unpack(header)[0]))
        try:
            answer = (call_id, True, read(*arguments))
        except NotAnArticle as error:
            answer = (call_id, False, error)
        except Exception:
            answer = (call_id, False, traceback.format_exc().strip())
        payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        answers.write(_LENGTH.pack(len(payload)) + payload)
        answers.flush()


def _widen(pipe: int) -> None:
    """A 1 MB pipe holds a few whole pages: Linux's default 64 KB would have the
    worker wait for the crawl's event loop to come back five times per page."""
    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, 1 << 20)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m crawler.read.workers", description="A page-reading worker.")
    parser.add_argument("--read", required=True, help="module:function to run on each page")
    args = parser.parse_args(argv)
    read = _resolve(args.read)
    for pipe in (0, 1):
        _widen(pipe)
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print must not corrupt the answer stream
    serve(read, sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
