"""Small MongoDB helpers shared by the store, the crawl command, health and report."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any

from pymongo import MongoClient
from scrapy.settings import BaseSettings

STORE_PIPELINE = "pipelines.store.StorePipeline"
_URI_SECRET = re.compile(r"(?<=://)([^:/@]+):([^@/]+)@")


def redact_uri(uri: str) -> str:
    """`mongodb://user:secret@host/` -> `mongodb://user:***@host/`, for logs and stats."""
    return _URI_SECRET.sub(r"\1:***@", uri)


def short_error(error: BaseException) -> str:
    """pymongo's first clause, without the topology dump."""
    return str(error).split(" (configured timeouts")[0].split(", Timeout:")[0]


def connect(uri: str, timeout_ms: int, socket_timeout_ms: int | None = None) -> MongoClient:
    """A client that gives up after `timeout_ms` instead of pymongo's 30 s, and
    reads dates back as aware UTC datetimes."""
    return MongoClient(
        uri,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        socketTimeoutMS=socket_timeout_ms,
        tz_aware=True,
    )


def store_client(settings: Any) -> MongoClient:
    """The client of the store's settings (`MONGO_URI`, `STORE_SERVER_TIMEOUT_MS`)."""
    return connect(settings.get("MONGO_URI"), settings.getint("STORE_SERVER_TIMEOUT_MS"))


def store_enabled(settings: BaseSettings) -> bool:
    """Whether this crawl stores: the pipeline is in ITEM_PIPELINES and STORE_ENABLED
    is on. The crawl command (store check, run lock) and the incremental filter ask."""
    pipelines = settings.getwithbase("ITEM_PIPELINES")
    return pipelines.get(STORE_PIPELINE) is not None and settings.getbool("STORE_ENABLED")


def new_run_id(spider_name: str, now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{spider_name}-{moment}-{secrets.token_hex(3)}"
