"""Running `scrapy crawl` for real in tests: a subprocess against the local replica,
with settings for a site on loopback, reading back items and final stats."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from replica import CRAWLER_SETTINGS

REPO = Path(__file__).resolve().parents[1]

REPLICA_SETTINGS = {
    **CRAWLER_SETTINGS,
    "DOWNLOAD_TIMEOUT": "2",
    "RETRY_TIMES": "2",
    "RETRY_BACKOFF_MAX": "2",
    "SECTION_MAX_PAGES": "100",
    "RENDER_WAIT_TIMEOUT_MS": "2500",
    "LOG_LEVEL": "INFO",
}


@dataclass
class CrawlResult:
    returncode: int
    stats: dict[str, Any]
    items: list[dict[str, Any]]
    stderr: str

    @property
    def urls(self) -> list[str]:
        return [item["url"] for item in self.items]

    def stat(self, key: str) -> int:
        return int(self.stats.get(key, 0))


def crawl_command(
    tmp_path: Path,
    *arguments: str,
    settings: dict[str, str] | None = None,
    feed: bool = True,
    spider: str = "franceinfo",
) -> list[str]:
    """The `scrapy crawl franceinfo` (or `spider`) command line the tests run, stats to tmp_path/stats.json."""
    command = [sys.executable, "-m", "scrapy", "crawl", spider]
    if feed:
        command += ["-O", f"{tmp_path / 'items.jsonl'}:jsonl"]
    for argument in arguments:
        command += ["-a", argument]
    merged = {
        **REPLICA_SETTINGS,
        "STATS_FILE": str(tmp_path / "stats.json"),
        "STORE_SPILL_DIR": str(tmp_path / "spill"),
    }
    merged.update(settings or {})
    for key, value in merged.items():
        command += ["-s", f"{key}={value}"]
    return command


def read_stats(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "stats.json"
    return json.loads(path.read_text()) if path.exists() else {}


def run_crawl(
    tmp_path: Path,
    *arguments: str,
    settings: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    spider: str = "franceinfo",
) -> CrawlResult:
    """`scrapy crawl franceinfo -a …` (or `spider`) in the repo, items to a JSON-lines feed."""
    feed = tmp_path / "items.jsonl"
    for leftover in (feed, tmp_path / "stats.json"):
        leftover.unlink(missing_ok=True)
    command = crawl_command(tmp_path, *arguments, settings=settings, spider=spider)
    environment = {**os.environ, "STORE_ENABLED": "0", **(env or {})}
    process = subprocess.run(command, cwd=REPO, env=environment, capture_output=True, text=True, timeout=timeout)
    items = [json.loads(line) for line in feed.read_text().splitlines()] if feed.exists() else []
    return CrawlResult(process.returncode, read_stats(tmp_path), items, process.stderr)


class _Routes(BaseHTTPRequestHandler):
    def __init__(self, routes: dict[str, tuple[str, bytes]], *args: object) -> None:
        self.routes = routes
        super().__init__(*args)

    def do_GET(self) -> None:
        content_type, body = self.routes.get(urlsplit(self.path).path, ("text/html", b""))
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve_routes(routes: dict[str, tuple[str, bytes]]) -> Iterator[str]:
    """A site on loopback: path -> (content type, body), 404 elsewhere; yields its
    base URL. `routes` may change while it serves (a page edited between crawls)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Routes, routes))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
