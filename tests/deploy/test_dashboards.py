"""The dashboards' pipelines, run on a real crawl in FerretDB; the MongoDB-only ones
are checked through their Python equivalents against plain finds."""

from __future__ import annotations

from collections import Counter

import pymongo
import pytest

from crawler.observe import dashboards
from tests.deploy.conftest import CrawledDatabase

pytestmark = pytest.mark.slow


@pytest.fixture
def db(crawled: CrawledDatabase):
    client = pymongo.MongoClient(crawled.uri, tz_aware=True)
    yield crawled.database(client)
    client.close()


def test_articles_per_site_and_section_per_day(db) -> None:
    rows = list(db.articles.aggregate(dashboards.articles_per_section_per_day("2000/01/01")))
    docs = list(db.articles.find({}, {"date_path": 1, "source": 1, "section": 1}))
    expected = Counter((d["date_path"], d["source"], d["section"]) for d in docs)
    assert {(r["_id"]["day"], r["_id"]["site"], r["_id"]["section"]): r["articles"] for r in rows} == expected
    per_site = list(db.articles.aggregate(dashboards.articles_per_site_per_day("2000/01/01")))
    assert {(r["_id"]["day"], r["_id"]["site"]): r["articles"] for r in per_site} == Counter(
        (d["date_path"], d["source"]) for d in docs
    )
    assert sum(r["articles"] for r in rows) == db.articles.count_documents({})


def test_freshness_lag_per_day_sums_and_counts(db) -> None:
    totals = {r["_id"]: r["lag_s"] for r in db.articles.aggregate(dashboards.freshness_lag_total_per_day("2000/01/01"))}
    counts = {r["_id"]: r["articles"] for r in db.articles.aggregate(dashboards.articles_per_day("2000/01/01"))}
    docs = list(db.articles.find({}, {"date_path": 1, "freshness_lag_s": 1}))
    assert totals and set(totals) == set(counts)
    for day, total in totals.items():
        lags = [d["freshness_lag_s"] for d in docs if d["date_path"] == day]
        assert total == sum(lags) and counts[day] == len(lags)


def test_mongodb_only_pipelines_have_tested_python_equivalents(db) -> None:
    means = dashboards.mean_lag_per_section(db)
    assert means and all(value >= 0 for value in means.values())
    failures = dashboards.failures_per_run(db)
    assert any(reason == "failed/http_404" for _, reason in failures)
    with pytest.raises(pymongo.errors.OperationFailure):
        list(db.articles.aggregate(dashboards.MONGODB_ONLY_MEAN_LAG_PER_SECTION))


def test_revisions_per_day_groups_on_a_plain_field(db) -> None:
    article = db.articles.find_one()
    db.article_revisions.insert_one({"article_id": article["_id"], "revision": 99, "archived_day": "2026/11/20"})
    try:
        rows = list(db.article_revisions.aggregate(dashboards.revisions_per_day("2026/11/01")))
        assert {"_id": "2026/11/20", "revisions": 1} in rows
    finally:
        db.article_revisions.delete_one({"revision": 99})
