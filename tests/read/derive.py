"""Fills the fields of a hand-written expected JSON that follow from the others:
`text` (the paragraphs joined), `word_count`, `content_hash` and `date_path` (from
the URL, else from `published_at` in Paris time), in the document's field order.
Nothing is read from the page: the hand-written fields stay as written.

Usage: python -m tests.read.derive tests/read/pages/franceinfo/real-…/output.json …
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from crawler.article.normalize import content_hash, date_path, parse_datetime, word_count

ORDER = (
    "url", "date_path", "source", "kind", "title", "lead", "paragraphs", "text", "authors", "published_at",
    "modified_at", "section", "breadcrumb", "tags", "images", "related", "live_posts", "video", "free_access",
    "language", "word_count", "content_hash",
)  # fmt: skip


def derive(expected: dict) -> dict:
    text = "\n\n".join(expected["paragraphs"])
    derived = {
        **expected,
        "text": text,
        "word_count": word_count(text),
        "content_hash": content_hash(expected["title"], expected.get("lead"), text),
        "date_path": date_path(expected["url"], parse_datetime(expected.get("published_at"))),
    }
    unknown = set(derived) - set(ORDER)
    if unknown:
        raise SystemExit(f"not fields of the schema: {sorted(unknown)}")
    return {field: derived.get(field) for field in ORDER}


def main(paths: list[str]) -> None:
    for name in paths:
        path = Path(name)
        document = derive(json.loads(path.read_text(encoding="utf-8")))
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"{path}: {document['word_count']} words, date_path {document['date_path']}")


if __name__ == "__main__":
    main(sys.argv[1:])
