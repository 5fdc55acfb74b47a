"""Store throughput: the store pipeline's batches against a naive upsert per item,
on FerretDB, in one run.

Usage: python bench/store.py [--sizes 2000,20000] [--sample 100] [--smoke]

Articles are generated from a real extracted page (each one its own URL, text and
publication day, 40 a day). For each size N, in a fresh database:
  ours, first load     `ArticleStore.write_batch` over all N, batches of 200
  ours, unchanged      the same N again (a re-crawl where nothing changed)
  naive, first load    `update_one({url, date_path}, {$set}, upsert=True)` per item
  naive, unchanged     the same upsert for items already stored
FerretDB 1.24 answers every filtered query with a sequential scan (its SQL filters
can't use the indexes it creates), so a naive upsert costs more as the collection
grows: 20,000 naive upserts would take hours. The naive rates are measured on
`--sample` items when the collection is empty and again when it holds N - sample
items; their mean per-item time is the load's average (the cost grows linearly).
Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pymongo

from crawler.article.normalize import content_hash
from crawler.extract import extract_article
from devservers.ferretdb import MongoServer
from pipelines.store import ArticleStore

REPO = Path(__file__).resolve().parents[1]
CASE = REPO / "tests" / "read" / "pages" / "franceinfo" / "synthetic-2020-haut-karabakh"
BATCH = 200


def generate(count: int) -> list[dict[str, Any]]:
    meta = json.loads((CASE / "meta.json").read_text())
    template = extract_article(meta["url"], (CASE / "input.html").read_bytes())
    start = datetime(2025, 1, 1, 8, tzinfo=UTC)
    articles = []
    for number in range(count):
        article = dict(template)
        published = start + timedelta(minutes=36 * number)
        article["url"] = f"https://www.francetvinfo.fr/monde/article-{number}_{7_000_000 + number}.html"
        article["published_at"] = published
        article["date_path"] = published.strftime("%Y/%m/%d")
        article["paragraphs"] = [*template["paragraphs"], f"Paragraphe propre à l'article {number}."]
        article["text"] = "\n\n".join(article["paragraphs"])
        article["content_hash"] = content_hash(article["title"], article["lead"], article["text"])
        article["fetched_at"] = datetime.now(UTC)
        articles.append(article)
    return articles


def ours(db: pymongo.database.Database, articles: list[dict[str, Any]], run_id: str) -> tuple[float, dict[str, int]]:
    store = ArticleStore(db)
    store.ensure_indexes()
    counts = {"new": 0, "unchanged": 0, "updated": 0}
    started = time.perf_counter()
    for start in range(0, len(articles), BATCH):
        result = store.write_batch(articles[start : start + BATCH], run_id)
        counts["new"] += result.new
        counts["unchanged"] += result.unchanged
        counts["updated"] += result.updated
    return time.perf_counter() - started, counts


def naive_upserts(collection: pymongo.collection.Collection, articles: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    for article in articles:
        fields = {k: v for k, v in article.items() if k != "fetched_at"}
        collection.update_one({"url": article["url"], "date_path": article["date_path"]}, {"$set": fields}, upsert=True)
    return time.perf_counter() - started


def naive(db: pymongo.database.Database, articles: list[dict[str, Any]], sample: int) -> tuple[float, float]:
    """(first-load items/s, unchanged items/s), sampled as the module docstring says."""
    collection = db["naive"]
    collection.create_index([("url", 1), ("date_path", 1)], unique=True)
    at_start = naive_upserts(collection, articles[:sample])
    collection.insert_many([{k: v for k, v in a.items() if k != "fetched_at"} for a in articles[sample:-sample]])
    at_end = naive_upserts(collection, articles[-sample:])
    unchanged = naive_upserts(collection, articles[-sample:])
    return 2 * sample / (at_start + at_end), sample / unchanged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--smoke", action="store_true", help="small sizes, for CI")
    args = parser.parse_args()
    if args.smoke:
        args.sizes, args.sample = "200,400", 20
    sizes = [int(size) for size in args.sizes.split(",")]
    rows = []
    with MongoServer() as server:
        client = pymongo.MongoClient(server.uri, tz_aware=True)
        for size in sizes:
            articles = generate(size)
            db = client[f"bench_{size}"]
            first_s, first = ours(db, articles, "bench-1")
            # A re-crawl: another run, pages fetched anew. (The same run id and fetch
            # times are a replay of a batch whose acknowledgement was lost: counted new.)
            refetched = [{**article, "fetched_at": datetime.now(UTC)} for article in articles]
            again_s, again = ours(db, refetched, "bench-2")
            assert first["new"] == size and again["unchanged"] == size, (first, again)
            naive_first, naive_unchanged = naive(client[f"bench_naive_{size}"], articles, args.sample)
            rows.append(
                {
                    "articles": size,
                    "ours_first_per_s": round(size / first_s, 1),
                    "naive_first_per_s": round(naive_first, 1),
                    "first_ratio": round(size / first_s / naive_first, 1),
                    "ours_unchanged_per_s": round(size / again_s, 1),
                    "naive_unchanged_per_s": round(naive_unchanged, 1),
                    "unchanged_ratio": round(size / again_s / naive_unchanged, 1),
                }
            )
            client.drop_database(db.name)
            client.drop_database(f"bench_naive_{size}")
        client.close()
    print(
        f"{'articles':>9}{'ours new/s':>12}{'naive new/s':>13}{'ratio':>7}{'ours same/s':>13}{'naive same/s':>14}{'ratio':>7}"
    )
    for row in rows:
        print(
            f"{row['articles']:>9}{row['ours_first_per_s']:>12}{row['naive_first_per_s']:>13}{row['first_ratio']:>7}"
            f"{row['ours_unchanged_per_s']:>13}{row['naive_unchanged_per_s']:>14}{row['unchanged_ratio']:>7}"
        )
    small, large = rows[0], rows[-1]
    growth = {
        "first_load_rate_large_vs_small": round(large["ours_first_per_s"] / small["ours_first_per_s"], 2),
        "unchanged_rate_large_vs_small": round(large["ours_unchanged_per_s"] / small["ours_unchanged_per_s"], 2),
    }
    print(
        f"ours at {large['articles']} vs {small['articles']}: first load x{growth['first_load_rate_large_vs_small']}, "
        f"unchanged x{growth['unchanged_rate_large_vs_small']} (1.0 = linear cost)"
    )
    print(json.dumps({"bench": "store", "rows": rows, "growth": growth}))


if __name__ == "__main__":
    main()
