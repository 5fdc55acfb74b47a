"""Scale-out: one worker against two on one Redis frontier, same pages, one run.

Usage: python bench/scale.py [--articles 1000] [--page-delay 0.25] [--download-delay 0.1] [--smoke]

Crawling the real web is bound by the site's latency and by politeness, not by
this machine's CPU: the replica answers every article page after `--page-delay`
seconds, and each worker keeps its own politeness of one request to the host
every `--download-delay` seconds (`DOWNLOAD_DELAY`, not randomised, no
AutoThrottle): a rate, as a site's limits are given. On the same URL list,
into FerretDB, time:
  (a) one `scrapy crawl franceinfo` without Redis (Scrapy's own scheduler),
  (b) one worker with `REDIS_URL` (the shared frontier, alone),
  (c) two workers running the same command together (target: >= 1.7x (b)),
  (d) two workers under a shared per-host budget (`FRONTIER_HOST_RATE`) set to
      the pace of one worker: together they stay within it.
The politeness limit of a worker is 1 / download-delay pages/s; each row prints
its ratio to it, the CPU seconds its worker processes used per page, and the share of the
machine's cores busy meanwhile (the replica and FerretDB count there too).
Then one JSON line.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    LOOPBACK_SETTINGS,
    Run,
    fetch_json,
    print_json_line,
    replica_process,
    run_measured,
    settings_args,
)
from devservers.ferretdb import MongoServer
from devservers.redis import RedisServer

STORED = re.compile(r"'store/new': (\d+)")


def run_workers(command: list[str], count: int, env: dict[str, str]) -> tuple[float, list[Run]]:
    """`count` copies of one command started together; wall time of the slowest."""
    runs: list[Run | None] = [None] * count

    def work(index: int) -> None:
        runs[index] = run_measured(command, env=env)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return max(run.seconds for run in runs), runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--page-delay", type=float, default=0.25, help="seconds every article page takes")
    parser.add_argument("--download-delay", type=float, default=0.1, help="each worker's delay between requests")
    parser.add_argument("--smoke", action="store_true", help="a 120-article replica, for CI")
    args = parser.parse_args()
    if args.smoke:
        args.articles, args.page_delay, args.download_delay = 120, 0.1, 0.05
    limit = 1 / args.download_delay
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    replica_options = ["--client-rendered-every", "0", "--page-delay-seconds", str(args.page_delay)]
    rows = []
    with (
        MongoServer() as mongo,
        RedisServer() as redis_server,
        replica_process(args.articles, extra=replica_options) as base_url,
    ):
        truth = fetch_json(base_url + "/_replica/articles.json")
        urls = [a["url"] for a in truth["articles"] if a["quirk"] is None and a["kind"] != "live"]
        url_file = work / "urls.txt"
        url_file.write_text("\n".join(urls))
        polite = {
            **LOOPBACK_SETTINGS,
            "DOWNLOAD_DELAY": str(args.download_delay),
            "RANDOMIZE_DOWNLOAD_DELAY": "False",
            "STORE_SPILL_DIR": str(work / "spill"),
            "LOG_LEVEL": "INFO",
        }
        command = [sys.executable, "-m", "scrapy", "crawl", "franceinfo", "-a", f"base_url={base_url}"]
        command += ["-a", f"url_file={url_file}"]
        for label, workers, redis_url, host_rate in (
            ("1 worker, no Redis", 1, "", 0.0),
            ("1 worker, Redis frontier", 1, redis_server.url, 0.0),
            ("2 workers, Redis frontier", 2, redis_server.url, 0.0),
            ("2 workers, shared budget", 2, redis_server.url, limit),
        ):
            name = f"scale{len(rows)}"
            env = {"MONGO_URI": mongo.uri, "MONGO_DATABASE": f"bench_{name}", "REDIS_URL": redis_url}
            env["FRONTIER_NAME"] = name
            run_settings = {**polite, "FRONTIER_HOST_RATE": str(host_rate)}
            seconds, runs = run_workers([*command, *settings_args(run_settings)], workers, env)
            stored = [STORED.search(run.output) for run in runs]
            if any(run.returncode != 0 for run in runs) or not any(stored):
                print(runs[0].output[-3000:], file=sys.stderr)
                raise SystemExit(f"{label}: the crawl failed")
            pages = sum(int(match.group(1)) for match in stored if match)
            cpu = sum(run.cpu_seconds + run.descendants_cpu_seconds for run in runs)
            rows.append(
                {
                    "run": label,
                    "workers": workers,
                    "host_rate": host_rate or None,
                    "pages": pages,
                    "seconds": round(seconds, 2),
                    "pages_per_s": round(pages / seconds, 1),
                    "cpu_ms_per_page": round(1000 * cpu / max(pages, 1), 1),
                    "box_busy": round(max(run.box_busy for run in runs), 3),
                }
            )
    one = next(row for row in rows if row["run"] == "1 worker, Redis frontier")
    for row in rows:
        row["ratio_to_one_worker"] = round(row["pages_per_s"] / one["pages_per_s"], 3)
        cap = row["host_rate"] or limit * row["workers"]
        row["ratio_to_limit"] = round(row["pages_per_s"] / cap, 3)
    print_table(rows, args, limit)
    speedup = next(row for row in rows if row["run"] == "2 workers, Redis frontier")["ratio_to_one_worker"]
    print_json_line(
        {
            "bench": "scale",
            "articles": len(urls),
            "page_delay_s": args.page_delay,
            "download_delay_s": args.download_delay,
            "politeness_limit_per_worker": limit,
            "speedup_2_workers": speedup,
            "target_met": speedup >= 1.7,
            "runs": rows,
        }
    )


def print_table(rows: list[dict], args: argparse.Namespace, limit: float) -> None:
    print(
        f"{args.articles}-article replica, {args.page_delay} s a page, a request every {args.download_delay} s "
        f"per worker (politeness limit {limit:.1f} pages/s a worker)"
    )
    header = f"{'run':<28}{'pages':>7}{'s':>8}{'pages/s':>9}{'vs 1 worker':>13}{'vs limit':>10}{'CPU ms/page':>13}"
    print(header + f"{'cores busy':>12}")
    for row in rows:
        print(
            f"{row['run']:<28}{row['pages']:>7}{row['seconds']:>8.1f}{row['pages_per_s']:>9.1f}"
            f"{row['ratio_to_one_worker']:>12.2f}x{row['ratio_to_limit']:>10.2f}"
            f"{row['cpu_ms_per_page']:>13.1f}{row['box_busy']:>12.0%}"
        )
    print("vs limit: against the workers' politeness limit, or the shared budget's rate where one is set")


if __name__ == "__main__":
    main()
