"""The hostile-page corpus (tests/hostile.py) through both ways a page is read:
`python -m crawler.extract` on each page, and one real crawl of them all from a
loopback server into FerretDB. Every page gives its expected outcome, counted once,
and never a traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import bson
import pymongo
import pytest

from crawler.article import dumps_article
from crawler.article.validate import problems
from devservers.ferretdb import MongoServer
from tests.crawling import CrawlResult, run_crawl
from tests.hostile import HostilePage, corpus

CORPUS = corpus()
NUMBERED = list(enumerate(CORPUS))
IDS = [page.name for page in CORPUS]
SITE = "https://www.francetvinfo.fr"


def cli_line(expect: str) -> str:
    """What the CLI's one stderr line says for an expected drop."""
    if expect.startswith("dropped/invalid/"):
        return f"invalid {expect.removeprefix('dropped/invalid/')}:"
    return f"not an article: {expect.removeprefix('dropped/')}"


def as_json(document: dict[str, Any]) -> dict[str, Any]:
    """A document as the CLI prints it (what `fields` are written in)."""
    return json.loads(dumps_article({k: v for k, v in document.items() if k != "_id"}))


def assert_fields(document: dict[str, Any], page: HostilePage, url: str) -> None:
    printed = as_json(document)
    assert printed["url"] == url, "the page's canonical link is no URL: the fetched one stays"
    for name, value in page.fields.items():
        assert printed[name] == value, name


def test_the_corpus_is_of_the_size_asked() -> None:
    assert 40 <= len(CORPUS) <= 70
    assert {page.expect.split("/")[0] for page in CORPUS} == {"stored", "dropped"}


# 1. python -m crawler.extract


def run_extract(tmp_path: Path, page: HostilePage, url: str, site: str | None = None) -> subprocess.CompletedProcess:
    path = tmp_path / "page.html"
    path.write_bytes(page.body)
    command = [
        sys.executable,
        "-m",
        "crawler.extract",
        str(path),
        "--url",
        url,
        "--content-type",
        page.content_type,
    ]
    return subprocess.run(command + (["--site", site] if site else []), capture_output=True, timeout=120)


@pytest.mark.parametrize(("number", "page"), NUMBERED, ids=IDS)
def test_cli_gives_the_expected_outcome_without_traceback(tmp_path: Path, number: int, page: HostilePage) -> None:
    url = SITE + page.path(number)
    result = run_extract(tmp_path, page, url)
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr
    if page.expect == "stored":
        assert result.returncode == 0, stderr
        assert_fields(json.loads(result.stdout.decode("utf-8")), page, url)
    else:
        assert result.returncode == 2, stderr
        assert result.stdout == b""
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(cli_line(page.expect)), lines


GENERIC = {
    "ld-date-year-9999-utc": "invalid published_at",
    "ld-date-year-0001-utc": "invalid published_at",
    "ld-headline-lone-surrogate": "stored",
    "ld-headline-number": "stored",
    "ld-description-list": "stored",
    "ld-type-list-of-objects": "not an article: not_article",
    "ld-nesting-100k-deep": "not an article: not_article",
    "ld-10000-blocks": "stored",
    "nested-divs-5mb": "not an article: not_article",
    "binary-garbage": "not an article: not_html",
    "meta-contradicting-duplicates": "not an article: not_article",
}


@pytest.mark.parametrize("name", sorted(GENERIC))
def test_cli_on_the_generic_page_object_never_crashes(tmp_path: Path, name: str) -> None:
    page = next(page for page in CORPUS if page.name == name)
    result = run_extract(tmp_path, page, "https://www.example-news.fr/monde/un-article_12.html", site="generic")
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr
    if GENERIC[name] == "stored":
        assert result.returncode == 0, stderr
        assert "\\ud800" not in result.stdout.decode("utf-8")
    else:
        assert result.returncode == 2 and len(stderr.strip().splitlines()) == 1, stderr
        assert stderr.startswith(GENERIC[name]), stderr


# 2. scrapy crawl franceinfo, from a loopback server into FerretDB


@pytest.fixture(scope="module")
def loopback_corpus() -> Iterator[str]:
    """The corpus served by http.server on 127.0.0.1 (an ephemeral port): each page
    at its article URL with its Content-Type; anything else (robots.txt) is a 404."""
    routes = {page.path(number): page for number, page in NUMBERED}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = routes.get(self.path)
            body = page.body if page else b"not found"
            self.send_response(200 if page else 404)
            self.send_header("Content-Type", page.content_type if page else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def crawled(
    loopback_corpus: str, mongo_server: MongoServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[CrawlResult, dict[str, dict[str, Any]]]]:
    """One crawl of the whole corpus, store enabled: its result and the stored documents by URL."""
    client: pymongo.MongoClient = pymongo.MongoClient(mongo_server.uri, tz_aware=True)
    name = "t_hostile_pages"
    client.drop_database(name)
    urls = ",".join(loopback_corpus + page.path(number) for number, page in NUMBERED)
    result = run_crawl(
        tmp_path_factory.mktemp("crawl"),
        f"base_url={loopback_corpus}",
        f"urls={urls}",
        env={"STORE_ENABLED": "1", "MONGO_URI": mongo_server.uri, "MONGO_DATABASE": name},
    )
    stored = {doc["url"]: doc for doc in client[name].articles.find()}
    yield result, stored
    client.drop_database(name)
    client.close()


OUTCOME_LINE = re.compile(r"\b((?:dropped|failed)/[\w/]+) (http://127\.0\.0\.1:\d+/\S+?\.html)")


def test_crawl_exits_0(crawled: tuple[CrawlResult, dict]) -> None:
    result, _ = crawled
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.parametrize(("number", "page"), NUMBERED, ids=IDS)
def test_crawl_accounts_for_each_page_once_as_expected(
    crawled: tuple[CrawlResult, dict], loopback_corpus: str, number: int, page: HostilePage
) -> None:
    result, stored = crawled
    url = loopback_corpus + page.path(number)
    outcomes = ["stored"] if url in stored else []
    outcomes += [reason for reason, where in OUTCOME_LINE.findall(result.stderr) if where == url]
    assert outcomes == [page.expected_in_crawl]
    if url in stored:
        assert_fields(stored[url], page, url)


def test_crawl_counts_match_the_corpus(crawled: tuple[CrawlResult, dict]) -> None:
    result, stored = crawled
    expected: dict[str, int] = {}
    for page in CORPUS:
        if page.expected_in_crawl != "stored":
            expected[page.expected_in_crawl] = expected.get(page.expected_in_crawl, 0) + 1
    counted = {key: value for key, value in result.stats.items() if key.startswith(("dropped/", "failed/"))}
    assert counted == expected
    assert result.stat("store/new") == len(stored) == sum(page.expected_in_crawl == "stored" for page in CORPUS)


def test_crawl_logs_no_error_or_traceback(crawled: tuple[CrawlResult, dict]) -> None:
    result, _ = crawled
    assert result.stat("dropped/page_object_error") == 0
    assert "Traceback" not in result.stderr
    assert [line for line in result.stderr.splitlines() if " ERROR: " in line or "CRITICAL" in line] == []


def test_every_stored_document_is_valid_and_encodable(crawled: tuple[CrawlResult, dict]) -> None:
    _, stored = crawled
    now = datetime.now(UTC)
    for url, document in stored.items():
        assert problems(document, now, timedelta(minutes=15)) == [], url
        bson.encode(document)
        dumps_article({k: v for k, v in document.items() if k != "_id"}, indent=None).encode("utf-8")
