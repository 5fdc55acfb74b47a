"""Extract one article from a saved page: `python -m crawler.extract PAGE.html --url URL`.

Prints the normalized article as JSON (UTF-8, datetimes ISO 8601 in UTC with
`Z`). A page that is not an article, or is broken, exits with status 2 and one
line on stderr saying why: the page object's reason, or the schema's field (the
same `invalid <field>` the crawl's validate pipeline would drop it for).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crawler.article import dumps_article
from crawler.article.normalize import normalize_article
from crawler.article.validate import problems
from crawler.read import NotAnArticle
from crawler.read.base import detect_encoding
from crawler.sites import site_for

FUTURE_SKEW = timedelta(minutes=15)  # the crawl's default VALIDATE_FUTURE_SKEW_SECONDS


def extract_article(
    url: str, body: bytes | str, content_type: str | None = None, site: str | None = None
) -> dict[str, Any]:
    """Page bytes to the normalized article; raises `NotAnArticle` with a reason."""
    encoding = None if isinstance(body, str) else detect_encoding(body, content_type)
    adapter = site_for(url, site)
    raw = adapter.choose_page(url, body, encoding).to_item()
    return normalize_article(raw, adapter.host_aliases)


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
