"""Crawl throughput: our crawler against a bare Scrapy spider, same pages, one run.

Usage: python bench/crawl.py [--articles 5000] [--smoke]

On a replica of N articles (its own process, real HTTP on loopback; no page needs
JavaScript here, live pages are left out of the URL list: bench/render.py measures
rendering), time:
  (a) a bare Scrapy spider fetching the article URLs and doing nothing,
  (a') the same spider also parsing each page with lxml (fetch + parse limit),
  (b) `scrapy crawl franceinfo` on the same URLs with extraction and every
      pipeline, storing into FerretDB (default settings: one page-reading worker),
  (b') the same with two page-reading workers (`EXTRACT_PROCESSES=2`),
  (c) `scrapy crawl franceinfo` discovering them itself from the sitemaps; this
      one also renders the live pages in Chromium and meets every quirk page
      (including one that never finishes rendering), so it is not a throughput
      figure.
Prints pages/s, the ratios b/a and b/a', each crawler process's peak RSS and
the peak of its RSS summed with its page-reading workers'; the CPU each run used
per page (crawler process, its workers and browsers) and how busy the machine's
cores were;
then one JSON line.

On a machine where the replica, the database and the workers share the cores
with the crawl, the cores run out first. The last figures estimate b/a where
they have cores of their own: our crawl is then bound by its busiest process (its
event-loop thread, or its workers), as bare Scrapy is by its own thread; bare
Scrapy's CPU per page over that process's is the ratio.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import LOOPBACK_SETTINGS, fetch_json, print_json_line, replica_process, run_measured, settings_args
from devservers.ferretdb import MongoServer

STORED = re.compile(r"'store/new': (\d+)")
FROM_SITEMAPS = "franceinfo, from sitemaps"  # not a throughput figure: see above


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--smoke", action="store_true", help="a 300-article replica, for CI")
    args = parser.parse_args()
    if args.smoke:
        args.articles = 300
    work = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    rows = []
    replica_options = ["--slow-seconds", "1", "--client-rendered-every", "0"]
    with MongoServer() as mongo, replica_process(args.articles, extra=replica_options) as base_url:
        truth = fetch_json(base_url + "/_replica/articles.json")
        urls = [a["url"] for a in truth["articles"] if a["quirk"] is None and a["kind"] != "live"]
        url_file = work / "urls.txt"
        url_file.write_text("\n".join(urls))
        bare = [sys.executable, "bench/bare_spider.py", str(url_file), *settings_args(LOOPBACK_SETTINGS)]
        run_measured(bare)  # warm-up: imports, page cache, sockets
        runs = {
            "bare scrapy (fetch only)": (run_measured(bare), len(urls), 0),
            "bare scrapy + lxml parse": (run_measured([*bare, "--parse"]), len(urls), 0),
        }
        ours_settings = {**LOOPBACK_SETTINGS, "STORE_SPILL_DIR": str(work / "spill"), "LOG_LEVEL": "INFO"}
        for label, arguments, database, workers in (
            ("franceinfo, same URLs", ["-a", f"url_file={url_file}"], "bench_urls", 1),
            ("franceinfo, 2 workers", ["-a", f"url_file={url_file}"], "bench_urls_2", 2),
            (FROM_SITEMAPS, ["-a", "sources=sitemap", "-a", "since=2000-01-01"], "bench_sitemaps", 1),
        ):
            env = {"MONGO_URI": mongo.uri, "MONGO_DATABASE": database}
            command = [sys.executable, "-m", "scrapy", "crawl", "franceinfo", "-a", f"base_url={base_url}", *arguments]
            run_settings = {**ours_settings, "EXTRACT_PROCESSES": str(workers)}
            run = run_measured([*command, *settings_args(run_settings)], env=env)
            stored = STORED.search(run.output)
            if run.returncode != 0 or not stored:
                print(run.output[-3000:])
                raise SystemExit(f"{label}: crawl failed ({run.returncode})")
            runs[label] = (run, int(stored.group(1)), workers)
            (work / f"{database}.log").write_text(run.output)
    base = runs["bare scrapy (fetch only)"]
    limit = runs["bare scrapy + lxml parse"]
    print(f"crawl logs in {work}")
    print(f"replica: {args.articles} articles ({len(urls)} plain article pages), 32 concurrent requests, loopback")
    print(
        f"{'run':<28}{'pages':>7}{'seconds':>9}{'pages/s':>9}{'vs bare':>9}{'vs fetch+parse':>16}"
        f"{'CPU ms/page':>13}{'workers':>9}{'cores busy':>12}{'peak RSS MB':>13}{'+ workers MB':>14}"
    )
    bare_cpu = base[0].cpu_seconds / base[1]
    for label, (run, pages, workers) in runs.items():
        rate = pages / run.seconds
        busiest = max(run.cpu_seconds, run.descendants_cpu_seconds / max(workers, 1)) / pages
        row = {
            "run": label,
            "pages": pages,
            "seconds": round(run.seconds, 2),
            "pages_per_s": round(rate, 1),
            "ratio_to_bare": round(rate / (base[1] / base[0].seconds), 3),
            "ratio_to_fetch_parse": round(rate / (limit[1] / limit[0].seconds), 3),
            "cpu_ms_per_page": round(run.cpu_seconds / pages * 1000, 2),
            "workers_cpu_ms_per_page": round(run.descendants_cpu_seconds / pages * 1000, 2),
            "cores_busy": round(run.box_busy, 3),
            "ratio_to_bare_with_cores_to_spare": None if label == FROM_SITEMAPS else round(bare_cpu / busiest, 3),
            "peak_rss_mb": round(run.peak_rss_mb, 1),
            "peak_rss_with_workers_mb": round(run.peak_tree_rss_mb, 1),
        }
        rows.append(row)
        print(
            f"{label:<28}{pages:>7}{row['seconds']:>9}{row['pages_per_s']:>9}{row['ratio_to_bare']:>9}"
            f"{row['ratio_to_fetch_parse']:>16}{row['cpu_ms_per_page']:>13}{row['workers_cpu_ms_per_page']:>9}"
            f"{row['cores_busy']:>12.0%}{row['peak_rss_mb']:>13}{row['peak_rss_with_workers_mb']:>14}"
        )
    print(f"cores: {os.cpu_count()}; the replica and the database run on them too")
    print("ratio to bare with cores to spare (bare's CPU per page / our busiest process's):")
    for row in rows:
        if not row["run"].startswith("bare") and row["ratio_to_bare_with_cores_to_spare"] is not None:
            print(f"  {row['run']:<26}{row['ratio_to_bare_with_cores_to_spare']:>7}")
    print_json_line({"bench": "crawl", "articles": args.articles, "cores": os.cpu_count(), "runs": rows})


if __name__ == "__main__":
    main()
