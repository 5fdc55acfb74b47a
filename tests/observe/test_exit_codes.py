"""How `scrapy crawl` ends: the status cron sees, the summary line, JSON logs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.observe import exitcodes
from replica.model import ReplicaSite
from replica.server import ReplicaServer
from tests.crawling import run_crawl


def stats(**values: int) -> dict:
    return {"finish_reason": "finished", **{key.replace("__", "/"): value for key, value in values.items()}}


@pytest.mark.parametrize(
    ("run", "code"),
    [
        (stats(discovered__sitemap=40, articles__parsed=40), exitcodes.OK),
        (stats(discovered__sitemap=40, incremental__skipped__unchanged_lastmod=40), exitcodes.OK),
        (stats(), exitcodes.OK),
        (stats(discovered__sitemap=40), exitcodes.NOTHING_PARSED),
        (stats(discovered__sitemap=40, articles__parsed=10, failed__http_403=30), exitcodes.ERROR_RATE),
        (stats(discovered__sitemap=10, articles__parsed=4, failed__http_500=6), exitcodes.OK),
        ({"finish_reason": "closespider_timeout"}, exitcodes.TIMED_OUT),
        ({"finish_reason": "store_unavailable"}, exitcodes.STORE_FAILED),
        (stats(discovered__sitemap=40, finish_reason="shutdown"), exitcodes.STOPPED),
        (stats(discovered__sitemap=40, articles__parsed=40, store__unsaved=3), exitcodes.STORE_FAILED),
        ({"finish_reason": "spill_unwritable"}, exitcodes.STORE_FAILED),
        (stats(failed__discovery__http_404=2), exitcodes.DISCOVERY_FAILED),
        (stats(failed__discovery__connection_refused=1, failed__invalid_feed=1), exitcodes.DISCOVERY_FAILED),
        (stats(failed__invalid_sitemap=1), exitcodes.DISCOVERY_FAILED),
        (stats(discovery__read__sitemap=1, failed__discovery__http_404=1), exitcodes.OK),  # a quiet news hour
        (
            stats(discovery__read__rss=1, failed__discovery__http_404=1, discovered__rss=5, articles__parsed=5),
            exitcodes.OK,
        ),
        (stats(discovered__urls=3, failed__connection_refused=3), exitcodes.NOTHING_PARSED),  # urls=: no discovery
        (stats(failed__discovery__timeout=1, finish_reason="closespider_timeout"), exitcodes.TIMED_OUT),
        ({**stats(discovered__sitemap=40, articles__parsed=40), "health/alerts": [{"field": "lead"}]}, exitcodes.EXTRACTION_DRIFT),
        ({**stats(discovered__sitemap=40, articles__parsed=40), "health/alerts": []}, exitcodes.OK),
        ({**stats(discovered__sitemap=40), "health/alerts": [{"field": "lead"}]}, exitcodes.NOTHING_PARSED),
    ],
)  # fmt: skip
def test_exit_status_of_a_run(run: dict, code: int) -> None:
    assert exitcodes.for_run(run, Settings({"ALERT_ERROR_RATE": 0.5, "ALERT_MIN_PAGES": 20})) == code


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with ReplicaServer(ReplicaSite(articles=60, seed=2, slow_seconds=20), port=0) as server:
        yield server


@pytest.mark.slow
def test_blocked_site_is_an_alert_not_silence(replica: ReplicaServer, tmp_path: Path) -> None:
    urls = ",".join(f"{replica.base_url}/monde/europe/absent-{n}_{9_000_000 + n}.html" for n in range(5))
    result = run_crawl(tmp_path, f"base_url={replica.base_url}", f"urls={urls}")
    assert result.returncode == exitcodes.NOTHING_PARSED
    assert result.stat("failed/http_404") == 5


@pytest.mark.slow
def test_a_run_closed_by_its_time_limit_says_so(replica: ReplicaServer, tmp_path: Path) -> None:
    result = run_crawl(
        tmp_path,
        f"base_url={replica.base_url}",
        "sources=sitemap",
        "since=2026-01-01",
        settings={"CLOSESPIDER_TIMEOUT": "2", "DOWNLOAD_TIMEOUT": "30", "CONCURRENT_REQUESTS": "1"},
    )
    assert result.stats["finish_reason"] == "closespider_timeout"
    assert result.returncode == exitcodes.TIMED_OUT


@pytest.mark.slow
def test_one_summary_line_and_json_logs(replica: ReplicaServer, tmp_path: Path) -> None:
    result = run_crawl(
        tmp_path,
        f"base_url={replica.base_url}",
        "sources=rss",
        env={"LOG_FORMAT": "json"},
        settings={"LOG_LEVEL": "INFO"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    summaries = [line["message"] for line in lines if line["message"].startswith("run ")]
    assert len(summaries) == 1
    assert "finished: new=0" in summaries[0] and f"requests={result.stat('downloader/request_count')}" in summaries[0]
