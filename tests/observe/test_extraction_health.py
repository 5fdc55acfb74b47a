"""Fill rates, their baseline in MongoDB, and the alerts a drift raises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pymongo.database import Database
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.article import DuplicateInRun
from crawler.observe.extraction_health import (
    HEALTH_FIELDS,
    LAYOUT_META,
    Baseline,
    ExtractionHealth,
    FillRates,
    Thresholds,
    drift,
    filled,
    load_baseline,
)

FULL = {
    "title": "T",
    "lead": "L",
    "authors": ["A"],
    "published_at": datetime(2026, 1, 1, tzinfo=UTC),
    "section": "monde",
    "paragraphs": ["p"],
    "images": [{"url": "u"}],
    "word_count": 12,
}
LAYOUT = "FranceinfoArticlePage"


def rates(pages: int, missing: dict[str, int] | None = None, layout: str = LAYOUT, site: str = "franceinfo"):
    """`pages` pages of one layout, `missing[field]` of them without that field."""
    fill = FillRates()
    for n in range(pages):
        article = {k: (None if n < (missing or {}).get(k, 0) else v) for k, v in FULL.items()}
        fill.add(site, layout, article)
    return fill


def baseline(*runs: FillRates) -> Baseline:
    return Baseline(len(runs), FillRates.from_rows([row for run in runs for row in run.rows()]))


def test_empty_and_absent_both_count_as_missing() -> None:
    assert all(not filled(value) for value in (None, "", [], {}, 0))
    assert all(filled(value) for value in ("x", ["a"], 3, datetime(2026, 1, 1, tzinfo=UTC)))
    fill = FillRates()
    assert fill.add("franceinfo", LAYOUT, {"title": "T", "lead": "", "authors": []}) == [
        f for f in HEALTH_FIELDS if f != "title"
    ]


def test_rows_round_trip_and_sum_over_runs_skipping_garbage() -> None:
    run = rates(10, {"lead": 4})
    again = FillRates.from_rows([*run.rows(), *run.rows(), "junk", {"pages": "x"}, {"site": "s"}])
    assert again.layouts[("franceinfo", LAYOUT)].pages == 20
    assert again.layouts[("franceinfo", LAYOUT)].rate("lead") == 0.6
    assert FillRates.from_rows(None).layouts == {}


def test_a_field_falling_well_below_its_baseline_is_an_alert_naming_site_layout_field() -> None:
    alerts = drift(rates(25, {"lead": 15}), baseline(rates(50, {"lead": 1})), Thresholds())
    assert [(a.site, a.layout, a.field, a.kind) for a in alerts] == [("franceinfo", LAYOUT, "lead", "fill_rate")]
    assert alerts[0].message == (
        "franceinfo FranceinfoArticlePage lead: filled on 40% of 25 pages, 98% over the previous 1 run (50 pages)"
    )


def test_a_small_drop_or_too_few_pages_or_no_baseline_is_quiet() -> None:
    usual = baseline(rates(50, {"lead": 1}))
    assert drift(rates(25, {"lead": 6}), usual, Thresholds()) == []  # 0.98 -> 0.76
    assert drift(rates(19, {"lead": 19}), usual, Thresholds()) == []  # too few pages to judge
    assert drift(rates(25, {"lead": 25}), baseline(rates(10)), Thresholds()) == []  # baseline too small
    assert drift(rates(25, {"lead": 25}), Baseline(0, FillRates()), Thresholds()) == []


def test_a_new_layout_and_a_growing_fallback_share_are_alerts() -> None:
    usual = baseline(rates(40), rates(40))
    new = rates(30, layout="FranceinfoExplainerPage")
    assert [a.kind for a in drift(new, usual, Thresholds())] == ["new_layout"]
    fallback = rates(20)
    fallback.layouts.update(rates(20, layout="GenericArticlePage").layouts)
    alerts = drift(fallback, usual, Thresholds())
    assert [(a.kind, a.layout, a.rate) for a in alerts] == [("fallback_share", "GenericArticlePage", 0.5)]


def test_the_threshold_comes_from_settings() -> None:
    assert drift(rates(25, {"lead": 6}), baseline(rates(50)), Thresholds(max_drop=0.2))[0].field == "lead"


def run_document(run_id: str, minutes_ago: int, fill: FillRates, **fields) -> dict:
    finished = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return {
        "_id": run_id,
        "run_id": run_id,
        "spider": "franceinfo",
        "site": "franceinfo",
        "status": "finished",
        "finished_at": finished,
        "fill_rates": fill.rows(),
        "health_alerts": [],
        **fields,
    }


def test_the_baseline_is_the_last_finished_runs_without_alerts(mongo_db: Database) -> None:
    mongo_db["crawl_runs"].insert_many(
        [
            run_document("old", 60, rates(30, {"lead": 30})),  # beyond the last 2 runs
            run_document("ok-1", 50, rates(30), spider="news"),  # `news -a site=franceinfo` counts
            run_document("alerted", 40, rates(30, {"lead": 30}), health_alerts=[{"field": "lead"}]),
            run_document("failed", 35, rates(30, {"lead": 30}), status="failed"),
            run_document("other", 32, rates(30, {"lead": 30}), site="lemonde"),
            run_document("empty", 31, FillRates()),
            run_document("ok-2", 30, rates(30, {"lead": 3})),
            run_document("current", 1, rates(30, {"lead": 30})),
        ]
    )
    found = load_baseline(mongo_db, "franceinfo", runs=2, exclude_run="current")
    assert found.runs == 2
    layout = found.rates.layouts[("franceinfo", LAYOUT)]
    assert (layout.pages, layout.filled["lead"]) == (60, 57)


def test_a_page_dropped_on_the_way_counts_and_its_duplicate_does_not() -> None:
    """Fill rates count every page read, stored or dropped by validation; a second
    copy of an article (`DuplicateInRun`) was counted with its first."""
    settings = Settings()
    settings.setmodule(project_settings)
    health = ExtractionHealth(get_crawler(settings_dict={**settings.copy_to_dict(), "TWISTED_REACTOR_ENABLED": False}))
    url = "https://www.francetvinfo.fr/monde/a_1.html"
    response = HtmlResponse(url, body=b"<html></html>", request=Request(url, meta={LAYOUT_META: LAYOUT}))
    item = {"url": url, "source": "franceinfo", "title": "Un titre"}
    health.item_dropped(item, response, DropItem("invalid published_at: missing"), None)
    health.item_dropped(item, response, DuplicateInRun("duplicate in this run"), None)
    assert health.rates.layouts[("franceinfo", LAYOUT)].pages == 1
