"""Ready aggregation pipelines for dashboards (Metabase, or any MongoDB client).

The store keeps what dashboards group on as plain fields (`date_path`, `section`,
`freshness_lag_s`, revisions' `archived_day`), so most pipelines run on FerretDB
too. Two need operators FerretDB 1.24 lacks (`$avg`, `$objectToArray`): they are
marked `MONGODB_ONLY`, and each has a Python function computing the same figure
from plain finds, which the tests compare on FerretDB. FerretDB also gets a
`$group` with several accumulators wrong: every pipeline here has one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from pymongo.database import Database


def articles_per_section_per_day(since_day: str) -> list[dict[str, Any]]:
    """`articles`: how many articles each site's sections published each day (Paris
    days); `site` is the stored `source`."""
    return [
        {"$match": {"date_path": {"$gte": since_day}}},
        {
            "$group": {
                "_id": {"day": "$date_path", "site": "$source", "section": "$section"},
                "articles": {"$sum": 1},
            }
        },
        {"$sort": {"_id.day": 1, "_id.site": 1, "_id.section": 1}},
    ]


def articles_per_site_per_day(since_day: str) -> list[dict[str, Any]]:
    """`articles`: how many articles each site published each day."""
    return [
        {"$match": {"date_path": {"$gte": since_day}}},
        {"$group": {"_id": {"day": "$date_path", "site": "$source"}, "articles": {"$sum": 1}}},
        {"$sort": {"_id.day": 1, "_id.site": 1}},
    ]


def freshness_lag_total_per_day(since_day: str) -> list[dict[str, Any]]:
    """`articles`: summed seconds from publication to first sight, per day; divide by
    `articles_per_day` for the mean (FerretDB has no `$avg`)."""
    return [
        {"$match": {"date_path": {"$gte": since_day}, "freshness_lag_s": {"$exists": True}}},
        {"$group": {"_id": "$date_path", "lag_s": {"$sum": "$freshness_lag_s"}}},
        {"$sort": {"_id": 1}},
    ]


def articles_per_day(since_day: str) -> list[dict[str, Any]]:
    return [
        {"$match": {"date_path": {"$gte": since_day}, "freshness_lag_s": {"$exists": True}}},
        {"$group": {"_id": "$date_path", "articles": {"$sum": 1}}},
        {"$sort": {"_id": 1}},
    ]


def revisions_per_day(since_day: str) -> list[dict[str, Any]]:
    """`article_revisions`: how many edits were archived each day."""
    return [
        {"$match": {"archived_day": {"$gte": since_day}}},
        {"$group": {"_id": "$archived_day", "revisions": {"$sum": 1}}},
        {"$sort": {"_id": 1}},
    ]


#: MongoDB only (`$avg`): mean freshness lag per section.
MONGODB_ONLY_MEAN_LAG_PER_SECTION = [
    {"$match": {"freshness_lag_s": {"$exists": True}}},
    {"$group": {"_id": "$section", "mean_lag_s": {"$avg": "$freshness_lag_s"}}},
    {"$sort": {"mean_lag_s": -1}},
]

#: MongoDB only (`$objectToArray`): failures and drops by reason per run, from `crawl_runs`.
MONGODB_ONLY_FAILURES_PER_RUN = [
    {"$project": {"run_id": 1, "started_at": 1, "counts": {"$objectToArray": "$counts"}}},
    {"$unwind": "$counts"},
    {"$match": {"counts.k": {"$regex": "^(failed|dropped)/"}}},
    {"$group": {"_id": {"run": "$run_id", "reason": "$counts.k"}, "pages": {"$sum": "$counts.v"}}},
    {"$sort": {"_id.run": -1, "pages": -1}},
]


def mean_lag_per_section(db: Database) -> dict[str | None, float]:
    """What `MONGODB_ONLY_MEAN_LAG_PER_SECTION` computes, from a plain find."""
    totals: dict[str | None, list[int]] = defaultdict(list)
    for doc in db.articles.find({"freshness_lag_s": {"$exists": True}}, {"section": 1, "freshness_lag_s": 1}):
        totals[doc.get("section")].append(doc["freshness_lag_s"])
    return {section: sum(lags) / len(lags) for section, lags in totals.items()}


def failures_per_run(db: Database) -> dict[tuple[str, str], int]:
    """What `MONGODB_ONLY_FAILURES_PER_RUN` computes, from a plain find."""
    found: Counter[tuple[str, str]] = Counter()
    for run in db.crawl_runs.find({}, {"run_id": 1, "counts": 1}):
        for key, value in (run.get("counts") or {}).items():
            if key.startswith(("failed/", "dropped/")):
                found[(run["run_id"], key)] += value
    return dict(found)
