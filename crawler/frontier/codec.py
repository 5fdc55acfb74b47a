"""Requests as JSON for the shared queue: data only, never pickle.

`dumps`/`loads` are what scrapy-redis calls on `Request.to_dict()` output
(`SCHEDULER_SERIALIZER = "crawler.frontier.codec"`). JSON has no bytes, dates, or
non-string keys, so these are tagged: `{"$bytes": base64}`, `{"$datetime": iso}`,
`{"$items": [[key, value], ...]}` for a dict with bytes keys (headers), and
`{"$page_method": [...]}` for scrapy-playwright's `PageMethod`. Anything else in a
request is refused with `TypeError` naming it: a pickled object would run code
from whoever can write to Redis.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from scrapy_playwright.page import PageMethod


def _tag(value: Any) -> Any:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, list | tuple):
        return [_tag(item) for item in value]
    if isinstance(value, dict):
        if all(isinstance(key, str) and not key.startswith("$") for key in value):
            return {key: _tag(item) for key, item in value.items()}
        return {"$items": [[_tag(key), _tag(item)] for key, item in value.items()]}
    if isinstance(value, PageMethod) and isinstance(value.method, str):
        return {"$page_method": [value.method, _tag(list(value.args)), _tag(value.kwargs)]}
    raise TypeError(f"a request holds a {type(value).__name__}, which the shared queue cannot carry as data")


def _untag(value: Any) -> Any:
    if isinstance(value, list):
        return [_untag(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((key, inner),) = value.items()
        if key == "$bytes":
            return base64.b64decode(inner)
        if key == "$datetime":
            return datetime.fromisoformat(inner)
        if key == "$items":
            return {_untag(k): _untag(v) for k, v in inner}
        if key == "$page_method":
            method, args, kwargs = inner
            return PageMethod(method, *_untag(args), **_untag(kwargs))
    return {key: _untag(item) for key, item in value.items()}


def dumps(request: dict[str, Any]) -> bytes:
    return json.dumps(_tag(request), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes | str) -> dict[str, Any]:
    return _untag(json.loads(data))
