"""Redis memory of the shared frontier, per million URLs (docs/SCALING.md).

Usage: python bench/frontier_memory.py [--urls 200000] [--smoke]

Fills a real redis-server with N article requests as workers queue them (JSON of
`Request.to_dict`, the spider's meta, a Referer; `crawler.frontier.codec`) and
the run's duplicate filter with their N fingerprints and listed `lastmod`s,
measures `used_memory` after each, and compares with scrapy-redis's own pickled
requests and set of fingerprints (the baselines) and with a Bloom filter's size for
the same URLs at 0.1 % false positives.
Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import pickle
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis
from scrapy import Request, Spider

from bench.common import print_json_line
from crawler.frontier import codec
from devservers.redis import RedisServer

BATCH = 2000


class NewsShape(Spider):
    """What a request's callbacks are named after (`Request.to_dict` needs a spider)."""

    name = "franceinfo"

    def parse_article(self, response):
        return None

    def on_error(self, failure):
        return None


def article_request(spider: NewsShape, number: int) -> Request:
    day = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=number)
    url = (
        f"https://www.francetvinfo.fr/politique/gouvernement/"
        f"le-gouvernement-presente-un-plan-pour-les-hopitaux-avant-l-hiver_{6000000 + number}.html"
    )
    return Request(
        url,
        callback=spider.parse_article,
        errback=spider.on_error,
        headers={"Referer": f"https://www.francetvinfo.fr/sitemap_articles_{day:%Y-%m-%d}.xml"},
        meta={"source": "sitemap", "article": True, "lastmod": day, "date_path": f"{day:%Y/%m/%d}"},
        dont_filter=True,
    )


def memory_used(client: redis.Redis, count: int, write: Callable[[range], None]) -> int:
    """Bytes of `used_memory` that writing `count` entries, a batch at a time, took."""
    before = int(client.info("memory")["used_memory"])
    for start in range(0, count, BATCH):
        write(range(start, min(count, start + BATCH)))
    return int(client.info("memory")["used_memory"]) - before


def fill(client: redis.Redis, key: str, count: int, encode: Callable[[dict], bytes]) -> int:
    """The queue: a sorted set of `count` encoded requests."""
    spider = NewsShape()
    return memory_used(
        client,
        count,
        lambda ns: client.zadd(key, {encode(article_request(spider, n).to_dict(spider=spider)): 0 for n in ns}),
    )


def fingerprint(number: int) -> str:
    return hashlib.sha1(str(number).encode()).hexdigest()


def listed_lastmod(number: int) -> str:
    return f"{datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=number):%Y-%m-%dT%H:%M:%S.%f}"


def fill_seen(client: redis.Redis, key: str, count: int) -> int:
    """The run's filter as `RunDupeFilter` keeps it: fingerprint -> listed lastmod."""
    return memory_used(
        client, count, lambda ns: client.hset(key, mapping={fingerprint(n): listed_lastmod(n) for n in ns})
    )


def fill_seen_set(client: redis.Redis, key: str, count: int) -> int:
    """scrapy-redis's filter: a set of fingerprints."""
    return memory_used(client, count, lambda ns: client.sadd(key, *(fingerprint(n) for n in ns)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=200_000)
    parser.add_argument("--smoke", action="store_true", help="5,000 URLs, for CI")
    args = parser.parse_args()
    if args.smoke:
        args.urls = 5000
    per_million = 1_000_000 / args.urls
    with RedisServer() as server:
        client = redis.Redis.from_url(server.url)
        rows = {
            "queue, JSON (ours)": fill(client, "frontier:{bench}:queue", args.urls, codec.dumps),
            "queue, pickle (scrapy-redis)": fill(
                client, "baseline:queue", args.urls, lambda data: pickle.dumps(data, protocol=-1)
            ),
            "duplicate filter (ours, SHA1 -> lastmod)": fill_seen(client, "frontier:{bench}:listed:1", args.urls),
            "duplicate filter (scrapy-redis, SHA1 set)": fill_seen_set(client, "baseline:seen", args.urls),
        }
        client.close()
    bloom_bits = -args.urls * math.log(0.001) / math.log(2) ** 2
    rows["Bloom filter, 0.1 % (computed)"] = int(bloom_bits / 8)
    ours = rows["queue, JSON (ours)"]
    print(f"{args.urls} article URLs in a real redis-server")
    print(f"{'what':<42}{'bytes/URL':>11}{'MB per million':>16}{'vs pickle queue':>17}")
    for label, used in rows.items():
        print(
            f"{label:<42}{used / args.urls:>11.1f}{used * per_million / 1e6:>16.0f}"
            f"{used / rows['queue, pickle (scrapy-redis)']:>16.2f}x"
        )
    print_json_line(
        {
            "bench": "frontier_memory",
            "urls": args.urls,
            "bytes_per_url": {label: round(used / args.urls, 1) for label, used in rows.items()},
            "mb_per_million": {label: round(used * per_million / 1e6, 1) for label, used in rows.items()},
            "queue_json_vs_pickle": round(ours / rows["queue, pickle (scrapy-redis)"], 3),
        }
    )


if __name__ == "__main__":
    main()
