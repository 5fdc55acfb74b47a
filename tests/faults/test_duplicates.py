"""Never a second document for one article: a `published_at` corrected across Paris
midnight, for a URL with no date in it, updates the document first stored (before:
a second one under the next day's `date_path`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pymongo.database import Database

from devservers.ferretdb import MongoServer
from tests.crawling import run_crawl, serve_routes
from tests.faults.accounting import store_env
from tests.read import PAGES

pytestmark = pytest.mark.slow
CASE = PAGES / "franceinfo" / "real-2022-penurie-carburant"
PATH = (
    "/economie/transports/penurie-de-carburants/penurie-de-carburant-la-cgt-adopte-la-strategie-du-blocage_5417818.html"
)


HTML = "text/html; charset=utf-8"


@pytest.fixture
def site() -> Iterator[tuple[str, dict[str, tuple[str, bytes]]]]:
    """A real franceinfo page on loopback; the test rewrites it between crawls."""
    routes: dict[str, tuple[str, bytes]] = {}
    with serve_routes(routes) as base_url:
        yield base_url, routes


def published_at(page: bytes, iso: str, shown: str, edit: str = "") -> bytes:
    """The page published at `iso` (Paris time, as the JSON-LD and the byline say it)."""
    page = page.replace(b"2022-10-14T20:48:48+02:00", iso.encode()).replace(b"14/10/2022 20:48", shown.encode())
    page = page.replace(b"2022-10-14T22:47:33+02:00", b"2022-10-15T02:00:00+02:00")
    page = page.replace(b"14/10/2022 22:47", b"15/10/2022 02:00")
    return page.replace(b"arpente les piquets", f"{edit}arpente les piquets".encode()) if edit else page


def test_a_publication_time_corrected_across_midnight_updates_the_same_document(
    mongo: MongoServer, database: Database, site: tuple[str, dict[str, tuple[str, bytes]]], tmp_path: Path
) -> None:
    base_url, pages = site
    original = (CASE / "input.html").read_bytes()
    env = store_env(mongo, database)
    arguments = (f"base_url={base_url}", f"urls={base_url}{PATH}")

    pages[PATH] = HTML, published_at(original, "2022-10-14T23:58:48+02:00", "14/10/2022 23:58")
    first = run_crawl(tmp_path, *arguments, env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    (stored,) = database.articles.find()
    assert stored["date_path"] == "2022/10/14"

    pages[PATH] = HTML, published_at(original, "2022-10-15T00:08:48+02:00", "15/10/2022 00:08", edit="désormais ")
    second = run_crawl(tmp_path, *arguments, env=env)
    assert second.returncode == 0, second.stderr[-3000:]
    assert second.stat("store/updated") == 1 and second.stat("store/new") == 0
    (updated,) = database.articles.find()
    assert updated["_id"] == stored["_id"] and updated["revision"] == 2
    assert updated["date_path"] == "2022/10/14", "the day it was first stored under"
    assert updated["published_at"] == datetime(2022, 10, 14, 22, 8, 48, tzinfo=UTC), "the corrected time"
    assert database.article_revisions.count_documents({}) == 1
