"""ArticleStore against the real server (FerretDB): new, unchanged, changed, races, rejects."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import MongoClient, monitoring
from pymongo.database import Database

from crawler.extract import extract_article
from devservers.ferretdb import MongoServer
from pipelines.store import ArticleStore, BatchResult
from tests.read import PAGES

CASE = PAGES / "franceinfo" / "real-2022-penurie-carburant"
FETCHED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


class FindCounter(monitoring.CommandListener):
    """Counts the `find` commands a client sends (pymongo's command monitoring)."""

    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.count += event.command_name == "find"

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def article(number: int = 0, text: str | None = None, fetched: datetime = FETCHED) -> dict:
    meta = json.loads((CASE / "meta.json").read_text())
    doc = extract_article(meta["url"].replace(".html", f"-{number}.html"), (CASE / "input.html").read_bytes())
    if text is not None:
        doc["paragraphs"] = [text]
        doc["text"] = text
        doc["content_hash"] = f"{hash(text) & 0xFFFFFFFF:064x}"
    doc["fetched_at"] = fetched
    return doc


def test_new_articles_are_inserted_with_revision_1(mongo_db: Database) -> None:
    store = ArticleStore(mongo_db)
    store.ensure_indexes()
    result = store.write_batch([article(1), article(2)], "run-1")
    assert (result.new, result.updated, result.unchanged) == (2, 0, 0)
    stored = mongo_db.articles.find_one({"url": article(1)["url"]})
    assert stored["revision"] == 1
    assert stored["first_seen_at"] == stored["last_seen_at"] == FETCHED
    assert stored["crawl_run_id"] == "run-1"
    assert "fetched_at" not in stored


def test_unchanged_article_only_moves_last_seen_at(mongo_db: Database) -> None:
    store = ArticleStore(mongo_db)
    store.ensure_indexes()
    store.write_batch([article(1)], "run-1")
    before = mongo_db.articles.find_one()
    later = FETCHED + timedelta(hours=1)
    result = store.write_batch([article(1, fetched=later)], "run-2")
    assert (result.new, result.updated, result.unchanged) == (0, 0, 1)
    after = mongo_db.articles.find_one()
    assert after["last_seen_at"] == later
    assert {k: v for k, v in after.items() if k != "last_seen_at"} == {
        k: v for k, v in before.items() if k != "last_seen_at"
    }
    assert mongo_db.article_revisions.count_documents({}) == 0


def test_changed_article_keeps_its_old_version_and_bumps_revision(mongo_db: Database) -> None:
    store = ArticleStore(mongo_db)
    store.ensure_indexes()
    store.write_batch([article(1, text="Première version.")], "run-1")
    result = store.write_batch([article(1, text="Version corrigée.", fetched=FETCHED + timedelta(hours=2))], "run-2")
    assert (result.new, result.updated, result.unchanged) == (0, 1, 0)
    doc = mongo_db.articles.find_one()
    assert doc["revision"] == 2 and doc["text"] == "Version corrigée."
    assert doc["first_seen_at"] == FETCHED and doc["crawl_run_id"] == "run-2"
    old = mongo_db.article_revisions.find_one()
    assert old["article_id"] == doc["_id"] and old["revision"] == 1 and old["text"] == "Première version."
    assert len(old["archived_day"]) == 10, "a plain day field dashboards group on"
    assert mongo_db.articles.count_documents({}) == 1


def test_a_batch_retried_after_a_failure_halfway_writes_nothing_twice(mongo_db: Database) -> None:
    store = ArticleStore(mongo_db)
    store.ensure_indexes()
    store.write_batch([article(1, text="v1"), article(2)], "run-1")
    batch = [article(1, text="v2", fetched=FETCHED + timedelta(hours=1)), article(2), article(3)]
    first = store.write_batch(batch, "run-2")  # its acknowledgement is lost: the pipeline retries
    again = store.write_batch(batch, "run-2")
    assert (first.new, first.updated, first.unchanged) == (1, 1, 1)
    assert (again.new, again.updated, again.unchanged) == (1, 1, 1), "counted once, as the lost attempt did"
    assert mongo_db.articles.count_documents({}) == 3
    assert mongo_db.article_revisions.count_documents({}) == 1


def test_duplicate_key_race_is_already_stored_not_an_error(mongo_db: Database) -> None:
    store = ArticleStore(mongo_db)
    store.ensure_indexes()
    other_writer = ArticleStore(mongo_db)
    first = article(1)
    other_writer.write_batch([first], "other-run")
    store.expect_new = True  # this writer inserts first: the unique index refuses article 1
    result = store.write_batch([article(1), article(2)], "run-1")
    assert not result.rejected
    assert result.new == 1 and result.unchanged == 1
    assert mongo_db.articles.count_documents({}) == 2


def test_insert_race_inside_insert_many_is_handled(mongo_db: Database) -> None:
    store = ArticleStore(mongo_db)
    store.ensure_indexes()
    mine = article(1)
    rival = {k: v for k, v in mine.items() if k != "fetched_at"} | {"revision": 1, "crawl_run_id": "rival"}
    mongo_db.articles.insert_one(rival)
    result = BatchResult()
    raced = store._insert_new([article(1), article(3)], "run-1", result)
    assert [doc["url"] for doc in raced] == [mine["url"]], "the duplicate comes back to be compared"
    assert result.new == 1 and not result.rejected


def test_too_large_document_is_rejected_and_the_rest_stored(mongo_db: Database) -> None:
    store = ArticleStore(mongo_db, max_document_bytes=200_000)
    store.ensure_indexes()
    huge = article(9, text="x" * 300_000)
    result = store.write_batch([article(1), huge, article(2)], "run-1")
    assert result.new == 2
    assert [(doc["url"], reason) for doc, reason in result.rejected] == [(huge["url"], "document_too_large")]
    assert mongo_db.articles.count_documents({}) == 2


def test_updates_are_split_under_the_per_command_cap(mongo_db: Database) -> None:
    store = ArticleStore(mongo_db, max_updates_per_command=4)
    store.ensure_indexes()
    store.write_batch([article(n, text=f"a{n}") for n in range(10)], "run-1")
    result = store.write_batch([article(n, text=f"b{n}") for n in range(10)], "run-2")
    assert result.updated == 10
    assert mongo_db.article_revisions.count_documents({}) == 10
    assert sorted(mongo_db.articles.distinct("revision")) == [2]


def test_indexes_for_the_key_and_the_dashboards(mongo_db: Database) -> None:
    ArticleStore(mongo_db).ensure_indexes()
    names = set(mongo_db.articles.index_information())
    assert {"url_date_path", "published_at", "section", "date_path", "last_seen_at", "crawl_run_id"} <= names
    assert mongo_db.articles.index_information()["url_date_path"].get("unique") is True
    assert mongo_db.articles.index_information()["url"].get("unique") is True


def moved_a_day(doc: dict) -> dict:
    """The same article (no date in its URL), its `published_at` now on the next day."""
    return {**doc, "date_path": "2022/10/15", "published_at": doc["published_at"] + timedelta(days=1)}


@pytest.mark.parametrize("expect_new", [True, False], ids=["insert first", "look up first"])
def test_an_article_whose_day_moved_updates_the_document_first_stored(mongo_db: Database, expect_new: bool) -> None:
    store = ArticleStore(mongo_db)
    store.ensure_indexes()
    store.write_batch([article(1), article(2)], "run-1")
    (first_day,) = {doc["date_path"] for doc in mongo_db.articles.find()}
    store.expect_new = expect_new
    result = store.write_batch([moved_a_day(article(1, text="Corrigé.")), article(3)], "run-2")
    assert (result.new, result.updated, result.rejected) == (1, 1, [])
    stored = mongo_db.articles.find_one({"url": article(1)["url"]})
    assert (stored["date_path"], stored["text"]) == (first_day, "Corrigé.")
    assert mongo_db.articles.count_documents({}) == 3


def test_a_first_load_reads_nothing_back(mongo_db: Database, mongo_server: MongoServer) -> None:
    """Inserts alone: the unique indexes say what is stored. (A look-up by URL before
    each batch made a first load quadratic on FerretDB, which scans to read.)"""
    finds = FindCounter()
    client = MongoClient(mongo_server.uri, tz_aware=True, event_listeners=[finds])
    store = ArticleStore(client[mongo_db.name])
    store.ensure_indexes()
    finds.count = 0
    for start in range(0, 30, 10):
        result = store.write_batch([article(n) for n in range(start, start + 10)], "run-1")
        assert result.new == 10
    client.close()
    assert finds.count == 0


def test_a_store_holding_a_url_under_two_days_still_keeps_the_first(mongo_db: Database) -> None:
    """Documents from before the rule: no unique index on `url` can be built, so every
    batch looks its undated URLs up first, and the earliest day is kept."""
    one = {k: v for k, v in article(1).items() if k != "fetched_at"}
    mongo_db.articles.insert_many([dict(one), {**moved_a_day(one)}])
    store = ArticleStore(mongo_db)
    store.ensure_indexes()
    assert store.url_unique is False
    result = store.write_batch([moved_a_day(article(1, text="Corrigé."))], "run-2")
    assert (result.new, result.updated) == (0, 1)
    assert mongo_db.articles.find_one({"text": "Corrigé."})["date_path"] == one["date_path"]
    assert mongo_db.articles.count_documents({}) == 2


def test_a_document_the_server_cannot_hold_is_dropped_alone(mongo_db: Database) -> None:
    """FerretDB refuses a whole insert for one string with a NUL (PostgreSQL's jsonb
    cannot hold it): before, the batch was retried as an outage until the run gave up,
    and every later run replayed it the same way."""
    store = ArticleStore(mongo_db)
    store.ensure_indexes()
    poison = article(2)
    poison["title"] = "Avant\x00après"
    result = store.write_batch([article(1), poison, article(3)], "run-1")
    assert (result.new, [reason for _, reason in result.rejected]) == (2, ["invalid_data"])
    assert {doc["url"] for doc in mongo_db.articles.find()} == {article(1)["url"], article(3)["url"]}


def test_checks_move_last_seen_and_record_the_listed_lastmod(mongo_db: Database) -> None:
    """A 304 (checked at a time) and a `lastmod` learnt after the page was read (no
    check): the next run's incremental filter compares against these."""
    store = ArticleStore(mongo_db, max_updates_per_command=2)
    store.ensure_indexes()
    store.write_batch([article(1), article(2), article(3)], "run-1")
    listed = FETCHED - timedelta(hours=5)
    checked = FETCHED + timedelta(hours=2)
    urls = [article(n)["url"] for n in (1, 2, 3)]
    written = store.record_checks([(urls[0], listed, checked), (urls[1], listed, None), (urls[2], None, None)])
    assert written == 2, "a check that says nothing writes nothing"
    first, second, third = (mongo_db.articles.find_one({"url": url}) for url in urls)
    assert (first["last_seen_at"], first["source_lastmod"]) == (checked, listed)
    assert (second["last_seen_at"], second["source_lastmod"]) == (FETCHED, listed)
    assert third["last_seen_at"] == FETCHED and third.get("source_lastmod") is None
