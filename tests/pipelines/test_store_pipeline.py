"""StorePipeline in-process against the real server (FerretDB): batches flushed by
size, by time and at close, stored once, an outage spilled to the journal and
replayed exactly once by the next run, and what it counts."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pymongo.database import Database
from scrapy import Spider
from scrapy.exceptions import CloseSpider, DropItem, NotConfigured
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.store.mongo import connect
from devservers.ferretdb import MongoServer
from pipelines.journal import Journal
from pipelines.store import ArticleStore, StorePipeline

FETCHED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


class StoreSpider(Spider):
    name = "storetest"


class FakeEngine:
    """What the pipeline asks of the engine: to stop the crawl."""

    def __init__(self) -> None:
        self.reasons: list[str] = []

    async def close_spider_async(self, reason: str = "cancelled") -> None:
        self.reasons.append(reason)


def closed_port_uri() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"mongodb://127.0.0.1:{port}/"


def item(number: int, text: str = "Texte.") -> dict[str, Any]:
    return {
        "url": f"https://www.francetvinfo.fr/monde/article-{number}_{7600000 + number}.html",
        "date_path": "2026/11/20",
        "title": f"Article {number}",
        "text": text,
        "content_hash": f"{hash(text) & 0xFFFFFFFF:064x}",
        "published_at": datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        "fetched_at": FETCHED,
    }


def build(uri: str, database: Database, spill: Path, **overrides: Any) -> StorePipeline:
    settings = Settings()
    settings.setmodule(project_settings)
    crawler = get_crawler(
        StoreSpider,
        {
            **settings.copy_to_dict(),
            "TWISTED_REACTOR_ENABLED": False,
            "STORE_ENABLED": True,
            "MONGO_URI": uri,
            "MONGO_DATABASE": database.name,
            "STORE_BATCH_SIZE": 3,
            "STORE_FLUSH_SECONDS": 3600,
            "STORE_OUTAGE_LIMIT_SECONDS": 0.3,
            "STORE_SERVER_TIMEOUT_MS": 1000,
            "STORE_SPILL_DIR": str(spill),
            **overrides,
        },
    )
    crawler.spider = StoreSpider.from_crawler(crawler)
    crawler.engine = FakeEngine()
    crawler.stats.open_spider()
    return StorePipeline.from_crawler(crawler)


def run(body: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(asyncio.wait_for(body(), 20))


async def crawl(pipeline: StorePipeline, items: list[dict[str, Any]]) -> None:
    """One whole run: open, every item, close, the run's document completed."""
    await pipeline.open_spider()
    for one in items:
        await pipeline.process_item(one)
    await pipeline.close_spider()
    pipeline.spider_closed(pipeline.crawler.spider, "finished")


def stat(pipeline: StorePipeline, key: str) -> Any:
    return pipeline.stats.get_value(key)


def stored_urls(database: Database) -> list[str]:
    return sorted(doc["url"] for doc in database.articles.find({}, {"url": 1}))


def spill_items(spill: Path) -> list[dict[str, Any]]:
    return [one for segment in sorted(spill.glob("*.jsonl")) for one in Journal.read(segment)]


def go_away(pipeline: StorePipeline) -> None:
    """The server is gone from now on: the store writes to a port nobody listens on."""
    dead = connect(closed_port_uri(), 200)
    pipeline.store = ArticleStore(dead[pipeline.database], pipeline.max_updates)


@pytest.fixture
def spill(tmp_path: Path) -> Path:
    return tmp_path / "spill"


def test_disabled_store_is_not_configured(mongo_server: MongoServer, mongo_db: Database, spill: Path) -> None:
    with pytest.raises(NotConfigured):
        build(mongo_server.uri, mongo_db, spill, STORE_ENABLED=False)


def test_a_batch_is_written_when_it_reaches_its_size(
    mongo_server: MongoServer, mongo_db: Database, spill: Path
) -> None:
    pipeline = build(mongo_server.uri, mongo_db, spill)

    async def body() -> None:
        await pipeline.open_spider()
        for number in (1, 2):
            assert await pipeline.process_item(item(number)) == item(number), "the item goes on"
        assert mongo_db.articles.count_documents({}) == 0, "not before the batch is full"
        assert len(spill_items(spill)) == 2, "journaled before it is buffered"
        await pipeline.process_item(item(3))
        assert mongo_db.articles.count_documents({}) == 3
        assert spill_items(spill) == [], "the stored batch's segment is deleted"
        await pipeline.close_spider()

    run(body)
    assert stat(pipeline, "store/new") == 3


def test_what_is_left_in_the_buffer_is_written_at_close(
    mongo_server: MongoServer, mongo_db: Database, spill: Path
) -> None:
    pipeline = build(mongo_server.uri, mongo_db, spill)
    run(lambda: crawl(pipeline, [item(n) for n in range(1, 6)]))
    assert stored_urls(mongo_db) == sorted(item(n)["url"] for n in range(1, 6))
    assert stat(pipeline, "store/new") == 5
    assert stat(pipeline, "store/unsaved") is None
    assert list(spill.glob("*.jsonl")) == []


def test_the_buffer_is_written_after_the_flush_interval(
    mongo_server: MongoServer, mongo_db: Database, spill: Path
) -> None:
    pipeline = build(mongo_server.uri, mongo_db, spill, STORE_BATCH_SIZE=1000, STORE_FLUSH_SECONDS=0.1)

    async def body() -> None:
        await pipeline.open_spider()
        await pipeline.process_item(item(1))
        for _ in range(100):
            if mongo_db.articles.count_documents({}):
                break
            await asyncio.sleep(0.05)
        assert mongo_db.articles.count_documents({}) == 1, "stored without another item or the close"
        await pipeline.close_spider()

    run(body)
    assert stat(pipeline, "store/new") == 1


def test_an_item_processed_twice_in_one_batch_is_stored_once(
    mongo_server: MongoServer, mongo_db: Database, spill: Path
) -> None:
    pipeline = build(mongo_server.uri, mongo_db, spill)
    run(lambda: crawl(pipeline, [item(1), item(1), item(2)]))
    assert stored_urls(mongo_db) == sorted([item(1)["url"], item(2)["url"]])
    assert stat(pipeline, "store/new") == 2


def test_an_item_processed_twice_in_two_batches_is_stored_once(
    mongo_server: MongoServer, mongo_db: Database, spill: Path
) -> None:
    pipeline = build(mongo_server.uri, mongo_db, spill, STORE_BATCH_SIZE=1)
    run(lambda: crawl(pipeline, [item(1), item(1)]))
    assert mongo_db.articles.count_documents({}) == 1
    (doc,) = mongo_db.articles.find()
    assert doc["revision"] == 1
    assert mongo_db.article_revisions.count_documents({}) == 0


def test_a_second_run_counts_unchanged_and_updated_articles(
    mongo_server: MongoServer, mongo_db: Database, spill: Path
) -> None:
    run(lambda: crawl(build(mongo_server.uri, mongo_db, spill), [item(1), item(2)]))
    later = {"fetched_at": datetime(2026, 11, 20, 12, 0, tzinfo=UTC)}
    second = build(mongo_server.uri, mongo_db, spill)
    run(lambda: crawl(second, [{**item(1), **later}, {**item(2, text="Corrigé."), **later}]))
    assert (stat(second, "store/new"), stat(second, "store/unchanged"), stat(second, "store/updated")) == (0, 1, 1)
    assert mongo_db.articles.count_documents({}) == 2
    assert mongo_db.article_revisions.count_documents({}) == 1


def test_the_run_is_recorded_in_crawl_runs(mongo_server: MongoServer, mongo_db: Database, spill: Path) -> None:
    pipeline = build(mongo_server.uri, mongo_db, spill)
    run(lambda: crawl(pipeline, [item(1)]))
    run_id = stat(pipeline, "crawl_run/id")
    assert run_id.startswith("storetest-")
    doc = mongo_db.crawl_runs.find_one({"_id": run_id})
    assert doc["spider"] == "storetest" and doc["status"] == "finished" and doc["finish_reason"] == "finished"
    assert doc["counts"]["store/new"] == 1
    assert "url_date_path" in mongo_db.articles.index_information()


def test_an_unreachable_server_at_start_stops_the_crawl(mongo_db: Database, spill: Path) -> None:
    pipeline = build(closed_port_uri(), mongo_db, spill, STORE_SERVER_TIMEOUT_MS=200)

    async def body() -> None:
        with pytest.raises(CloseSpider) as stopped:
            await pipeline.open_spider()
        assert stopped.value.reason == "store_unreachable"

    run(body)
    assert stat(pipeline, "store/unreachable") == 1


def test_an_unwritable_spill_directory_stops_the_crawl_before_connecting(mongo_db: Database, tmp_path: Path) -> None:
    blocker = tmp_path / "spill"
    blocker.write_text("not a directory")
    pipeline = build(closed_port_uri(), mongo_db, blocker)

    async def body() -> None:
        with pytest.raises(CloseSpider) as stopped:
            await pipeline.open_spider()
        assert stopped.value.reason == "spill_unwritable"

    run(body)
    assert stat(pipeline, "store/spill_unwritable") == 1
    assert pipeline.client is None


def test_an_outage_spills_to_the_journal_and_the_next_run_stores_it_exactly_once(
    mongo_server: MongoServer, mongo_db: Database, spill: Path
) -> None:
    first = build(mongo_server.uri, mongo_db, spill, STORE_OUTAGE_LIMIT_SECONDS=2.0)  # one retry

    async def outage() -> None:
        await first.open_spider()
        await first.process_item(item(1))
        go_away(first)
        await first.process_item(item(2))
        await first.process_item(item(3))  # the batch: retried until the outage limit, then spilled
        assert first.unavailable
        await first.closing
        assert first.crawler.engine.reasons == ["store_unavailable"], "the crawl is stopped"
        for number in (4, 5):
            with pytest.raises(DropItem, match="store unavailable"):
                await first.process_item(item(number))
        await first.close_spider()

    run(outage)
    assert mongo_db.articles.count_documents({}) == 0
    assert stat(first, "store/retries") >= 1
    assert stat(first, "store/spilled") == 5
    assert stat(first, "store/unsaved") == 5
    assert stat(first, "store/new") is None
    assert sorted(one["url"] for one in spill_items(spill)) == sorted(item(n)["url"] for n in range(1, 6))

    second = build(mongo_server.uri, mongo_db, spill)
    run(lambda: crawl(second, [item(6)]))
    assert stored_urls(mongo_db) == sorted(item(n)["url"] for n in range(1, 7)), "each once"
    assert stat(second, "store/replayed") == 5
    assert stat(second, "store/new") == 6
    assert list(spill.glob("*.jsonl")) == [], "the spill file is gone once stored"

    third = build(mongo_server.uri, mongo_db, spill)
    run(lambda: crawl(third, []))
    assert stat(third, "store/replayed") is None, "nothing is replayed twice"
    assert mongo_db.articles.count_documents({}) == 6


def test_a_run_killed_before_its_flush_has_its_items_replayed_next_run(
    mongo_server: MongoServer, mongo_db: Database, spill: Path
) -> None:
    killed = build(mongo_server.uri, mongo_db, spill)

    async def crash() -> None:
        await killed.open_spider()
        for number in (1, 2, 3, 4):  # 3 stored, 1 only in memory and the journal
            await killed.process_item(item(number))
        killed.ticker.cancel()  # killed: no close_spider

    run(crash)
    killed.journal.handle.close()  # what the kernel does for a SIGKILLed process: the file and its lock
    killed.journal.lock.close()
    assert mongo_db.articles.count_documents({}) == 3
    assert spill_items(spill) == [item(4)]

    after = build(mongo_server.uri, mongo_db, spill)
    run(lambda: crawl(after, []))
    assert stat(after, "store/replayed") == 1
    assert stored_urls(mongo_db) == sorted(item(n)["url"] for n in range(1, 5))
    assert list(spill.glob("*.jsonl")) == []


def test_a_spill_file_torn_by_a_kill_is_replayed_without_its_cut_record(
    mongo_server: MongoServer, mongo_db: Database, spill: Path
) -> None:
    spill.mkdir()
    journal = Journal(spill, "storetest", "storetest-old")
    for number in (1, 2):
        journal.append(item(number))
    segment = journal.close()
    segment.write_bytes(segment.read_bytes()[:-20])

    pipeline = build(mongo_server.uri, mongo_db, spill)
    run(lambda: crawl(pipeline, []))
    assert stored_urls(mongo_db) == [item(1)["url"]]
    assert stat(pipeline, "store/replayed") == 1
    assert list(spill.glob("*.jsonl")) == []


def test_a_rejected_document_is_dropped_and_counted_and_the_rest_stored(
    mongo_server: MongoServer, mongo_db: Database, spill: Path
) -> None:
    pipeline = build(mongo_server.uri, mongo_db, spill)
    too_big = {**item(2), "text": "x" * (16 * 1024 * 1024)}
    run(lambda: crawl(pipeline, [item(1), too_big, item(3)]))
    assert stored_urls(mongo_db) == sorted([item(1)["url"], item(3)["url"]])
    assert stat(pipeline, "dropped/store/document_too_large") == 1
    assert stat(pipeline, "store/new") == 2
    assert stat(pipeline, "store/unsaved") is None
