from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.extract import extract_article
from pipelines.dedupe import DedupePipeline
from pipelines.normalize import NormalizePipeline
from pipelines.validate import ValidatePipeline
from tests.read import PAGES

CASE = PAGES / "franceinfo" / "real-2022-penurie-carburant"


def article() -> dict:
    meta = json.loads((CASE / "meta.json").read_text())
    return extract_article(meta["url"], (CASE / "input.html").read_bytes())


def build(pipeline_class, **settings):
    crawler = get_crawler(Spider, settings)
    crawler.stats.open_spider()
    return crawler, pipeline_class.from_crawler(crawler)


def test_a_valid_article_passes_unchanged() -> None:
    _, pipeline = build(ValidatePipeline)
    item = article()
    assert pipeline.process_item(item) is item


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"date_path": "2022-10-14"}, "date_path"),
        ({"date_path": None}, "date_path"),
        ({"published_at": None}, "published_at"),
        ({"published_at": datetime(2022, 10, 14, 18, 0)}, "published_at"),
        ({"published_at": datetime.now(UTC) + timedelta(days=2)}, "published_at"),
        ({"modified_at": datetime(2022, 10, 13, tzinfo=UTC)}, "modified_at"),
        ({"url": "/relative_1.html"}, "url"),
        ({"kind": "podcast"}, "kind"),
        ({"text": ""}, "text"),
        ({"free_access": "yes"}, "free_access"),
    ],
)
def test_invalid_articles_are_dropped_and_counted_by_field(change: dict, field: str) -> None:
    crawler, pipeline = build(ValidatePipeline)
    item = {**article(), **change}
    with pytest.raises(DropItem, match=f"invalid {field}"):
        pipeline.process_item(item)
    assert crawler.stats.get_value(f"dropped/invalid/{field}") == 1


def test_future_skew_is_a_setting() -> None:
    _, pipeline = build(ValidatePipeline, VALIDATE_FUTURE_SKEW_SECONDS=3600)
    item = {**article(), "published_at": datetime.now(UTC) + timedelta(minutes=30), "modified_at": None}
    assert pipeline.process_item(item) is item


def test_the_same_key_twice_in_a_run_is_a_duplicate() -> None:
    crawler, pipeline = build(DedupePipeline)
    pipeline.process_item(article())
    other_day = {**article(), "date_path": "2022/10/15"}
    pipeline.process_item(other_day)
    with pytest.raises(DropItem, match="duplicate"):
        pipeline.process_item(article())
    assert crawler.stats.get_value("dropped/duplicate") == 1


def test_normalize_pipeline_turns_a_raw_article_into_the_document() -> None:
    from crawler.sites import page_for

    meta = json.loads((CASE / "meta.json").read_text())
    raw = page_for(meta["url"], (CASE / "input.html").read_text()).to_item()
    raw["url"] = meta["url"] + "?xtor=RSS-3"
    raw["fetched_at"] = datetime(2022, 10, 15, tzinfo=UTC)
    document = NormalizePipeline().process_item(raw)
    expected = article()
    assert {key: document[key] for key in expected} == expected
    assert document["fetched_at"] == raw["fetched_at"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "Titre\ud800"}, "title"),
        ({"text": "Texte\x00nul"}, "text"),
        ({"authors": ["A\udfff"]}, "authors"),
        ({"images": [{"url": "https://x.example/i.jpg", "caption": "\x07", "credit": None}]}, "images"),
    ],
)
def test_a_string_no_store_can_encode_is_an_invalid_field(change: dict, field: str) -> None:
    crawler, pipeline = build(ValidatePipeline)
    with pytest.raises(DropItem, match=f"invalid {field}: .*unencodable"):
        pipeline.process_item({**article(), **change})
    assert crawler.stats.get_value(f"dropped/invalid/{field}") == 1


def test_a_page_without_a_date_is_counted_as_missing_published_at() -> None:
    crawler, pipeline = build(ValidatePipeline)
    with pytest.raises(DropItem, match="invalid published_at"):
        pipeline.process_item({**article(), "published_at": None, "date_path": None})
    assert crawler.stats.get_value("dropped/invalid/published_at") == 1
