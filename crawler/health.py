"""`python -m crawler.health`: is the crawler doing its job? For Docker's HEALTHCHECK
and for whoever is on call.

Exit 0 (one line on stdout) when the last successful run (`crawl_runs.status` =
"finished") finished less than `--max-age-minutes` ago, raised no extraction-health
alert (`crawl_runs.health_alerts`, see `crawler.observe.extraction_health`), and the median
freshness lag of the articles first seen in that same window (if any) is under
`--max-lag-minutes`; 1 with one line on stderr saying which is wrong (for drift:
site, layout and field); 2 with one line when
MongoDB cannot be reached within a few seconds (or the arguments are bad).

Defaults come from HEALTH_MAX_AGE_MINUTES (30) and HEALTH_MAX_LAG_MINUTES (120);
MONGO_URI and MONGO_DATABASE are read like the crawler reads them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import DESCENDING, MongoClient
from pymongo.database import Database
from pymongo.errors import PyMongoError

from crawler.store import mongo
from crawler.store.mongo import redact_uri, short_error

HEALTHY, UNHEALTHY, UNREACHABLE = 0, 1, 2
DEFAULT_MAX_AGE_MINUTES = 30.0
DEFAULT_MAX_LAG_MINUTES = 120.0
DEFAULT_MONGO_URI = "mongodb://localhost:27017"
DEFAULT_DATABASE = "news"


@dataclass(frozen=True)
class Observation:
    """What the database says: the last finished run (None if there is none) and the
    freshness lags (seconds) of the articles first seen in the last max-age window."""

    last_run_id: str | None
    last_finished_at: datetime | None
    lags_s: list[int]
    alerts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    status: int
    message: str


def observe(db: Database, now: datetime, max_age: timedelta) -> Observation:
    """Two small reads: the newest finished run, and the lags of recent articles."""
    run = db["crawl_runs"].find_one(
        {"status": "finished"},
        {"run_id": 1, "finished_at": 1, "health_alerts": 1},
        sort=[("finished_at", DESCENDING)],
    )
    recent = db["articles"].find({"first_seen_at": {"$gte": now - max_age}}, {"freshness_lag_s": 1, "_id": 0})
    lags = [doc["freshness_lag_s"] for doc in recent if isinstance(doc.get("freshness_lag_s"), int | float)]
    if run is None:
        return Observation(None, None, lags)
    alerts = run.get("health_alerts") if isinstance(run.get("health_alerts"), list) else []
    messages = tuple(str(alert.get("message")) for alert in alerts if isinstance(alert, dict))
    return Observation(str(run.get("run_id") or run["_id"]), as_utc(run.get("finished_at")), lags, messages)


def judge(observation: Observation, now: datetime, max_age: timedelta, max_lag: timedelta) -> Verdict:
    """The verdict and its one line, from an observation alone (no I/O)."""
    finished = observation.last_finished_at
    if observation.last_run_id is None or finished is None:
        return Verdict(UNHEALTHY, "health: no crawl run has finished successfully yet")
    age = now - finished
    if age >= max_age:
        return Verdict(
            UNHEALTHY,
            f"health: the last successful run {observation.last_run_id} finished {duration(age)} ago "
            f"(at {finished:%Y-%m-%d %H:%M} UTC; limit {duration(max_age)})",
        )
    if observation.alerts:
        more = len(observation.alerts) - 1
        return Verdict(
            UNHEALTHY,
            f"health: extraction drift in the last run {observation.last_run_id}: {observation.alerts[0]}"
            + (f" (and {more} more alert{'s' if more > 1 else ''})" if more else ""),
        )
    window = f"first seen in the last {duration(max_age)}"
    if not observation.lags_s:
        return Verdict(
            HEALTHY,
            f"health: ok: the last run {observation.last_run_id} finished {duration(age)} ago; no new article {window}",
        )
    median = timedelta(seconds=statistics.median(observation.lags_s))
    count = len(observation.lags_s)
    if median >= max_lag:
        return Verdict(
            UNHEALTHY,
            f"health: the median freshness lag of the {count} articles {window} is {duration(median)} "
            f"(limit {duration(max_lag)})",
        )
    return Verdict(
        HEALTHY,
        f"health: ok: the last run {observation.last_run_id} finished {duration(age)} ago; "
        f"median freshness lag {duration(median)} over {count} articles {window}",
    )


def duration(span: timedelta) -> str:
    """'45 s', '12 min', '3 h 05 min', '2 d 4 h': short enough for one log line."""
    seconds = max(0, int(span.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def as_utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def connect(uri: str, timeout_s: float) -> MongoClient:
    """A client that gives up after `timeout_s` instead of pymongo's 30 s."""
    timeout_ms = int(timeout_s * 1000)
    return mongo.connect(uri, timeout_ms, socket_timeout_ms=timeout_ms * 3)


def minutes_from_env(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"health: {name} must be a number of minutes, got {raw!r}") from None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m crawler.health", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--max-age-minutes",
        type=float,
        default=minutes_from_env("HEALTH_MAX_AGE_MINUTES", DEFAULT_MAX_AGE_MINUTES),
        help="the last successful run must have finished less than this ago (env HEALTH_MAX_AGE_MINUTES, 30)",
    )
    parser.add_argument(
        "--max-lag-minutes",
        type=float,
        default=minutes_from_env("HEALTH_MAX_LAG_MINUTES", DEFAULT_MAX_LAG_MINUTES),
        help="median freshness lag of the articles first seen in that window (env HEALTH_MAX_LAG_MINUTES, 120)",
    )
    parser.add_argument("--mongo-uri", default=os.environ.get("MONGO_URI", DEFAULT_MONGO_URI))
    parser.add_argument("--database", default=os.environ.get("MONGO_DATABASE", DEFAULT_DATABASE))
    parser.add_argument("--timeout-seconds", type=float, default=3.0, help="how long to wait for MongoDB")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parse_args(argv)
    except SystemExit as error:
        if isinstance(error.code, str):
            print(error.code, file=sys.stderr)
            return UNREACHABLE
        raise
    now = datetime.now(UTC)
    max_age = timedelta(minutes=args.max_age_minutes)
    client = connect(args.mongo_uri, args.timeout_seconds)
    try:
        observation = observe(client[args.database], now, max_age)
    except PyMongoError as error:
        print(f"health: MongoDB at {redact_uri(args.mongo_uri)} is unreachable: {short_error(error)}", file=sys.stderr)
        return UNREACHABLE
    finally:
        client.close()
    verdict = judge(observation, now, max_age, timedelta(minutes=args.max_lag_minutes))
    print(verdict.message, file=sys.stdout if verdict.status == HEALTHY else sys.stderr)
    return verdict.status


if __name__ == "__main__":
    sys.exit(main())
