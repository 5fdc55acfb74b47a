"""Extraction speed and accuracy: our page objects against trafilatura, same pages, one run.

Usage: python bench/extract.py [--repeat 20] [--replica-pages 50] [--smoke]

Pages, each a row: the real franceinfo pages under tests/read/pages/ (`real-*`, captures
of 2017–2025 with expected JSON written by hand), the synthetic ones, and generated
pages of the local replica at real-page weight, 250–350 KB (speed only). The same
bytes go to our page objects, to `trafilatura.bare_extraction(with_metadata=True)`,
and to a bare lxml parse (the floor: reading a page costs at least its parse).
Targets on the real pages: at least 8x trafilatura's speed, at most 2x the parse.
Accuracy (share exact; body = paragraph F1) is measured on the real pages.
Prints a table, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura
from lxml import html as lxml_html

from crawler.article.normalize import PARIS, clean_text
from crawler.extract import extract_article

PAGES = Path(__file__).resolve().parents[1] / "tests" / "read" / "pages"


def fixture_pages() -> list[dict[str, Any]]:
    pages = []
    for case in sorted(PAGES.glob("*/*/input.html")):
        meta = json.loads((case.parent / "meta.json").read_text(encoding="utf-8"))
        expected = json.loads((case.parent / "output.json").read_text(encoding="utf-8"))
        pages.append({"name": case.parent.name, "url": meta["url"], "body": case.read_bytes(), "expected": expected})
    return pages


def replica_pages(count: int) -> list[dict[str, Any]]:
    """Generated article pages of real-page weight (the replica's templates)."""
    from replica.model import ReplicaSite
    from replica.templates import article_page

    base = "http://127.0.0.1:8765"
    site = ReplicaSite(articles=max(count, 10), seed=7, client_rendered_every=0)
    articles = [a for a in site.articles() if a.quirk is None and a.kind != "live"][:count]
    return [
        {"name": a.path, "url": base + a.path, "body": article_page(site, a, base), "site": "franceinfo"}
        for a in articles
    ]


def ours(page: dict[str, Any]) -> dict[str, Any]:
    return extract_article(page["url"], page["body"], site=page.get("site"))


def theirs(page: dict[str, Any]) -> dict[str, Any]:
    document = trafilatura.bare_extraction(page["body"].decode("utf-8"), url=page["url"], with_metadata=True)
    return document.as_dict() if document is not None else {}


def lxml_parse_only(page: dict[str, Any]) -> Any:
    return lxml_html.document_fromstring(page["body"])


def time_per_page(
    functions: dict[str, Callable[[dict[str, Any]], Any]],
    pages: list[dict[str, Any]],
    repeat: int,
    every: dict[str, int],
) -> dict[str, float]:
    """Median over passes of the mean milliseconds per page, each function's passes
    taken in turn (a function with `every[name] = k` on one pass in k), so a
    machine slowing down for a while slows every side alike."""
    passes: dict[str, list[float]] = {name: [] for name in functions}
    for turn in range(repeat):
        for name, function in functions.items():
            if turn % every.get(name, 1):
                continue
            start = time.perf_counter()
            for page in pages:
                function(page)
            passes[name].append((time.perf_counter() - start) * 1000 / len(pages))
    return {name: statistics.median(times) for name, times in passes.items()}


def paragraph_f1(predicted: list[str], expected: list[str]) -> float:
    predicted_set = {clean_text(p) for p in predicted if clean_text(p)}
    expected_set = {clean_text(p) for p in expected if clean_text(p)}
    if not predicted_set and not expected_set:
        return 1.0
    hits = len(predicted_set & expected_set)
    if not hits:
        return 0.0
    precision, recall = hits / len(predicted_set), hits / len(expected_set)
    return 2 * precision * recall / (precision + recall)


def moment(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")) if iso else None


def paris_day(iso: str | None) -> str | None:
    if not iso:
        return None
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(PARIS).date().isoformat()


def score(page: dict[str, Any]) -> dict[str, dict[str, float]]:
    expected = page["expected"]
    mine = json.loads(json.dumps(ours(page), default=lambda value: value.isoformat()))
    other = theirs(page)
    their_paragraphs = [line for line in (other.get("text") or "").split("\n")]
    their_authors = [clean_text(name) for name in (other.get("author") or "").split(";") if clean_text(name)]
    return {
        "ours": {
            "title": float(mine["title"] == expected["title"]),
            "lead": float(mine["lead"] == expected["lead"]),
            "published": float(paris_day(mine["published_at"]) == paris_day(expected["published_at"])),
            "published_exact": float(moment(mine["published_at"]) == moment(expected["published_at"])),
            "authors": float(mine["authors"] == expected["authors"]),
            "body_f1": paragraph_f1(mine["paragraphs"], expected["paragraphs"]),
        },
        "trafilatura": {
            "title": float(clean_text(other.get("title")) == expected["title"]),
            "lead": float((clean_text(other.get("description")) or None) == expected["lead"]),
            "published": float(other.get("date") == paris_day(expected["published_at"])),
            "published_exact": 0.0,  # a day, never a time
            "authors": float(their_authors == expected["authors"]),
            "body_f1": paragraph_f1(their_paragraphs, expected["paragraphs"]),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--replica-pages", type=int, default=50)
    parser.add_argument("--smoke", action="store_true", help="few repeats and pages, for CI")
    args = parser.parse_args()
    if args.smoke:
        args.repeat, args.replica_pages = 2, 5

    fixtures = fixture_pages()
    franceinfo = [page for page in fixtures if page["expected"]["source"] == "franceinfo"]
    real = [page for page in franceinfo if page["name"].startswith("real-")]
    synthetic = [page for page in franceinfo if not page["name"].startswith("real-")]
    heavy = replica_pages(args.replica_pages)

    rows = []
    for label, pages in (("real franceinfo", real), ("synthetic", synthetic), ("replica pages", heavy)):
        if not pages:
            continue
        size_kb = statistics.mean(len(page["body"]) for page in pages) / 1024
        timings = time_per_page(
            {"ours": ours, "theirs": theirs, "parse": lxml_parse_only}, pages, args.repeat, every={"theirs": 4}
        )
        ours_ms, theirs_ms, parse_ms = timings["ours"], timings["theirs"], timings["parse"]
        rows.append(
            {
                "pages": label,
                "count": len(pages),
                "avg_kb": round(size_kb, 1),
                "ours_ms": round(ours_ms, 3),
                "trafilatura_ms": round(theirs_ms, 3),
                "speedup": round(theirs_ms / ours_ms, 2),
                "lxml_parse_ms": round(parse_ms, 3),
                "ours_vs_parse": round(ours_ms / parse_ms, 2),
            }
        )

    accuracy: dict[str, dict[str, float]] = {"ours": {}, "trafilatura": {}}
    scores = [score(page) for page in real]
    for tool in accuracy:
        for field in ("title", "lead", "published", "published_exact", "authors", "body_f1"):
            accuracy[tool][field] = round(statistics.mean(s[tool][field] for s in scores), 3)

    print(
        f"{'pages':<16}{'n':>4}{'avg KB':>8}{'ours ms':>10}{'trafil. ms':>12}{'speedup':>9}{'lxml ms':>9}{'ours/lxml':>10}"
    )
    for row in rows:
        print(
            f"{row['pages']:<16}{row['count']:>4}{row['avg_kb']:>8}{row['ours_ms']:>10}{row['trafilatura_ms']:>12}"
            f"{row['speedup']:>8}x{row['lxml_parse_ms']:>9}{row['ours_vs_parse']:>9}x"
        )
    real_row = rows[0]
    met = real_row["speedup"] >= 8 and real_row["ours_vs_parse"] <= 2
    print(
        f"targets on real pages: >= 8x trafilatura ({real_row['speedup']}x), <= 2x the lxml parse "
        f"({real_row['ours_vs_parse']}x): {'met' if met else 'NOT met'}"
    )
    print(f"\naccuracy on {len(real)} real franceinfo pages (share exact; body = paragraph F1)")
    print(f"{'field':<16}{'ours':>8}{'trafilatura':>13}")
    for field in accuracy["ours"]:
        print(f"{field:<16}{accuracy['ours'][field]:>8}{accuracy['trafilatura'][field]:>13}")
    print(json.dumps({"bench": "extract", "speed": rows, "targets_met": met, "accuracy": accuracy}))


if __name__ == "__main__":
    main()
