"""Extract one article from a saved page: `python -m crawler.extract PAGE.html --url URL`.

Prints the normalized article as JSON (UTF-8, datetimes ISO 8601 in UTC with
`Z`). A page that is not an article, or is broken, exits with status 2 and one
line on stderr saying why: the page object's reason, or the schema's field (the
same `invalid <field>` the crawl's validate pipeline would drop it for).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crawler.normalize import normalize_article
from crawler.pages import NotAnArticle
from crawler.pages.base import detect_encoding
from crawler.sites import site_for
from crawler.validate import problems

FUTURE_SKEW = timedelta(minutes=15)  # the crawl's default VALIDATE_FUTURE_SKEW_SECONDS


def extract_article(
    url: str, body: bytes | str, content_type: str | None = None, site: str | None = None
) -> dict[str, Any]:
    """Page bytes to the normalized article; raises `NotAnArticle` with a reason."""
    encoding = None if isinstance(body, str) else detect_encoding(body, content_type)
    adapter = site_for(url, site)
    raw = adapter.choose_page(url, body, encoding).to_item()
    return normalize_article(raw, adapter.host_aliases)


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps_article(article: dict[str, Any], indent: int | None = 2) -> str:
    return json.dumps(article, default=_json_default, ensure_ascii=False, indent=indent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.extract", description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path, help="saved HTML page")
    parser.add_argument("--url", required=True, help="the URL the page was fetched from")
    parser.add_argument("--site", help="site adapter key (default: chosen by the URL's host)")
    parser.add_argument("--content-type", help="the HTTP Content-Type the page came with (its charset is honoured)")
    args = parser.parse_args(argv)
    try:
        body = args.page.read_bytes()
    except OSError as error:
        print(f"cannot read {args.page}: {error}", file=sys.stderr)
        return 2
    try:
        article = extract_article(args.url, body, args.content_type, site=args.site)
    except NotAnArticle as error:
        print(f"not an article: {error}", file=sys.stderr)
        return 2
    except ValueError as error:  # an unknown --site
        print(f"cannot read {args.page}: {error}", file=sys.stderr)
        return 2
    found = problems(article, datetime.now(UTC), FUTURE_SKEW)
    if found:
        field, message = found[0]
        print(f"invalid {field}: {message}", file=sys.stderr)
        return 2
    sys.stdout.buffer.write(dumps_article(article).encode("utf-8") + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
