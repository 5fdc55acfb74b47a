"""Re-crawls catch every edit, whatever order the sources arrive in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pymongo.database import Database

from devservers.ferretdb import MongoServer
from replica.model import ReplicaSite
from replica.server import ReplicaServer
from tests.crawling import CrawlResult, run_crawl
from tests.faults.accounting import replica_json, store_env

pytestmark = pytest.mark.slow
SINCE = "since=2026-01-01"


def test_an_edit_listed_by_the_sitemap_is_caught_though_a_feed_listed_it_first(
    mongo: MongoServer, database: Database, tmp_path: Path
) -> None:
    """Feeds and section pages give no `lastmod`: a URL they list that was fetched
    within the hour is skipped, and its sitemap listing with a newer `lastmod` was
    then dropped as already requested (before: 18 of 51 edits missed)."""
    env = store_env(mongo, database)
    with ReplicaServer(ReplicaSite(articles=1000, seed=13, slow_seconds=0.5), port=0) as server:
        sections = ",".join(sorted({a["section"] for a in replica_json(server, "/_replica/articles.json")["articles"]}))
        arguments = (f"base_url={server.base_url}", "sources=sitemap,rss,sections", f"sections={sections}")
        first = run_crawl(tmp_path, *arguments, SINCE, env=env)
        assert first.returncode == 0, first.stderr[-3000:]
        before = {doc["url"]: doc["content_hash"] for doc in database.articles.find({}, {"url": 1, "content_hash": 1})}

        change = replica_json(server, "/_replica/advance", {"publish": 20, "edit": 50, "minutes": 10})
        kinds = {a["url"]: a["kind"] for a in replica_json(server, "/_replica/articles.json")["articles"]}
        # A live page's edit is new posts, which `content_hash` (title, lead, text) leaves out.
        edited = {url for url in change["edited"] if url in before and kinds[url] != "live"}
        second = run_crawl(tmp_path, *arguments, SINCE, env=env)
        assert second.returncode == 0, second.stderr[-3000:]
    after = {doc["url"]: doc["content_hash"] for doc in database.articles.find({}, {"url": 1, "content_hash": 1})}
    missed = sorted(url for url in edited if after[url] == before[url])
    assert len(edited) >= 45 and missed == [], f"{len(missed)} of {len(edited)} edits missed"
    assert second.stat("store/updated") >= len(edited)


ARTICLE_KINDS = ("article", "amp", "quirk", "not_modified")


def article_requests(server: ReplicaServer) -> int:
    """Article-page requests (pages, AMP, quirk pages, 304s) since the last reset; then resets."""
    by_kind = replica_json(server, "/_replica/stats.json")["by_kind"]
    server.reset_stats()
    return sum(by_kind.get(kind, 0) for kind in ARTICLE_KINDS)


def new_failures(first: CrawlResult, again: CrawlResult) -> dict[str, int]:
    """Pages a re-crawl failed that the first crawl did not (quirk pages fail every time)."""
    return {
        key: count - first.stat(key)
        for key, count in again.stats.items()
        if key.startswith("failed/") and count > first.stat(key)
    }


def test_a_recrawl_of_the_unchanged_site_sends_at_most_2_percent_of_its_pages(
    mongo: MongoServer, database: Database, tmp_path: Path
) -> None:
    """The daily backfill (archive sitemaps, every feed and section page), re-run at
    once and past the refetch age (before: 130 and 465 of 1,000, and 7 live pages
    aborted by the browser on a 304). A feed's listing defers to the sitemap's
    `lastmod`, which the first crawl stored also for pages a feed listed first."""
    env = store_env(mongo, database)
    with ReplicaServer(ReplicaSite(articles=1000, seed=13, slow_seconds=0.5), port=0) as server:
        sections = ",".join(sorted({a["section"] for a in replica_json(server, "/_replica/articles.json")["articles"]}))
        arguments = (f"base_url={server.base_url}", "sources=sitemap,rss,sections", f"sections={sections}", SINCE)
        first = run_crawl(tmp_path, *arguments, env=env)
        assert first.returncode == 0, first.stderr[-3000:]
        assert article_requests(server) >= 1000
        for label, settings in (("at once", {}), ("aged", {"INCREMENTAL_REFETCH_SECONDS": "0"})):
            again = run_crawl(tmp_path, *arguments, settings=settings, env=env)
            assert again.returncode == 0, again.stderr[-3000:]
            sent = article_requests(server)
            assert sent <= 0.02 * 1000, f"{label}: {sent} article requests"
            assert new_failures(first, again) == {}, label
            assert again.stat("store/new") == again.stat("store/updated") == 0, label


def test_a_feed_recheck_past_the_refetch_age_is_asked_once_and_recorded(
    mongo: MongoServer, database: Database, tmp_path: Path
) -> None:
    """Without a sitemap, a feed's pages are re-checked once they are an hour old:
    conditional requests, answered 304, each recorded as a check so the next run
    does not ask again (before: asked on every run), and a page that goes through
    the browser asked in full (before: `failed/error net::ERR_ABORTED` on the 304)."""
    env = store_env(mongo, database)
    with ReplicaServer(ReplicaSite(articles=300, seed=13, slow_seconds=0.5), port=0) as server:
        arguments = (f"base_url={server.base_url}", "sources=rss")
        first = run_crawl(tmp_path, *arguments, env=env)
        assert first.returncode == 0, first.stderr[-3000:]
        assert first.stat("render/parsed") > 0, "the feed lists pages that need the browser"
        stored = database.articles.count_documents({})
        article_requests(server)

        database.articles.update_many({}, {"$set": {"last_seen_at": datetime.now(UTC) - timedelta(hours=2)}})
        recheck = run_crawl(tmp_path, *arguments, env=env)
        assert recheck.returncode == 0, recheck.stderr[-3000:]
        assert new_failures(first, recheck) == {}
        assert recheck.stat("incremental/not_modified") >= stored - first.stat("render/parsed")
        assert recheck.stat("incremental/checks_recorded") == recheck.stat("incremental/not_modified")
        assert recheck.stat("store/new") == recheck.stat("store/updated") == 0
        article_requests(server)

        again = run_crawl(tmp_path, *arguments, env=env)
        assert again.returncode == 0, again.stderr[-3000:]
        assert again.stat("incremental/skipped/recently_fetched") == stored
        assert again.stat("incremental/not_modified") == 0, "checked once, not on every run"
