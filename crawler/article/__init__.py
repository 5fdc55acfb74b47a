"""The article document of `docs/ARTICLE_SCHEMA.md`, written once.

`FIELDS` is the one definition: the JSON Schema Spidermon validates items with
(`ITEM_SCHEMA`) is generated from it, and a test checks it against the documented
table. `json_form` is an item as JSON sees it (datetimes as ISO 8601 strings), the
shape the schema describes and the feed exporter writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scrapy.exceptions import DropItem

DATETIME = {"type": "string", "format": "date-time"}
STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}}


@dataclass(frozen=True)
class Field:
    """One field: its JSON Schema, whether null is allowed, and who writes it
    (`item`: normalize, so every item has it; `store`: the store's bookkeeping)."""

    name: str
    schema: dict[str, Any]
    nullable: bool = False
    written_by: str = "item"

    def json_schema(self) -> dict[str, Any]:
        if not self.nullable:
            return self.schema
        return {"anyOf": [self.schema, {"type": "null"}]}


def _object(**properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": sorted(properties)}


_TEXT = {"type": "string", "minLength": 1}
_NULLABLE_TEXT = {"type": ["string", "null"]}

FIELDS: tuple[Field, ...] = (
    Field("url", {"type": "string", "pattern": "^https?://"}),
    Field("date_path", {"type": "string", "pattern": r"^\d{4}/(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])$"}),
    Field("source", _TEXT),
    Field("kind", {"enum": ["article", "live", "video"]}),
    Field("title", {"type": "string", "pattern": r"\S"}),
    Field("lead", _TEXT, nullable=True),
    Field("paragraphs", STRINGS),
    Field("text", {"type": "string"}),
    Field("authors", STRINGS),
    Field("published_at", DATETIME),
    Field("modified_at", DATETIME, nullable=True),
    Field("section", _TEXT, nullable=True),
    Field("breadcrumb", STRINGS),
    Field("tags", STRINGS),
    Field(
        "images",
        {
            "type": "array",
            "items": _object(url=_TEXT, caption=_NULLABLE_TEXT, credit=_NULLABLE_TEXT, date_path=_NULLABLE_TEXT),
        },
    ),
    Field("related", {"type": "array", "items": _object(title=_TEXT, url=_TEXT)}),
    Field(
        "live_posts",
        {
            "type": "array",
            "items": _object(published_at={"anyOf": [DATETIME, {"type": "null"}]}, title=_NULLABLE_TEXT, text=_TEXT),
        },
        nullable=True,
    ),
    Field(
        "video",
        _object(url=_TEXT, duration_s={"type": ["integer", "null"], "minimum": 0}),
        nullable=True,
    ),
    Field("free_access", {"type": "boolean"}, nullable=True),
    Field("language", {"type": "string", "pattern": "^[a-z]{2}$"}),
    Field("word_count", {"type": "integer", "minimum": 0}),
    Field("content_hash", {"type": "string", "pattern": "^[0-9a-f]{64}$"}),
    Field("first_seen_at", DATETIME, written_by="store"),
    Field("last_seen_at", DATETIME, written_by="store"),
    Field("revision", {"type": "integer", "minimum": 1}, written_by="store"),
    Field("crawl_run_id", _TEXT, written_by="store"),
)


def json_schema(written_by: tuple[str, ...] = ("item",)) -> dict[str, Any]:
    """The JSON Schema of an article as the given writers leave it: ("item",) for
    what the pipelines carry, ("item", "store") for a stored document."""
    fields = [field for field in FIELDS if field.written_by in written_by]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "article",
        "type": "object",
        "properties": {field.name: field.json_schema() for field in fields},
        "required": [field.name for field in fields],
    }


ITEM_SCHEMA = json_schema()


def json_form(value: Any) -> Any:
    """`value` with every datetime as its ISO 8601 string, as JSON carries it."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: json_form(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_form(item) for item in value]
    return value


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps_article(article: dict[str, Any], indent: int | None = 2) -> str:
    return json.dumps(article, default=_json_default, ensure_ascii=False, indent=indent)


class DuplicateInRun(DropItem):
    """A second copy of an article this run already has (same `url` and `date_path`):
    dropped without counting it twice anywhere (extraction health counts its first copy)."""
