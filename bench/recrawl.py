"""Re-crawl cost: what a re-run of an unchanged site sends, against a naive re-crawl.

Usage: python bench/recrawl.py [--articles 1000] [--smoke]

On a replica of N articles (its own process, real HTTP on loopback) and FerretDB,
for two schedules: the run every few minutes (the defaults: news sitemap and the
headlines feed) and the daily backfill (`since=`: archive sitemaps, every section's
feed and section pages), crawl once, then re-crawl the unchanged site:
  (a) at once,
  (b) aged: with `INCREMENTAL_REFETCH_SECONDS=0`, as if every stored page were
      older than the refetch age (each a candidate for a re-check),
  (c) naive: `INCREMENTAL_ENABLED=false`, every listed page fetched again.
It counts the article-page requests the replica answered (pages, AMP pages, quirk
pages and 304s), as a share of those the first crawl sent and as a ratio to (c),
and the pages a re-crawl failed that the first crawl did not.
Target: (a) and (b) send at most 2 % of the site's article pages, and fail none.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import LOOPBACK_SETTINGS, fetch_json, print_json_line, replica_process, run_measured, settings_args
from devservers.ferretdb import MongoServer

ARTICLE_KINDS = ("article", "amp", "quirk", "not_modified")
TARGET = 0.02


def article_requests(base_url: str) -> tuple[int, int]:
    """(article-page requests, of which 304s) since the last reset; then resets."""
    by_kind = fetch_json(base_url + "/_replica/stats.json")["by_kind"]
    urllib.request.urlopen(urllib.request.Request(base_url + "/_replica/stats/reset", method="POST"), timeout=30)
    return sum(by_kind.get(kind, 0) for kind in ARTICLE_KINDS), by_kind.get("not_modified", 0)


def crawl(base_url: str, mongo: MongoServer, database: str, arguments: list[str], settings: dict, work: Path) -> dict:
    """One `scrapy crawl franceinfo`; its final stats."""
    stats_file = work / f"{database}-stats.json"
    command = [sys.executable, "-m", "scrapy", "crawl", "franceinfo", "-a", f"base_url={base_url}"]
    for argument in arguments:
        command += ["-a", argument]
    run_settings = {
        **LOOPBACK_SETTINGS,
        "STORE_SPILL_DIR": str(work / "spill"),
        "STATS_FILE": str(stats_file),
        "LOG_LEVEL": "INFO",
        **settings,
    }
    run = run_measured(
        [*command, *settings_args(run_settings)], env={"MONGO_URI": mongo.uri, "MONGO_DATABASE": database}
    )
    with (work / f"{database}.log").open("a") as log:
        log.write(run.output)
    if run.returncode != 0:
        print(run.output[-3000:])
        raise SystemExit(f"{database}: crawl failed ({run.returncode})")
    return {**json.loads(stats_file.read_text()), "_seconds": run.seconds}


def failures(stats: dict) -> dict[str, int]:
    return {key: value for key, value in stats.items() if key.startswith("failed/")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--smoke", action="store_true", help="a small replica, for CI")
    args = parser.parse_args()
    articles = 150 if args.smoke else args.articles
    work = Path(tempfile.mkdtemp(prefix="bench-recrawl-"))
    rows = []
    with MongoServer() as mongo, replica_process(articles, seed=13, extra=["--slow-seconds", "0.5"]) as base_url:
        sections = sorted({a["section"] for a in fetch_json(base_url + "/_replica/articles.json")["articles"]})
        schedules = {
            "every few minutes": [],
            "daily backfill": ["sources=sitemap,rss,sections", f"sections={','.join(sections)}", "since=2026-01-01"],
        }
        for schedule, arguments in schedules.items():
            database = "recrawl_" + schedule.split()[0]
            article_requests(base_url)
            first_stats = crawl(base_url, mongo, database, arguments, {}, work)
            first, _ = article_requests(base_url)
            runs = {
                "at once": {},
                "aged": {"INCREMENTAL_REFETCH_SECONDS": "0"},
                "naive": {"INCREMENTAL_ENABLED": "false"},
            }
            measured = {}
            for label, settings in runs.items():
                stats = crawl(base_url, mongo, database, arguments, settings, work)
                sent, not_modified = article_requests(base_url)
                new_failures = {
                    key: value - failures(first_stats).get(key, 0)
                    for key, value in failures(stats).items()
                    if value > failures(first_stats).get(key, 0)
                }
                measured[label] = (sent, not_modified, new_failures, stats)
            naive = measured["naive"][0]
            for label, (sent, not_modified, new_failures, stats) in measured.items():
                rows.append(
                    {
                        "schedule": schedule,
                        "run": label,
                        "first_crawl_requests": first,
                        "requests": sent,
                        "not_modified": not_modified,
                        "share_of_first": round(sent / max(first, 1), 4),
                        "ratio_to_naive": round(sent / max(naive, 1), 4),
                        "new_failures": sum(new_failures.values()),
                        "new_failure_keys": sorted(new_failures),
                        "stored_new_or_updated": stats.get("store/new", 0) + stats.get("store/updated", 0),
                        "seconds": round(stats["_seconds"], 1),
                    }
                )
    print(f"crawl logs in {work}")
    print(f"replica: {articles} articles, loopback; article-page requests of each re-crawl of the unchanged site")
    print(
        f"{'schedule':<19}{'run':<9}{'first crawl':>12}{'re-crawl':>10}{'of which 304':>14}"
        f"{'share':>8}{'vs naive':>10}{'new failures':>14}{'seconds':>9}"
    )
    for row in rows:
        print(
            f"{row['schedule']:<19}{row['run']:<9}{row['first_crawl_requests']:>12}{row['requests']:>10}"
            f"{row['not_modified']:>14}{row['share_of_first']:>8.1%}{row['ratio_to_naive']:>10.3f}"
            f"{row['new_failures']:>14}{row['seconds']:>9}"
        )
    cheap = [row for row in rows if row["run"] != "naive"]
    met = all(row["share_of_first"] <= TARGET and row["new_failures"] == 0 for row in cheap)
    print(
        f"target (at once and aged: ≤ {TARGET:.0%} of the first crawl's requests, no new failure): {'met' if met else 'NOT met'}"
    )
    print_json_line({"bench": "recrawl", "articles": articles, "target": TARGET, "target_met": met, "runs": rows})


if __name__ == "__main__":
    main()
