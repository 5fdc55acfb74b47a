"""The article schema (docs/ARTICLE_SCHEMA.md) as checks, shared by the crawl's
validate pipeline and `python -m crawler.extract`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.article.normalize import is_encodable

DATE_PATH = re.compile(r"^\d{4}/(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])$")
KINDS = frozenset({"article", "live", "video"})
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


def problems(article: dict[str, Any], now: datetime, future_skew: timedelta) -> list[tuple[str, str]]:
    """Every (field, what is wrong) of an article; empty when it is valid."""
    found: list[tuple[str, str]] = []

    def check(field: str, ok: bool, message: str) -> None:
        if not ok:
            found.append((field, message))

    url = article.get("url")
    check("url", isinstance(url, str) and url.startswith(("https://", "http://")), "not an absolute URL")
    check("title", isinstance(article.get("title"), str) and bool(article.get("title", "").strip()), "empty")
    check("source", isinstance(article.get("source"), str) and bool(article.get("source")), "empty")
    check("kind", article.get("kind") in KINDS, f"not one of {sorted(KINDS)}")
    # published_at first: without it there is no date_path either, and the date is what the page lacks
    published = article.get("published_at")
    check(
        "published_at", isinstance(published, datetime) and published.tzinfo is not None, "missing or without timezone"
    )
    if isinstance(published, datetime) and published.tzinfo is not None:
        check("published_at", published <= now + future_skew, f"in the future ({published.isoformat()})")
        check("published_at", published >= EARLIEST, f"implausibly old ({published.isoformat()})")
    check(
        "date_path",
        isinstance(article.get("date_path"), str) and bool(DATE_PATH.match(article["date_path"] or "")),
        "not YYYY/MM/DD",
    )
    for field in ("paragraphs", "authors", "breadcrumb", "tags", "images", "related"):
        value = article.get(field)
        check(field, isinstance(value, list), "not a list")
    paragraphs = article.get("paragraphs") or []
    check("paragraphs", all(isinstance(p, str) and p for p in paragraphs), "holds an empty or non-text paragraph")
    check(
        "text",
        isinstance(article.get("text"), str) and (bool(article.get("text")) or article.get("kind") != "article"),
        "empty",
    )
    modified = article.get("modified_at")
    if modified is not None:
        check(
            "modified_at",
            isinstance(modified, datetime) and modified.tzinfo is not None,
            "not a datetime with timezone",
        )
        if isinstance(modified, datetime) and isinstance(published, datetime) and modified.tzinfo and published.tzinfo:
            check("modified_at", modified >= published - timedelta(minutes=1), "before published_at")
            check("modified_at", modified <= now + future_skew, "in the future")
    check("word_count", isinstance(article.get("word_count"), int) and article["word_count"] >= 0, "not a count")
    check(
        "content_hash",
        isinstance(article.get("content_hash"), str) and len(article.get("content_hash") or "") == 64,
        "not a sha256",
    )
    check(
        "language",
        isinstance(article.get("language"), str) and len(article.get("language") or "") == 2,
        "not a language code",
    )
    free = article.get("free_access")
    check("free_access", free is None or isinstance(free, bool), "not a boolean or null")
    for field, value in article.items():
        check(field, _encodable(value), "holds a lone surrogate or control character (unencodable)")
    return found


def _encodable(value: Any) -> bool:
    """No string in `value` that BSON, the JSON journal or PostgreSQL would refuse."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not is_encodable(item):
                return False
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True
