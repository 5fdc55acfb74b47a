"""The article written once (crawler/article/__init__.py) against the documented contract,
and its JSON Schema against real items."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from crawler.article import FIELDS, ITEM_SCHEMA, json_form, json_schema
from crawler.article.validate import problems
from crawler.extract import extract_article
from crawler.read import NotAnArticle

REPO = Path(__file__).resolve().parents[2]
CASES = sorted(path.parent for path in (REPO / "tests/read/pages").glob("*/*/input.html"))
ROW = re.compile(r"^\| `([a-z_]+)`(?:, `([a-z_]+)`)? \| ([^|]+) \|", re.M)


def documented() -> dict[str, str]:
    """Field -> type column of the table in docs/ARTICLE_SCHEMA.md."""
    table = (REPO / "docs/ARTICLE_SCHEMA.md").read_text(encoding="utf-8")
    fields = {}
    for first, second, kind in ROW.findall(table):
        for name in filter(None, (first, second)):
            fields[name] = kind.strip()
    return fields


def test_every_documented_field_is_defined_once_and_no_other() -> None:
    names = [field.name for field in FIELDS]
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(documented())


def test_nullable_exactly_where_the_contract_says_or_null() -> None:
    kinds = documented()
    for field in FIELDS:
        assert field.nullable == ("or null" in kinds[field.name]), field.name


def test_the_item_schema_leaves_out_what_only_the_store_writes() -> None:
    assert "revision" not in ITEM_SCHEMA["properties"]
    assert "revision" in json_schema(("item", "store"))["required"]
    assert set(ITEM_SCHEMA["required"]) == {f.name for f in FIELDS if f.written_by == "item"}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_the_schema_and_the_validate_pipeline_agree_on_every_saved_page(case: Path) -> None:
    url = json.loads((case / "meta.json").read_text(encoding="utf-8"))["url"]
    try:
        item = extract_article(url, (case / "input.html").read_bytes())
    except NotAnArticle:
        pytest.skip("not an article: never reaches the pipelines")
    validator = jsonschema.Draft202012Validator(ITEM_SCHEMA, format_checker=jsonschema.FormatChecker())
    schema_fields = sorted({str(error.absolute_path[0]) for error in validator.iter_errors(json_form(item))})
    pipeline_fields = sorted({field for field, _ in problems(item, datetime.now(UTC), timedelta(minutes=15))})
    assert set(schema_fields) <= set(pipeline_fields)
    # what JSON Schema cannot say: dates against the clock and against each other
    assert set(pipeline_fields) - set(schema_fields) <= {"published_at", "modified_at"}


def test_the_schema_rejects_what_the_contract_forbids() -> None:
    case = next(c for c in CASES if c.name.startswith("real-"))
    url = json.loads((case / "meta.json").read_text(encoding="utf-8"))["url"]
    good = json_form(extract_article(url, (case / "input.html").read_bytes()))
    validator = jsonschema.Draft202012Validator(ITEM_SCHEMA, format_checker=jsonschema.FormatChecker())
    assert not list(validator.iter_errors(good))
    for field, value in [
        ("title", " "),
        ("published_at", "yesterday"),
        ("date_path", "2024-01-01"),
        ("authors", [""]),
        ("kind", "podcast"),
        ("lead", ""),
        ("content_hash", "abc"),
    ]:
        errors = list(validator.iter_errors({**good, field: value}))
        assert [e.absolute_path[0] for e in errors] == [field], field
    missing = {k: v for k, v in good.items() if k != "section"}
    assert any("'section' is a required property" in e.message for e in validator.iter_errors(missing))
