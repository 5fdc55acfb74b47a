"""`python -m crawler.fixtures list | add <id>`: quarantined pages into test cases.

`list` prints the quarantine (id, when, layout, reason, URL), newest first. `add
<id>` writes `tests/read/pages/<site>/real-quarantine-<id>/` with the page's bytes
(`input.html`), its source note (`SOURCE.md`: URL, run, reason, headers),
`meta.json` and an `output.json` whose fields read "TODO": the expected article is
written by hand from the page as a reader sees it, never by the extractor, so the
case fails until someone has. MONGO_URI and MONGO_DATABASE are read like the
crawler reads them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pymongo import DESCENDING
from pymongo.errors import PyMongoError

from crawler.article import FIELDS
from crawler.observe.quarantine import COLLECTION
from crawler.sites import site_for
from crawler.store.mongo import connect, redact_uri, short_error

TODO = "TODO: as the page shows it"


def site_of(document: dict[str, Any]) -> str:
    """The site the crawl read the page as; the URL's host for older documents."""
    return str(document.get("site") or site_for(document["url"]).key)


def case_files(document: dict[str, Any]) -> dict[str, bytes]:
    """The test case's files for one quarantine document."""
    url = document["url"]
    site = site_of(document)
    meta = {"url": url, "page": document.get("layout") or "TODO: the layout class", "template": TODO}
    expected = {field.name: TODO for field in FIELDS if field.written_by == "item"}
    expected.update({"url": url, "source": site})
    headers = "\n".join(
        f"  - {name}: {value}" for name, values in sorted((document.get("headers") or {}).items()) for value in values
    )
    source = (
        f"# Real {site} page, quarantined by a crawl (a capture, not synthetic)\n\n"
        f"- URL: {url}\n- HTTP status: {document.get('status')}\n"
        f"- Quarantined: {document.get('quarantined_at')} by run {document.get('run_id')}\n"
        f"- Layout read with: {document.get('layout')}\n- Reason: {document.get('reason')}\n"
        f"- Headers:\n{headers}\n\n"
        "output.json is to be written by hand from the page as a reader sees it.\n"
    )
    return {
        "input.html": bytes(document["body"]),
        "meta.json": (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode(),
        "output.json": (json.dumps(expected, ensure_ascii=False, indent=2) + "\n").encode(),
        "SOURCE.md": source.encode(),
    }


def add(document: dict[str, Any], pages_dir: Path) -> Path:
    """Write the case; an existing one is never overwritten."""
    case = pages_dir / site_of(document) / f"real-quarantine-{document['_id']}"
    if case.exists():
        raise FileExistsError(f"{case} exists already")
    case.mkdir(parents=True)
    for name, content in case_files(document).items():
        (case / name).write_bytes(content)
    return case


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m crawler.fixtures", description=__doc__.splitlines()[0])
    parser.add_argument("--mongo-uri", default=os.environ.get("MONGO_URI", "mongodb://localhost:27017"))
    parser.add_argument("--database", default=os.environ.get("MONGO_DATABASE", "news"))
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the quarantined pages, newest first")
    adding = commands.add_parser("add", help="a quarantined page as a tests/read/pages case")
    adding.add_argument("id")
    adding.add_argument("--pages-dir", type=Path, default=Path("tests/read/pages"))
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    client = connect(args.mongo_uri, 5000)
    try:
        collection = client[args.database][COLLECTION]
        if args.command == "list":
            for doc in collection.find({}, {"body": 0}).sort("quarantined_at", DESCENDING):
                print(f"{doc['_id']}  {doc['quarantined_at']:%Y-%m-%d %H:%M}  {doc.get('layout')}  "
                      f"{doc.get('reason')}  {doc['url']}")  # fmt: skip
            return 0
        document = collection.find_one({"_id": args.id})
    except PyMongoError as error:
        print(
            f"fixtures: MongoDB at {redact_uri(args.mongo_uri)} is unreachable: {short_error(error)}", file=sys.stderr
        )
        return 2
    finally:
        client.close()
    if document is None:
        print(f"fixtures: no quarantined page {args.id!r} (python -m crawler.fixtures list)", file=sys.stderr)
        return 1
    try:
        case = add(document, args.pages_dir)
    except FileExistsError as error:
        print(f"fixtures: {error}", file=sys.stderr)
        return 1
    print(f"fixtures: wrote {case}; now write {case / 'output.json'} by hand from the page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
