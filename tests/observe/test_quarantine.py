"""Quarantined pages: bounded per run, saved to MongoDB, turned into test cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pymongo.database import Database
from scrapy.http import HtmlResponse
from scrapy.statscollectors import DummyStatsCollector

from crawler.fixtures import add, case_files
from crawler.observe.quarantine import COLLECTION, Quarantine

URL = "https://www.francetvinfo.fr/monde/un-article_123.html"


class Stats(DummyStatsCollector):
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1, start: int = 0, spider: object = None) -> None:
        self.counts[key] = self.counts.get(key, start) + count


def page(url: str = URL, size: int = 100) -> HtmlResponse:
    body = b"<html><body>" + b"x" * size + b"</body></html>"
    return HtmlResponse(url, body=body, headers={"Content-Type": "text/html; charset=utf-8", "ETag": '"v1"'})


def test_a_run_keeps_each_page_once_within_its_count_and_byte_budget() -> None:
    stats = Stats()
    kept = Quarantine(max_pages=2, max_bytes=10_000)
    assert kept.add(page(), "FranceinfoArticlePage", "missing lead", stats)
    assert not kept.add(page(), "FranceinfoArticlePage", "missing lead", stats)  # the same page again
    assert not kept.add(page(URL + "?big", size=20_000), None, "no_title", stats)  # over the bytes
    assert kept.add(page(URL + "?2"), None, "no_title", stats)
    assert not kept.add(page(URL + "?3"), None, "no_title", stats)  # over the count
    assert [p["reason"] for p in kept.pages] == ["missing lead", "no_title"]
    assert stats.counts == {
        "health/quarantined": 2,
        "health/quarantined/missing": 1,
        "health/quarantined/no_title": 1,
        "health/quarantine_full": 2,
    }


def test_saved_pages_keep_bytes_and_headers_and_old_ones_go(mongo_db: Database) -> None:
    mongo_db[COLLECTION].insert_one({"_id": "old", "quarantined_at": datetime.now(UTC) - timedelta(days=30)})
    kept = Quarantine(max_pages=5, max_bytes=10_000, keep_days=14)
    kept.add(page(), "FranceinfoArticlePage", "missing lead, authors", Stats(), site="franceinfo")
    assert kept.save(mongo_db, "run-1") == 1
    [saved] = list(mongo_db[COLLECTION].find())
    assert bytes(saved["body"]) == page().body
    assert saved["headers"]["Etag"] == ['"v1"'] and saved["run_id"] == "run-1"
    assert (saved["url"], saved["site"], saved["layout"]) == (URL, "franceinfo", "FranceinfoArticlePage")
    assert saved["reason"] == "missing lead, authors"
    assert kept.save(mongo_db, "run-1") == 1  # saving twice does not duplicate
    assert mongo_db[COLLECTION].count_documents({}) == 1


def quarantined() -> dict:
    return {
        "_id": "abc123",
        "url": URL,
        "status": 200,
        "headers": {"Content-Type": ["text/html"]},
        "body": b"<html>page</html>",
        "layout": "FranceinfoArticlePage",
        "reason": "missing lead",
        "run_id": "run-1",
        "quarantined_at": datetime(2026, 12, 1, tzinfo=UTC),
    }


def test_a_case_is_the_page_its_note_and_an_expected_article_to_write_by_hand() -> None:
    files = case_files(quarantined())
    assert files["input.html"] == b"<html>page</html>"
    expected = json.loads(files["output.json"])
    assert (expected["url"], expected["source"]) == (URL, "franceinfo")
    assert all(value.startswith("TODO") for key, value in expected.items() if key not in ("url", "source"))
    assert "revision" not in expected and "paragraphs" in expected
    assert json.loads(files["meta.json"])["page"] == "FranceinfoArticlePage"
    note = files["SOURCE.md"].decode()
    assert "Reason: missing lead" in note and "Content-Type: text/html" in note and "run-1" in note


def test_adding_a_case_never_overwrites_one(tmp_path: Path) -> None:
    case = add(quarantined(), tmp_path)
    assert case == tmp_path / "franceinfo" / "real-quarantine-abc123"
    assert sorted(p.name for p in case.iterdir()) == ["SOURCE.md", "input.html", "meta.json", "output.json"]
    with pytest.raises(FileExistsError):
        add(quarantined(), tmp_path)


def test_a_case_goes_under_the_site_the_crawl_read_it_as_not_the_mirror_host(tmp_path: Path) -> None:
    replica_page = {**quarantined(), "url": "http://127.0.0.1:8123/monde/un-article_123.html", "site": "franceinfo"}
    assert add(replica_page, tmp_path).parent == tmp_path / "franceinfo"
    assert json.loads(case_files(replica_page)["output.json"])["source"] == "franceinfo"
