"""The offline demo behind `make demo`: start FerretDB and the local replica, run the
main job (`scrapy crawl franceinfo`) against it, print what was stored, stop both.

Nothing here reaches the real site: the replica serves on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pymongo

from devservers.ferretdb import MongoServer
from replica import CRAWLER_SETTINGS
from replica.model import ReplicaSite
from replica.server import ReplicaServer
from replica.words import SECTIONS as REPLICA_SECTIONS

REPO = Path(__file__).resolve().parents[1]
DEMO_SETTINGS = {**CRAWLER_SETTINGS, "DOWNLOAD_TIMEOUT": "3", "RETRY_TIMES": "2", "RENDER_WAIT_TIMEOUT_MS": "3000"}


def run_job(base_url: str, uri: str, out: Path, workdir: Path, arguments: list[str]) -> tuple[int, dict]:
    stats_file = workdir / "stats.json"
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "franceinfo",
        "-a",
        f"base_url={base_url}",
        "-O",
        f"{out}:jsonl",
    ]
    for argument in arguments:
        command += ["-a", argument]
    settings = {**DEMO_SETTINGS, "STATS_FILE": str(stats_file), "STORE_SPILL_DIR": str(workdir / "spill")}
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    env = {**os.environ, "MONGO_URI": uri, "MONGO_DATABASE": "news", "LOG_LEVEL": "WARNING"}
    print("$ " + " ".join(command[2:]), flush=True)
    code = subprocess.run(command, cwd=REPO, env=env, check=False).returncode
    return code, json.loads(stats_file.read_text()) if stats_file.exists() else {}


def summarize(db: pymongo.database.Database, stats: dict, out: Path) -> None:
    articles = db["articles"]
    total = articles.count_documents({})
    print(
        f"\nstored: {total} articles in MongoDB collection 'articles' (+ {db['crawl_runs'].count_documents({})} crawl_runs)"
    )
    print(
        f"this run: {stats.get('store/new', 0)} new, {stats.get('store/updated', 0)} updated, "
        f"{stats.get('store/unchanged', 0)} unchanged; feed: {out}"
    )
    by_section = Counter(doc.get("section") for doc in articles.find({}, {"section": 1}))
    by_kind = Counter(doc.get("kind") for doc in articles.find({}, {"kind": 1}))
    print("by section: " + ", ".join(f"{k} {v}" for k, v in by_section.most_common()))
    print("by kind:    " + ", ".join(f"{k} {v}" for k, v in by_kind.most_common()))
    problems = {k: v for k, v in stats.items() if k.startswith(("failed/", "dropped/"))}
    print("not stored, by reason: " + (", ".join(f"{k} {v}" for k, v in sorted(problems.items())) or "none"))
    sample = articles.find_one({"kind": "article"}, sort=[("published_at", -1)])
    if sample:
        print(
            f"\nnewest: {sample['title']}\n  {sample['url']}\n  published {sample['published_at']:%Y-%m-%d %H:%M} UTC, "
            f"{sample['word_count']} words, by {', '.join(sample['authors']) or '-'}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300, help="size of the replica")
    parser.add_argument("--out", type=Path, default=REPO / "articles.jsonl")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="demo-") as work:
        workdir = Path(work)
        print("starting FerretDB (MongoDB wire protocol, on PostgreSQL) and the site replica ...", flush=True)
        with (
            MongoServer() as mongo,
            ReplicaServer(ReplicaSite(articles=args.articles, seed=1, slow_seconds=6), port=0) as replica,
        ):
            print(f"MONGO_URI={mongo.uri}  replica={replica.base_url}", flush=True)
            sections = "sections=" + ",".join(sorted(REPLICA_SECTIONS))
            arguments = ["sources=sitemap,rss,sections", sections, "since=2026-01-01"]
            code, stats = run_job(replica.base_url, mongo.uri, args.out, workdir, arguments)
            client = pymongo.MongoClient(mongo.uri, tz_aware=True)
            summarize(client["news"], stats, args.out)
            client.close()
            report = args.out.with_name("report.html")
            env = {**os.environ, "MONGO_URI": mongo.uri, "MONGO_DATABASE": "news"}
            subprocess.run(
                [sys.executable, "-m", "crawler.report", "--out", str(report)], cwd=REPO, env=env, check=False
            )
            print(f"ops report: {report}")
    print(f"\nthe crawl exited with status {code}")
    return code


if __name__ == "__main__":
    sys.exit(main())
