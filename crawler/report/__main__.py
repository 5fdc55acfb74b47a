"""`python -m crawler.report`: gather, render, write the page atomically."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pymongo.errors import PyMongoError

from crawler.health import (
    DEFAULT_DATABASE,
    DEFAULT_MAX_AGE_MINUTES,
    DEFAULT_MONGO_URI,
    connect,
    minutes_from_env,
)
from crawler.report.data import gather
from crawler.report.page import plural, render
from crawler.store.mongo import redact_uri, short_error


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.report",
        description="the page whoever is on call opens first: runs, failures, extraction health, freshness",
    )
    parser.add_argument("--out", default="report.html", help="where to write the page ('-' for stdout)")
    parser.add_argument("--days", type=int, default=14, help="the window: runs and articles of the last DAYS days")
    parser.add_argument("--mongo-uri", default=os.environ.get("MONGO_URI", DEFAULT_MONGO_URI))
    parser.add_argument("--database", default=os.environ.get("MONGO_DATABASE", DEFAULT_DATABASE))
    parser.add_argument("--timeout-seconds", type=float, default=5.0, help="how long to wait for MongoDB")
    args = parser.parse_args(argv)
    if args.days < 1:
        parser.error("--days must be at least 1")
    return args


def write_atomically(path: Path, text: str) -> None:
    """A reader (a browser, a web server) never sees half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    client = connect(args.mongo_uri, args.timeout_seconds)
    try:
        max_age = minutes_from_env("HEALTH_MAX_AGE_MINUTES", DEFAULT_MAX_AGE_MINUTES)
        data = gather(client[args.database], args.days, max_age_minutes=max_age)
    except PyMongoError as error:
        print(f"report: MongoDB at {redact_uri(args.mongo_uri)} is unreachable: {short_error(error)}", file=sys.stderr)
        return 2
    finally:
        client.close()
    page = render(data)
    if args.out == "-":
        sys.stdout.write(page)
        return 0
    write_atomically(Path(args.out), page)
    print(
        f"report: wrote {args.out} ({plural(len(data.runs), 'run')} in the last {plural(args.days, 'day')}, "
        f"{plural(data.total_articles, 'article')} stored)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
