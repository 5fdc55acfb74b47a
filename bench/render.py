"""Rendering in Chromium: throughput and memory over 300 client-rendered pages,
against 300 static pages, in one run.

Usage: python bench/render.py [--pages 300] [--smoke]

Each crawl is `scrapy crawl franceinfo -a url_file=…` (store off) against a
replica whose plain articles all inject their body by script (or none do). While
it runs, /proc is sampled every 0.2 s: the crawler's RSS, and the summed RSS of
its descendants (the Playwright driver, started with every crawl, and every
Chromium process). Pages done are
read from the replica's request counts. Prints pages/s, peak RSS, RSS after 100
and after all pages (flat = no growth with page count), then one JSON line.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import LOOPBACK_SETTINGS, REPO, fetch_json, print_json_line, replica_process, settings_args


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def crawl(base_url: str, urls: list[str], work: Path, progress_kind: str) -> dict:
    url_file = work / f"{progress_kind}.txt"
    url_file.write_text("\n".join(urls))
    settings = {**LOOPBACK_SETTINGS, "CONCURRENT_REQUESTS": "8", "LOG_LEVEL": "WARNING"}
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "franceinfo",
        "-a",
        f"base_url={base_url}",
        "-a",
        f"url_file={url_file}",
    ]
    stats_url = base_url + "/_replica/stats.json"
    subprocess.run(["curl", "-s", "-X", "POST", base_url + "/_replica/stats/reset"], check=False, capture_output=True)
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command, *settings_args(settings)],
        cwd=REPO,
        env={**os.environ, "STORE_ENABLED": "0"},
        stdout=subprocess.DEVNULL,
    )
    samples = []
    while process.poll() is None:
        done = fetch_json(stats_url)["by_kind"].get(progress_kind, 0)
        browser = sum(rss_mb(pid) for pid in descendants(process.pid))
        samples.append((done, rss_mb(process.pid), browser))
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    done = fetch_json(stats_url)["by_kind"].get(progress_kind, 0)

    def at(count: int) -> tuple[float, float]:
        near = [s for s in samples if s[0] >= count] or samples[-1:]
        return (round(near[0][1], 1), round(near[0][2], 1)) if near else (0.0, 0.0)

    last = at(done)
    return {
        "pages": done,
        "seconds": round(seconds, 2),
        "pages_per_s": round(done / seconds, 1),
        "crawler_peak_mb": round(max(s[1] for s in samples), 1),
        "browser_peak_mb": round(max(s[2] for s in samples), 1),
        "crawler_mb_at_100": at(100)[0],
        "browser_mb_at_100": at(100)[1],
        "crawler_mb_at_end": last[0],
        "browser_mb_at_end": last[1],
        "returncode": process.returncode,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--smoke", action="store_true", help="20 pages, for CI")
    args = parser.parse_args()
    if args.smoke:
        args.pages = 20
    work = Path(tempfile.mkdtemp(prefix="bench-render-"))
    results = {}
    articles = args.pages * 2
    for label, every, kind in (("client-rendered", "1", "xhr"), ("static", "0", "article")):
        with replica_process(articles, extra=["--client-rendered-every", every]) as base_url:
            truth = fetch_json(base_url + "/_replica/articles.json")
            urls = [a["url"] for a in truth["articles"] if a["kind"] == "article" and a["quirk"] is None][: args.pages]
            results[label] = crawl(base_url, urls, work, kind)
    print(
        f"{'pages':<16}{'n':>5}{'pages/s':>9}{'crawler peak':>14}{'browser peak':>14}{'crawler @100/end':>18}{'browser @100/end':>18}"
    )
    for label, row in results.items():
        print(
            f"{label:<16}{row['pages']:>5}{row['pages_per_s']:>9}{row['crawler_peak_mb']:>12} MB{row['browser_peak_mb']:>12} MB"
            f"{row['crawler_mb_at_100']:>9}/{row['crawler_mb_at_end']:<8}{row['browser_mb_at_100']:>9}/{row['browser_mb_at_end']:<8}"
        )
    rendered = results["client-rendered"]
    growth = {
        "browser_end_vs_100": round(rendered["browser_mb_at_end"] / max(rendered["browser_mb_at_100"], 1), 2),
        "crawler_end_vs_100": round(rendered["crawler_mb_at_end"] / max(rendered["crawler_mb_at_100"], 1), 2),
    }
    print(
        f"memory after {rendered['pages']} rendered pages vs after 100: browser x{growth['browser_end_vs_100']}, "
        f"crawler x{growth['crawler_end_vs_100']} (target: within 1.2)"
    )
    print_json_line({"bench": "render", "runs": results, "growth": growth})


if __name__ == "__main__":
    main()
