"""The whole job into a real server (FerretDB): a crawl of the replica, re-crawled as
cron does, stores every article once and then exactly the changes. (The faults, the
same crawl with the servers stopped, killed or full, are in `tests/faults/`.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from pymongo.database import Database

from devservers.ferretdb import MongoServer
from replica.model import ReplicaSite
from replica.server import ReplicaServer
from tests.crawling import run_crawl
from tests.faults.accounting import article_fetches, assert_stored_exactly_once, replica_json, storable_urls, store_env

pytestmark = pytest.mark.slow
SINCE = "since=2026-01-01"


def test_incremental_recrawl_fetches_little_and_stores_exactly_the_changes(
    mongo_server: MongoServer, mongo_db: Database, tmp_path: Path
) -> None:
    env = store_env(mongo_server, mongo_db)
    database = mongo_db
    site = ReplicaSite(articles=2000, seed=5, slow_seconds=0.5)
    with ReplicaServer(site, port=0) as server:
        base = f"base_url={server.base_url}"
        first = run_crawl(tmp_path, base, "sources=sitemap", SINCE, env=env)
        assert first.returncode == 0, first.stderr[-2000:]
        expected = storable_urls(server)
        assert_stored_exactly_once(database, expected)
        assert first.stat("store/new") == len(expected) == database.articles.count_documents({})
        run = database.crawl_runs.find_one({"_id": first.stats["crawl_run/id"]})
        assert run["status"] == "finished" and run["counts"]["store/new"] == len(expected)

        server.reset_stats()
        second = run_crawl(tmp_path, base, "sources=sitemap", SINCE, env=env)
        assert second.returncode == 0, second.stderr[-2000:]
        assert article_fetches(server) <= 0.02 * 2000
        assert second.stat("incremental/skipped/unchanged_lastmod") >= len(expected) - 5
        assert second.stat("store/new") == second.stat("store/updated") == 0

        before = {d["url"]: (d["last_seen_at"], d["revision"]) for d in database.articles.find()}
        revisions_before = database.article_revisions.count_documents({})
        change = replica_json(server, "/_replica/advance", {"publish": 20, "edit": 49, "minutes": 30})
        edited, published = set(change["edited"]), set(change["published"])
        assert len(edited) == 50 and len(published) == 20

        third = run_crawl(tmp_path, base, "sources=sitemap", SINCE, env=env)
        assert third.returncode == 0, third.stderr[-2000:]
        assert (third.stat("store/new"), third.stat("store/updated")) == (20, 50)
        assert database.article_revisions.count_documents({}) == revisions_before + 50
        assert database.articles.count_documents({}) == len(expected) + 20
        after = {d["url"]: (d["last_seen_at"], d["revision"]) for d in database.articles.find()}
        touched = {url for url in after if before.get(url) != after[url]}
        redirected = {
            q["canonical"]
            for q in replica_json(server, "/_replica/quirks.json")["quirks"]
            if q["case"] == "redirect_chain"
        }
        assert touched - redirected == edited | published, "nothing but the edited and new articles was written"
        for url in touched & redirected - edited:
            assert after[url][1] == before[url][1], "a URL that redirects is fetched again: its target is only seen"
        assert all(after[url][1] == before[url][1] + 1 for url in edited)
