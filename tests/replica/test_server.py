"""The HTTP server: concurrency, keep-alive, HEAD, stats, the CLI."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from tests.replica.client import fetch, get_json, post_json

REPO = Path(__file__).resolve().parents[2]


def test_fifty_concurrent_requests(base, truth):
    urls = [a["url"] for a in truth["articles"] if a["quirk"] is None][:50]
    with ThreadPoolExecutor(50) as pool:
        responses = list(pool.map(lambda url: fetch(url, timeout=20), urls))
    assert [r.status for r in responses] == [200] * 50


def test_keep_alive_serves_many_requests_on_one_connection(base, truth):
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    for article in truth["articles"][:20]:
        connection.request("GET", urlsplit(article["url"]).path)
        response = connection.getresponse()
        assert response.status == 200 and response.getheader("Connection") != "close"
        assert len(response.read()) == int(response.getheader("Content-Length"))
    connection.close()


def test_head_has_headers_and_no_body(base, truth):
    url = truth["articles"][0]["url"]
    response = fetch(url, "HEAD")
    assert response.status == 200 and response.body == b""
    assert int(response.header("content-length")) == len(fetch(url).body)


def test_stats_count_requests_and_reset(base, truth):
    post_json(f"{base}/_replica/stats/reset")
    articles = [a for a in truth["articles"] if a["quirk"] is None][:3]
    for article in articles:
        fetch(article["url"])
    fetch(f"{base}/robots.txt")
    fetch(f"{base}/robots.txt")
    stats = get_json(f"{base}/_replica/stats.json")
    assert stats["total"] == 5
    assert stats["by_kind"] == {"article": 3, "robots": 2}
    assert stats["by_path"]["/robots.txt"] == 2
    assert stats["by_status"] == {"200": 5}
    post_json(f"{base}/_replica/stats/reset")
    assert get_json(f"{base}/_replica/stats.json")["total"] == 0


def test_admin_is_not_linked_and_disallowed(base):
    assert b"/_replica/" not in fetch(f"{base}/").body
    assert get_json(f"{base}/_replica/")["endpoints"]
    assert fetch(f"{base}/_replica/advance").status == 404
    assert fetch(f"{base}/_replica/articles.json", "POST").status == 405


def test_measure_article_throughput(base, truth):
    """Not a benchmark: prints the rate so regressions are visible in -s output."""
    urls = [urlsplit(a["url"]).path for a in truth["articles"] if a["quirk"] is None][:256]
    parts = urlsplit(base)

    def worker(chunk: list[str]) -> int:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
        size = 0
        for path in chunk:
            connection.request("GET", path)
            size += len(connection.getresponse().read())
        connection.close()
        return size

    started = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        total = sum(pool.map(worker, [urls[i::16] for i in range(16)]))
    elapsed = time.perf_counter() - started
    print(f"\n{len(urls) / elapsed:.0f} article pages/s, {total / elapsed / 1e6:.0f} MB/s with 16 threads")
    assert total > 250_000 * len(urls)


def test_cli_prints_its_url_and_stops_on_sigterm():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "replica", "--port", "0", "--articles", "50", "--seed", "2"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=env,
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("REPLICA_URL=http://127.0.0.1:")
        base = line.removeprefix("REPLICA_URL=")
        assert fetch(f"{base}/robots.txt").status == 200
        assert get_json(f"{base}/_replica/articles.json")["seed"] == 2
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
