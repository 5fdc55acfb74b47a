"""A host's concurrency cap holds with no download delay: a real crawl of a loopback
server that counts the requests it serves at once. Scrapy 2.19's own downloader
is run too, to show why ours exists (when that test fails, Scrapy holds the cap
itself and `SlotBoundDownloader` can go)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.crawling import REPO

CAP = 2
BURST = """
import sys
import scrapy
from scrapy.crawler import CrawlerProcess


class Burst(scrapy.Spider):
    name = "burst"

    async def start(self):
        for page in range(12):
            yield scrapy.Request(f"{sys.argv[1]}/{page}", dont_filter=True)

    def parse(self, response):
        pass


process = CrawlerProcess({
    "DOWNLOADER": sys.argv[2],
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": int(sys.argv[3]),
    "DOWNLOAD_DELAY": 0,
    "ROBOTSTXT_OBEY": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
})
process.crawl(Burst)
process.start()
"""


class CountingServer(ThreadingHTTPServer):
    """Answers every GET after 0.3 s and keeps the most requests it served at once."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Slow)
        self.lock = threading.Lock()
        self.now = self.most = self.served = 0


class _Slow(BaseHTTPRequestHandler):
    server: CountingServer

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.now += 1
            self.server.most = max(self.server.most, self.server.now)
        time.sleep(0.3)
        with self.server.lock:
            self.server.now -= 1
            self.server.served += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[CountingServer]:
    server = CountingServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def burst(server: CountingServer, downloader: str) -> None:
    url = f"http://127.0.0.1:{server.server_port}"
    command = [sys.executable, "-c", BURST, url, downloader, str(CAP)]
    process = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert process.returncode == 0, process.stderr[-3000:]
    assert server.served == 12


def test_our_downloader_holds_a_host_to_its_concurrency_without_a_delay(server: CountingServer) -> None:
    burst(server, "crawler.fetch.downloader.SlotBoundDownloader")
    assert server.most == CAP


def test_scrapys_own_downloader_sends_every_queued_request_at_once(server: CountingServer) -> None:
    burst(server, "scrapy.core.downloader.Downloader")
    assert server.most > CAP, "Scrapy now holds the cap itself: SlotBoundDownloader can go"
