"""Sites that misbehave, crawled for real: `scrapy crawl` against small loopback
servers (127.0.0.1 only) and FerretDB. Each case is one an operator met: a redirect
to another host, one site spelled two ways, a site that answers nothing, a gzip bomb."""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pymongo.database import Database

from crawler.discover.listings import parse_sitemap
from crawler.observe import exitcodes
from crawler.spiders.params import ARGUMENTS
from devservers.ferretdb import MongoServer
from tests.crawling import REPO, crawl_command, run_crawl
from tests.read import PAGES

ARTICLE_HTML = (PAGES / "franceinfo/synthetic-2020-haut-karabakh/input.html").read_bytes()
EMPTY_URLSET = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'

# (method path, Host header, server port) -> (status, headers, body)
Route = Callable[[str, str, int], tuple[int, dict[str, str], bytes]]


@dataclass
class LoopbackSite:
    base_url: str
    hosts_asked: set[str] = field(default_factory=set)  # Host headers, without the port


@contextmanager
def loopback_site(route: Route) -> Iterator[LoopbackSite]:
    """An HTTP server on 127.0.0.1 answering every request with `route`."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.hosts_asked.add(self.headers.get("Host", "").rsplit(":", 1)[0])
            status, headers, body = route(self.path, self.headers.get("Host", ""), self.server.server_port)
            self.send_response(status)
            for name, value in {"Content-Length": str(len(body)), **headers}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site = LoopbackSite(f"http://127.0.0.1:{server.server_port}")
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


def not_found(path: str, host: str, port: int) -> tuple[int, dict[str, str], bytes]:
    return 404, {"Content-Type": "text/html"}, b"<html><body>Not found</body></html>"


def html(body: bytes) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "text/html; charset=utf-8"}, body


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def store_env(mongo_server: MongoServer, mongo_db: Database) -> dict[str, str]:
    return {"STORE_ENABLED": "1", "MONGO_URI": mongo_server.uri, "MONGO_DATABASE": mongo_db.name}


# 1. A redirect to another host is not followed.


def redirecting_site(path: str, host: str, port: int) -> tuple[int, dict[str, str], bytes]:
    """Article pages that leave for `localhost` (the same server, another host name),
    by a 301 or by a meta refresh; one that moves on the site; the landing pages."""
    elsewhere = f"http://localhost:{port}/monde/europe/landed_101.html"
    if path == "/monde/europe/redirected_101.html":
        return 301, {"Location": elsewhere}, b""
    if path == "/monde/europe/refreshed_101.html":
        return html(f'<html><head><meta http-equiv="refresh" content="0; url={elsewhere}"></head></html>'.encode())
    if path == "/monde/europe/moved_102.html":
        return 301, {"Location": "/monde/europe/landed_102.html"}, b""
    if path.startswith("/monde/europe/landed_"):
        return html(ARTICLE_HTML)
    return not_found(path, host, port)


@pytest.mark.slow
@pytest.mark.parametrize("leaves_by", ["redirected", "refreshed"])
def test_a_redirect_to_another_host_is_offsite_and_never_stored(
    leaves_by: str, mongo_server: MongoServer, mongo_db: Database, tmp_path: Path
) -> None:
    with loopback_site(redirecting_site) as site:
        base_url = site.base_url
        urls = f"{base_url}/monde/europe/{leaves_by}_101.html,{base_url}/monde/europe/moved_102.html"
        result = run_crawl(tmp_path, f"base_url={base_url}", f"urls={urls}", env=store_env(mongo_server, mongo_db))
    assert result.stat("failed/offsite") == 1
    assert site.hosts_asked == {"127.0.0.1"}, "the other host was asked for the page"
    lines = [line for line in result.stderr.splitlines() if "failed/offsite http" in line]
    assert len(lines) == 1 and f"failed/offsite {base_url}/monde/europe/{leaves_by}_101.html" in lines[0]
    assert result.urls == [f"{base_url}/monde/europe/landed_102.html"], "the on-site redirect is still followed"
    assert [doc["url"] for doc in mongo_db.articles.find()] == [f"{base_url}/monde/europe/landed_102.html"]
    assert result.returncode == exitcodes.OK, result.stderr[-2000:]


# 2. One site spelled two ways is one run lock.


@pytest.mark.slow
def test_two_spellings_of_one_site_share_the_run_lock(
    mongo_server: MongoServer, mongo_db: Database, tmp_path: Path
) -> None:
    release = threading.Event()
    sitemaps_served = []

    def slow_first_sitemap(path: str, host: str, port: int) -> tuple[int, dict[str, str], bytes]:
        if path == "/sitemap_news.xml":
            sitemaps_served.append(path)
            if len(sitemaps_served) == 1:
                release.wait(60)  # the first run holds the lock meanwhile
            return 200, {"Content-Type": "application/xml"}, EMPTY_URLSET
        return not_found(path, host, port)

    env = {**os.environ, **store_env(mongo_server, mongo_db)}
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    first_dir.mkdir()
    second_dir.mkdir()
    with loopback_site(slow_first_sitemap) as site:
        base_url = site.base_url
        port = base_url.rsplit(":", 1)[1]
        first = subprocess.Popen(
            crawl_command(first_dir, f"base_url={base_url}", "sources=sitemap", settings={"DOWNLOAD_TIMEOUT": "90"}),
            cwd=REPO,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while not sitemaps_served:
                assert first.poll() is None and time.monotonic() < deadline, "the first run never asked for its sitemap"
                time.sleep(0.05)
            assert [lock["_id"] for lock in mongo_db.crawl_locks.find()] == [f"franceinfo@{base_url}"]
            other_spelling = f"base_url=HTTP://127.0.0.1:0{port}/"
            second = subprocess.run(
                crawl_command(second_dir, other_spelling, "sources=sitemap"),
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert second.returncode == exitcodes.LOCKED, second.stderr[-2000:]
            assert "another run holds the lock" in second.stderr.strip().splitlines()[-1]
            release.set()
            assert first.wait(timeout=120) == exitcodes.OK
        finally:
            release.set()
            first.kill()
            first.wait()
    assert len(sitemaps_served) == 1, "the second run crawled"


# 3. A site that answers nothing is an alert; so is an argument nobody knows.


def maintenance_page(path: str, host: str, port: int) -> tuple[int, dict[str, str], bytes]:
    return html(b"<html><body>Site en maintenance</body></html>")


def test_an_html_page_served_as_a_sitemap_is_not_an_empty_sitemap() -> None:
    assert parse_sitemap(b"<html><body>Site en maintenance</body></html>") == ("invalid", [])
    assert parse_sitemap(EMPTY_URLSET) == ("urlset", [])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("site", "sources", "why"),
    [
        ("closed", "sitemap,rss", ["sitemap: connection_refused ×1", "rss: connection_refused ×1"]),
        ("404", "sitemap,rss", ["sitemap: http_404 ×1", "rss: http_404 ×1"]),
        ("404", "sections", ["sections: http_404 ×2"]),
        ("maintenance", "sitemap,rss", ["sitemap: invalid_sitemap ×1", "rss: invalid_feed ×1"]),
    ],
)
def test_a_site_whose_discovery_all_fails_exits_9_saying_why(
    site: str, sources: str, why: list[str], tmp_path: Path
) -> None:
    arguments = [f"sources={sources}", *(["sections=monde,politique"] if sources == "sections" else [])]
    if site == "closed":
        result = run_crawl(tmp_path, f"base_url=http://127.0.0.1:{closed_port()}", *arguments)
    else:
        with loopback_site(not_found if site == "404" else maintenance_page) as server:
            result = run_crawl(tmp_path, f"base_url={server.base_url}", *arguments)
    assert result.returncode == exitcodes.DISCOVERY_FAILED, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if "discovery failed" in line]
    assert len(lines) == 1
    assert "no sitemap, feed or section page could be read" in lines[0]
    assert all(reason in lines[0] for reason in why), lines[0]


@pytest.mark.slow
def test_explicit_urls_have_no_discovery_to_fail(tmp_path: Path) -> None:
    port = closed_port()
    result = run_crawl(
        tmp_path, f"base_url=http://127.0.0.1:{port}", f"urls=http://127.0.0.1:{port}/monde/a_1.html", "_job=cron-42"
    )
    assert result.returncode == exitcodes.NOTHING_PARSED, result.stderr[-2000:]
    assert result.stat("failed/connection_refused") == 1
    assert "discovery failed" not in result.stderr


@pytest.mark.slow
def test_an_unknown_argument_exits_2_with_one_line_naming_it(tmp_path: Path) -> None:
    result = run_crawl(tmp_path, "base_url=http://127.0.0.1:9", "sourcs=rss")
    assert result.returncode == exitcodes.BAD_ARGUMENTS
    assert result.stderr.strip().splitlines() == [
        "franceinfo: bad argument: unknown argument 'sourcs' (did you mean sources?); "
        f"known arguments: {', '.join(ARGUMENTS)}"
    ]
    assert result.stats == {}, "the crawl never started"


# 4. A gzip bomb is too large, not "ignored".


@pytest.mark.slow
def test_a_gzip_bomb_is_too_large(tmp_path: Path) -> None:
    bomb = gzip.compress(b"<html><body>" + b" " * 2_000_000 + b"</body></html>")
    assert len(bomb) < 20_000

    def site(path: str, host: str, port: int) -> tuple[int, dict[str, str], bytes]:
        if path == "/monde/europe/bomb_201.html":
            return 200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb
        return not_found(path, host, port)

    with loopback_site(site) as server:
        base_url = server.base_url
        result = run_crawl(
            tmp_path,
            f"base_url={base_url}",
            f"urls={base_url}/monde/europe/bomb_201.html",
            settings={"DOWNLOAD_MAXSIZE": "200000", "DOWNLOAD_WARNSIZE": "100000"},
        )
    assert result.stat("failed/too_large") == 1
    assert result.stat("failed/ignored") == 0
    assert result.items == []
    lines = [line for line in result.stderr.splitlines() if "failed/too_large http" in line]
    assert len(lines) == 1 and f"failed/too_large {base_url}/monde/europe/bomb_201.html" in lines[0]
