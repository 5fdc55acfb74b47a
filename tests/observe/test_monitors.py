"""The Spidermon side: schema validation on items as JSON carries them, and
notification actions off until configured."""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.article.normalize import normalize_article
from crawler.observe.monitors import ArticleSchemaPipeline, configured_actions
from crawler.sites import page_for
from tests.read.test_fixture_pages import CASES, load_case


def project() -> Settings:
    settings = Settings()
    settings.setmodule(project_settings)
    return settings


def test_no_notification_without_its_settings() -> None:
    assert configured_actions(project()) == []
    configured = project()
    configured.setdict({"SPIDERMON_SLACK_SENDER_TOKEN": "xoxb-1", "SPIDERMON_REPORT_FILENAME": "report.html"})
    assert [action.__name__ for action in configured_actions(configured)] == [
        "CreateFileReport",
        "SendSlackMessageSpiderFinished",
    ]


def test_items_are_validated_with_datetimes_as_json_and_passed_on() -> None:
    crawler = get_crawler(settings_dict={**project().copy_to_dict(), "TWISTED_REACTOR_ENABLED": False})
    pipeline = ArticleSchemaPipeline.from_crawler(crawler)
    meta, _, body = load_case(next(c for c in CASES if c.name.startswith("real-")))
    item = normalize_article(page_for(meta["url"], body).to_item())
    assert isinstance(item["published_at"], datetime)
    assert pipeline.process_item(item) is item
    assert crawler.stats.get_value("spidermon/validation/items/errors") is None
    broken = {**item, "title": "", "modified_at": datetime(2026, 1, 1, tzinfo=UTC).date()}
    assert pipeline.process_item(broken) is broken
    assert crawler.stats.get_value("spidermon/validation/items/errors") == 1
    field_errors = [key.rsplit("/", 1)[1] for key in crawler.stats.get_stats() if key.count("/") == 5]
    assert sorted(field_errors) == ["modified_at", "title"]
