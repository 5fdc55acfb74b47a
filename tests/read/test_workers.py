"""Page objects run in worker processes: same articles as inline, reasons carried
back, crashes and bugs contained, no worker left behind."""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any

from crawler.read import NotAnArticle
from crawler.read.workers import CRASH_ATTEMPTS, PageObjectError, PageReader
from crawler.sites import read_page
from crawler.store.procs import pid_running
from tests.read import PAGES

SECTION = PAGES / "not-articles" / "franceinfo-section-monde.html"
SECTION_URL = "https://www.francetvinfo.fr/monde/"
HTML = "text/html; charset=utf-8"
SITES_READ = "crawler.sites:read_page"


def crash_on_poison(site_key: str, url: str, body: bytes, content_type: str | None) -> dict[str, Any]:
    """A read function for workers: dies like a segfaulting C library on one URL."""
    if "poison" in url:
        os._exit(139)
    return {"url": url, "pid": os.getpid()}


def hang_on_slow(site_key: str, url: str, body: bytes, content_type: str | None) -> dict[str, Any]:
    """A read function for workers: never returns on one URL."""
    if "slow" in url:
        time.sleep(3600)
    return {"url": url}


def buggy(site_key: str, url: str, body: bytes, content_type: str | None) -> dict[str, Any]:
    return {}["missing"]


async def read_all(reader: PageReader, calls: list[tuple[str, str, bytes, str | None]]) -> list[Any]:
    try:
        return await asyncio.gather(*(reader.read(*call) for call in calls), return_exceptions=True)
    finally:
        await reader.close()


def test_a_page_that_is_not_an_article_comes_back_with_its_reason() -> None:
    body = SECTION.read_bytes()
    [inline_error] = asyncio.run(read_all(PageReader(0, SITES_READ), [("franceinfo", SECTION_URL, body, HTML)]))
    [worker_error] = asyncio.run(read_all(PageReader(1, SITES_READ), [("franceinfo", SECTION_URL, body, HTML)]))
    assert isinstance(worker_error, NotAnArticle)
    assert (worker_error.reason, worker_error.detail) == (inline_error.reason, inline_error.detail)


def test_a_truncated_page_is_refused() -> None:
    page = PAGES / "franceinfo" / "synthetic-2020-haut-karabakh"
    url, body = json.loads((page / "meta.json").read_text())["url"], (page / "input.html").read_bytes()
    [error] = asyncio.run(read_all(PageReader(1, SITES_READ), [("franceinfo", url, body[: len(body) // 2], HTML)]))
    assert isinstance(error, NotAnArticle) and error.reason == "truncated"


def test_a_crashing_page_is_dropped_and_the_pages_beside_it_are_read_again() -> None:
    reader = PageReader(1, read=f"{__name__}:crash_on_poison")
    calls = [("franceinfo", f"https://example.test/{name}.html", b"<html></html>", None) for name in "abcdef"]
    calls.insert(3, ("franceinfo", "https://example.test/poison.html", b"<html></html>", None))
    results = asyncio.run(read_all(reader, calls))
    poison = results.pop(3)
    assert isinstance(poison, NotAnArticle) and poison.reason == "extraction_crashed"
    assert [result["url"] for result in results] == [call[1] for call in calls if "poison" not in call[1]]
    assert reader.workers_started == 1 + CRASH_ATTEMPTS  # the poison page killed two, nothing else did


def test_a_page_that_hangs_its_worker_is_dropped_and_the_others_are_read() -> None:
    reader = PageReader(1, read=f"{__name__}:hang_on_slow", timeout=1.0)
    calls = [("franceinfo", f"https://example.test/{name}.html", b"", None) for name in ("a", "slow", "b", "c")]
    started = time.monotonic()
    results = asyncio.run(read_all(reader, calls))
    assert isinstance(results[1], NotAnArticle) and results[1].reason == "extraction_timeout"
    assert [results[0]["url"], results[2]["url"], results[3]["url"]] == [calls[i][1] for i in (0, 2, 3)]
    assert time.monotonic() - started < 10


def test_a_page_object_bug_is_an_error_with_its_traceback_not_a_crash() -> None:
    for processes in (0, 1):
        [error] = asyncio.run(read_all(PageReader(processes, read=f"{__name__}:buggy"), [("x", "u", b"", None)]))
        assert isinstance(error, PageObjectError)
        assert "KeyError: 'missing'" in str(error)


def test_no_worker_outlives_close() -> None:
    async def scenario() -> tuple[list[int], list[int]]:
        reader = PageReader(2, read=f"{__name__}:crash_on_poison")
        await reader.start()
        pids = reader.pids()
        await reader.read("x", "https://example.test/a.html", b"", None)
        await reader.close()
        return pids, reader.pids()

    pids, after = asyncio.run(scenario())
    assert len(pids) == 2
    assert after == []
    assert not [pid for pid in pids if pid_running(pid)]


def test_a_worker_reads_every_fixture_page_as_the_crawl_thread_would() -> None:
    pages = sorted(p for p in (PAGES / "franceinfo").iterdir() if (p / "meta.json").exists())
    calls = []
    for page in pages:
        meta = json.loads((page / "meta.json").read_text())
        calls.append(("franceinfo", meta["url"], (page / "input.html").read_bytes(), None))
    results = asyncio.run(read_all(PageReader(1, SITES_READ), calls))
    assert results == [read_page(*call) for call in calls]
    assert all(result["title"] for result in results)
