"""Store articles in MongoDB exactly once, in batches, through outages.

`ArticleStore` is the storage logic over a pymongo database (usable without
Scrapy); `StorePipeline` is the Scrapy wiring: a buffer flushed by size, by time
and at close, backed by a journal on disk (`pipelines.journal`), retries with
backoff while the server is away, the journal kept as the spill file when it
stays away, and the run's `crawl_runs` document.

A batch costs one unordered `insert_many` and, for the articles the unique indexes
refuse (already stored), one look-up per publication day (after a batch of mostly
stored articles, the look-up comes first and only new ones are inserted); then one
`update_many` (`last_seen_at`) for unchanged ones, and for changed ones the old
version into `article_revisions` then a guarded update (`content_hash` must still
be the old one), at most `STORE_MAX_UPDATES_PER_COMMAND` updates per command.
Every write is idempotent, so a batch retried after a failure half-way is safe.
An article whose URL holds no date keeps the day it was first stored under; the
unique index on `url` refuses it under another day, and only then is it looked up
by URL (a scan of the collection on FerretDB, which uses no index to read).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bson
from pymongo import ASCENDING, DESCENDING, MongoClient, UpdateOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError, OperationFailure, PyMongoError
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DropItem, NotConfigured

from crawler.article.normalize import date_path_from_url, paris_day
from crawler.store.mongo import connect, new_run_id, redact_uri, short_error
from crawler.store.runlock import close_abandoned_run
from crawler.store.signals import articles_stored, worker_abandoned
from pipelines.journal import Journal

logger = logging.getLogger(__name__)

DUPLICATE_KEY = 11000
# Write errors that are the document's fault: it is dropped and the rest of its batch
# stored. Any other error (FerretDB's InternalError when PostgreSQL is down, a
# primary stepping down, …) is the server's: the whole batch is retried.
DOCUMENT_ERRORS = frozenset({2, 9, 14, 17, 28, 52, 55, 56, 57, 66, 121, 10334, 17280, 17419})
ARTICLE_INDEXES = [
    ([("url", ASCENDING), ("date_path", ASCENDING)], {"unique": True, "name": "url_date_path"}),
    ([("url", ASCENDING)], {"unique": True, "name": "url"}),
    ([("published_at", DESCENDING)], {"name": "published_at"}),
    ([("section", ASCENDING)], {"name": "section"}),
    ([("date_path", ASCENDING)], {"name": "date_path"}),
    ([("last_seen_at", DESCENDING)], {"name": "last_seen_at"}),
    ([("crawl_run_id", ASCENDING)], {"name": "crawl_run_id"}),
]
REVISION_INDEXES = [
    ([("article_id", ASCENDING), ("revision", ASCENDING)], {"unique": True, "name": "article_revision"}),
    ([("archived_at", DESCENDING)], {"name": "archived_at"}),
    ([("archived_day", ASCENDING)], {"name": "archived_day"}),
]
RUN_INDEXES = [
    ([("started_at", DESCENDING)], {"name": "started_at"}),
    ([("finished_at", DESCENDING)], {"name": "finished_at"}),
]
VALIDATOR_FIELDS = ("source_lastmod", "http_etag", "http_last_modified")


@dataclass
class BatchResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[dict[str, Any], str]] = field(default_factory=list)


class ArticleStore:
    """The `articles` and `article_revisions` collections, written in batches."""

    def __init__(self, db: Database, max_updates_per_command: int = 32, max_document_bytes: int = 15 * 1024 * 1024):
        self.db = db
        self.articles = db["articles"]
        self.revisions = db["article_revisions"]
        self.max_updates = max(1, max_updates_per_command)
        self.max_document_bytes = max_document_bytes
        self.expect_new = True
        self.url_unique = False

    def record_checks(self, checks: list[tuple[str, Any, Any]]) -> int:
        """What a crawl learnt about stored pages without storing them: a 304 moves
        `last_seen_at` to the check and makes the `lastmod` it was listed with the
        `source_lastmod`; a `lastmod` learnt after the page was read (checked at
        None) sets only that. One update per URL, found by `url` as the incremental
        filter finds it, at most `max_updates` per command. The number written."""
        updates = []
        for url, lastmod, checked_at in checks:
            fields = {"last_seen_at": checked_at} if checked_at is not None else {}
            if lastmod is not None:
                fields["source_lastmod"] = lastmod
            if fields:
                updates.append(UpdateOne({"url": url}, {"$set": fields}))
        for start in range(0, len(updates), self.max_updates):
            self.articles.bulk_write(updates[start : start + self.max_updates], ordered=False)
        return len(updates)

    def ensure_indexes(self) -> None:
        """Create the indexes (a no-op when they exist). The unique index on `url`
        alone lets an insert refuse an article whose day moved, so a batch needs no
        look-up by URL first; a store that already holds a URL under two days (before
        that rule) cannot have it, and every batch then looks its undated URLs up."""
        for keys, options in ARTICLE_INDEXES:
            try:
                self.articles.create_index(keys, **options)
            except OperationFailure as error:
                if options["name"] != "url" or not _holds_duplicates(error):
                    raise
                logger.warning(
                    "store: no unique index on url (%s): some URL is stored under two date_paths; "
                    "each batch looks its undated URLs up by URL first",
                    short_error(error),
                )
            else:
                self.url_unique = self.url_unique or options["name"] == "url"
        for keys, options in REVISION_INDEXES:
            self.revisions.create_index(keys, **options)
        for keys, options in RUN_INDEXES:
            self.db["crawl_runs"].create_index(keys, **options)

    def write_batch(self, articles: Iterable[dict[str, Any]], run_id: str) -> BatchResult:
        """Store a batch; returns what happened to each article. Raises only on
        connection failures (the caller retries the same batch)."""
        result = BatchResult()
        batch: dict[tuple[str, str], dict[str, Any]] = {}
        for article in articles:
            try:
                size = len(bson.encode(article))
            except (bson.errors.InvalidDocument, bson.errors.InvalidStringData, OverflowError, ValueError):
                result.rejected.append((article, "invalid_document"))
                continue
            if size > self.max_document_bytes:
                result.rejected.append((article, "document_too_large"))
            else:
                batch[(article["url"], article["date_path"])] = article
        try:
            if not self.url_unique:
                batch = self._keep_stored_date_paths(batch)
            for _attempt in range(3):
                if not batch:
                    break
                batch = self._write_once(batch, run_id, result)
        except OperationFailure as error:
            if not _is_data_error(error):
                raise
            return self._write_one_by_one(list(batch.values()), run_id, result)
        for article in batch.values():
            result.rejected.append((article, "write_conflict"))
        return result

    def _write_one_by_one(self, articles: list[dict[str, Any]], run_id: str, result: BatchResult) -> BatchResult:
        """The server refused the batch for data one document holds (FerretDB on
        PostgreSQL refuses what jsonb cannot hold, for the whole command): write each
        alone, so only that one is dropped and no batch is retried forever."""
        if len(articles) == 1:
            result.rejected.append((articles[0], "invalid_data"))
            return result
        for article in articles:
            single = self.write_batch([article], run_id)
            result.new += single.new
            result.updated += single.updated
            result.unchanged += single.unchanged
            result.rejected.extend(single.rejected)
        return result

    def _keep_stored_date_paths(
        self, batch: dict[tuple[str, str], dict[str, Any]]
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """An article whose URL holds no date keeps the `date_path` it was first stored
        under: its `published_at` corrected across Paris midnight must update that
        document, not start a second one. One look-up by URL for such articles (the
        unique index's prefix on MongoDB; a scan of the collection on FerretDB, so
        only for the articles the unique index on `url` refused, when it exists)."""
        undated = [article for article in batch.values() if date_path_from_url(article["url"]) is None]
        if not undated:
            return batch
        first_day: dict[str, str] = {}
        for doc in self.articles.find({"url": {"$in": [a["url"] for a in undated]}}, {"url": 1, "date_path": 1}):
            first_day[doc["url"]] = min(doc["date_path"], first_day.get(doc["url"], doc["date_path"]))
        kept = {}
        for article in batch.values():
            day = first_day.get(article["url"])
            if day is not None and day != article["date_path"]:
                logger.info(
                    "store: %s keeps date_path %s (published_at now says %s)", article["url"], day, article["date_path"]
                )
                article["date_path"] = day
            kept[(article["url"], article["date_path"])] = article
        return kept

    def _write_once(
        self, batch: dict[tuple[str, str], dict[str, Any]], run_id: str, result: BatchResult
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """One pass; returns the articles to pass again (raced by another writer).

        When the last batch was mostly new (a first load), insert first: a new
        article costs no look-up, and the unique index says which ones are already
        stored. When it was mostly stored already (a re-crawl), look up first, which
        spares the server a refused insert per article."""
        insert_first = self.expect_new
        candidates = self._insert_new(list(batch.values()), run_id, result) if insert_first else list(batch.values())
        keys = {(article["url"], article["date_path"]): article for article in candidates}
        stored = self._stored_versions(keys)
        new, unchanged, changed = [], [], []
        for key, article in keys.items():
            old = stored.get(key)
            if old is None:
                new.append(article)
            elif _written_unconfirmed(old, article, run_id):
                if old.get("revision") == 1:
                    result.new += 1
                else:
                    result.updated += 1
            elif old["content_hash"] == article["content_hash"]:
                unchanged.append((old, article))
            else:
                changed.append((old, article))
        new_count = len(batch) - len(candidates) if insert_first else len(new)
        self.expect_new = new_count * 2 > len(batch)
        raced = new if insert_first else self._insert_new(new, run_id, result)
        again = self._keep_stored_date_paths({(a["url"], a["date_path"]): a for a in raced})
        self._touch_unchanged(unchanged, result)
        for article in self._update_changed(changed, run_id, result):
            again[(article["url"], article["date_path"])] = article
        return again

    def _find_by_day(self, keys: Iterable[tuple[str, str]], projection: dict[str, int] | None = None) -> list[dict]:
        """Stored documents for (url, date_path) keys: one query per day, each an
        equality on `date_path` (indexed on MongoDB, pushed down to SQL on FerretDB,
        where a bare `$in` over the collection is a slow scan)."""
        by_day: dict[str, list[str]] = {}
        for url, day in keys:
            by_day.setdefault(day, []).append(url)
        found = []
        for day, urls in by_day.items():
            found.extend(self.articles.find({"date_path": day, "url": {"$in": urls}}, projection))
        return found

    def _stored_versions(self, batch: dict[tuple[str, str], dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
        projection = {
            "url": 1,
            "date_path": 1,
            "content_hash": 1,
            "revision": 1,
            "crawl_run_id": 1,
            "last_seen_at": 1,
            **dict.fromkeys(VALIDATOR_FIELDS, 1),
        }
        return {(doc["url"], doc["date_path"]): doc for doc in self._find_by_day(batch, projection)}

    def _insert_new(self, new: list[dict[str, Any]], run_id: str, result: BatchResult) -> list[dict[str, Any]]:
        """insert_many, unordered; returns the articles the unique index refused as
        already stored (by an earlier run, or by another writer a moment ago)."""
        if not new:
            return []
        documents = []
        for article in new:
            seen = article.get("fetched_at") or datetime.now(UTC)
            document = {key: value for key, value in article.items() if key != "fetched_at"}
            document.update(first_seen_at=seen, last_seen_at=seen, revision=1, crawl_run_id=run_id)
            if isinstance(article.get("published_at"), datetime):
                document["freshness_lag_s"] = max(0, int((seen - article["published_at"]).total_seconds()))
            documents.append(document)
        try:
            self.articles.insert_many(documents, ordered=False)
            result.new += len(documents)
            return []
        except BulkWriteError as error:
            failed = {err["index"]: err for err in error.details.get("writeErrors", [])}
            if any(err.get("code") not in DOCUMENT_ERRORS | {DUPLICATE_KEY} for err in failed.values()):
                raise
            raced = []
            for index, article in enumerate(new):
                err = failed.get(index)
                if err is None:
                    result.new += 1
                elif err.get("code") == DUPLICATE_KEY:
                    raced.append(article)
                else:
                    result.rejected.append((article, f"rejected_{err.get('code', 'unknown')}"))
            return raced

    def _touch_unchanged(self, unchanged: list[tuple[dict[str, Any], dict[str, Any]]], result: BatchResult) -> None:
        """`last_seen_at` in one update_many per day; an article whose HTTP validators
        or listed `lastmod` moved (content unchanged) gets them updated too, so the
        next incremental run compares against them."""
        if not unchanged:
            return
        latest = max(article.get("fetched_at") or datetime.now(UTC) for _, article in unchanged)
        same: dict[str, list[str]] = {}
        for old, article in unchanged:
            moved = {f: article.get(f) for f in VALIDATOR_FIELDS if article.get(f) and article.get(f) != old.get(f)}
            if moved:
                moved["last_seen_at"] = article.get("fetched_at") or latest
                self.articles.update_one(_key_filter(old), {"$set": moved})
            else:
                same.setdefault(old["date_path"], []).append(old["url"])
        for day, urls in same.items():
            self.articles.update_many({"date_path": day, "url": {"$in": urls}}, {"$set": {"last_seen_at": latest}})
        result.unchanged += len(unchanged)

    def _update_changed(
        self, changed: list[tuple[dict[str, Any], dict[str, Any]]], run_id: str, result: BatchResult
    ) -> list[dict[str, Any]]:
        raced: list[dict[str, Any]] = []
        for start in range(0, len(changed), self.max_updates):
            chunk = changed[start : start + self.max_updates]
            self._archive([(old["url"], old["date_path"]) for old, _ in chunk])
            requests = []
            for old, article in chunk:
                fields = {key: value for key, value in article.items() if key != "fetched_at"}
                fields["last_seen_at"] = article.get("fetched_at") or datetime.now(UTC)
                fields["crawl_run_id"] = run_id
                fields["revision"] = old.get("revision", 1) + 1
                guard = {**_key_filter(old), "content_hash": old["content_hash"]}
                requests.append(UpdateOne(guard, {"$set": fields}))
            outcome = self.articles.bulk_write(requests, ordered=False)
            if outcome.matched_count == len(chunk):
                result.updated += len(chunk)
                continue
            old_hashes = {old["content_hash"] for old, _ in chunk}
            still_old = {
                doc["_id"]
                for doc in self._find_by_day([(old["url"], old["date_path"]) for old, _ in chunk], {"content_hash": 1})
                if doc["content_hash"] in old_hashes
            }
            for old, article in chunk:
                if old["_id"] in still_old:
                    raced.append(article)
                else:
                    result.updated += 1
        return raced

    def _archive(self, keys: list[tuple[str, str]]) -> None:
        """Copy the stored versions into `article_revisions` (idempotent by
        (article_id, revision))."""
        versions = []
        archived_at = datetime.now(UTC)
        for doc in self._find_by_day(keys):
            doc["article_id"] = doc.pop("_id")
            doc["archived_at"] = archived_at
            doc["archived_day"] = paris_day(archived_at)
            versions.append(doc)
        if not versions:
            return
        try:
            self.revisions.insert_many(versions, ordered=False)
        except BulkWriteError as error:
            if any(err.get("code") != DUPLICATE_KEY for err in error.details.get("writeErrors", [])):
                raise


class StorePipeline:
    """Settings: `MONGO_URI`, `MONGO_DATABASE`, `STORE_BATCH_SIZE`,
    `STORE_FLUSH_SECONDS`, `STORE_MAX_UPDATES_PER_COMMAND`, `STORE_OUTAGE_LIMIT_SECONDS`
    (how long to retry while the server is away), `STORE_SPILL_DIR` (the journal,
    see `pipelines.journal`), `CRAWL_RUN_ID`."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.uri = settings.get("MONGO_URI")
        self.database = settings.get("MONGO_DATABASE")
        self.batch_size = settings.getint("STORE_BATCH_SIZE")
        self.flush_seconds = settings.getfloat("STORE_FLUSH_SECONDS")
        self.max_updates = settings.getint("STORE_MAX_UPDATES_PER_COMMAND")
        self.outage_limit = settings.getfloat("STORE_OUTAGE_LIMIT_SECONDS")
        self.server_timeout_ms = settings.getint("STORE_SERVER_TIMEOUT_MS")
        self.spill_dir = Path(settings.get("STORE_SPILL_DIR"))
        self.run_id = settings.get("CRAWL_RUN_ID") or ""
        self.buffer: list[dict[str, Any]] = []
        self.lock = asyncio.Lock()
        self.client: MongoClient | None = None
        self.store: ArticleStore | None = None
        self.journal: Journal | None = None
        self.unavailable = False
        self.unjournaled = 0
        self.ticker: asyncio.Task[None] | None = None
        self.closing: asyncio.Task[None] | None = None
        self.closing_runs: set[asyncio.Task[None]] = set()
        crawler.signals.connect(self.spider_closed, signals.spider_closed)
        crawler.signals.connect(self.worker_abandoned, worker_abandoned)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        if not crawler.settings.getbool("STORE_ENABLED"):
            raise NotConfigured("STORE_ENABLED is off")
        return cls(crawler)

    async def open_spider(self, spider: Any = None) -> None:
        name = self.crawler.spider.name
        self.run_id = self.run_id or new_run_id(name)
        self.stats.set_value("crawl_run/id", self.run_id)
        self.journal = Journal(self.spill_dir, name, self.run_id)
        try:
            self.journal.check_writable()
            self.journal.hold()
        except OSError as error:
            self.stats.set_value("store/spill_unwritable", 1)
            logger.error("store: the spill directory %s cannot be written (%s); not crawling", self.spill_dir, error)
            raise CloseSpider("spill_unwritable") from None
        self.client = connect(self.uri, self.server_timeout_ms)
        try:
            await asyncio.to_thread(self._open_store)
        except PyMongoError as error:
            self.unavailable = True
            self.stats.set_value("store/unreachable", 1)
            logger.error("store: MongoDB at %s is unreachable: %s", redact_uri(self.uri), short_error(error))
            raise CloseSpider("store_unreachable") from None
        await self._replay_leftovers()
        self.ticker = asyncio.get_running_loop().create_task(self._flush_periodically())

    def _open_store(self) -> None:
        self.client.admin.command("ping")
        self.store = ArticleStore(self.db, self.max_updates)
        self.store.ensure_indexes()
        self.db["crawl_runs"].replace_one(
            {"_id": self.run_id},
            {
                "_id": self.run_id,
                "run_id": self.run_id,
                "spider": self.crawler.spider.name,
                "site": getattr(self.crawler.spider, "site_key", self.crawler.spider.name),
                "base_url": getattr(self.crawler.spider, "base_url", None),
                "arguments": getattr(self.crawler.spider, "raw_arguments", {}),
                "started_at": datetime.now(UTC),
                "finished_at": None,
                "finish_reason": None,
                "status": "running",
                "host": os.uname().nodename,
                "pid": os.getpid(),
                "frontier_worker": self.stats.get_value("frontier/worker"),
            },
            upsert=True,
        )

    @property
    def db(self) -> Database:
        return self.client[self.database]

    async def process_item(self, item: dict[str, Any], spider: Any = None) -> dict[str, Any]:
        try:
            self.journal.append(item)
        except OSError as error:
            self._journal_failed(error)
            if self.unavailable:
                self.unjournaled += 1
                self.stats.inc_value("dropped/unsaved")
                raise DropItem("neither the store nor the journal can take it") from None
        if self.unavailable:
            self.stats.inc_value("store/spilled")
            raise DropItem(f"store unavailable: kept in the spill file {self.journal.current}")
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            await self.flush()
        return item

    async def _flush_periodically(self) -> None:
        """Shielded: cancelling the ticker at close never cuts a write (or its count) short."""
        while True:
            await asyncio.sleep(self.flush_seconds)
            if self.buffer:
                await asyncio.shield(self.flush())
            await asyncio.shield(self.record_checks())

    async def record_checks(self, final: bool = False) -> None:
        """What the spider learnt about stored pages (`take_checks`: 304s, late
        `lastmod`s), written by the store, the one writer of `articles`, so update
        commands never overlap (FerretDB hangs when too many do). Losing them costs
        only a re-check next run: a failure is counted and logged, never retried."""
        take = getattr(self.crawler.spider, "take_checks", None)
        if take is None or self.store is None or self.unavailable:
            return
        async with self.lock:
            checks = take(final)
            if not checks:
                return
            try:
                written = await asyncio.to_thread(self.store.record_checks, checks)
            except PyMongoError as error:
                self.stats.inc_value("incremental/checks_unrecorded", len(checks))
                logger.warning(
                    "store: could not record %d checks (%s); asked again next run", len(checks), short_error(error)
                )
                return
            self.stats.inc_value("incremental/checks_recorded", written)

    async def flush(self) -> None:
        """Write the buffer; its journal segment is deleted once it is stored, and
        kept as the spill file if the server stays away past the outage limit."""
        async with self.lock:
            if not self.buffer or self.unavailable:
                return
            batch, self.buffer = self.buffer, []
            segment = self.journal.seal()
            if await self._write_with_retries(batch):
                self.journal.discard(segment)
                self.crawler.signals.send_catch_log(articles_stored, items=batch)
            else:
                self.stats.inc_value("store/spilled", len(batch) + len(self.buffer))
                self.buffer = []

    async def _write_with_retries(self, batch: list[dict[str, Any]]) -> bool:
        deadline = time.monotonic() + self.outage_limit
        delay = 0.5
        while True:
            try:
                result = await asyncio.to_thread(self.store.write_batch, batch, self.run_id)
            except PyMongoError as error:
                # Every server-side error is taken for an outage (FerretDB answers
                # InternalError while its PostgreSQL is away): writes are idempotent,
                # so the batch is retried until the outage limit, then spilled.
                if time.monotonic() + delay > deadline:
                    self._give_up(error)
                    return False
                self.stats.inc_value("store/retries")
                logger.warning(
                    "store: write failed (%s); retrying %d items in %.1f s", short_error(error), len(batch), delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
                continue
            self._count(result)
            return True

    def _journal_failed(self, error: OSError) -> None:
        """A journal that cannot be written is an outage of its own: an item it misses
        would be lost by a crash. The items in memory are still stored; the crawl stops."""
        self.stats.inc_value("store/journal_errors")
        if self.closing is not None:
            return
        logger.error(
            "store: cannot write the journal in %s (%s); storing what was read and stopping the crawl",
            self.spill_dir,
            error,
        )
        self.closing = asyncio.get_running_loop().create_task(
            self.crawler.engine.close_spider_async(reason="spill_unwritable")
        )

    def _give_up(self, error: Exception) -> None:
        self.unavailable = True
        logger.error(
            "store: MongoDB unreachable for %.0f s (%s); stopping the crawl, unsaved items stay in %s for the next run",
            self.outage_limit,
            short_error(error),
            self.spill_dir,
        )
        self.closing = asyncio.get_running_loop().create_task(
            self.crawler.engine.close_spider_async(reason="store_unavailable")
        )

    def _count(self, result: BatchResult) -> None:
        self.stats.inc_value("store/new", result.new)
        self.stats.inc_value("store/updated", result.updated)
        self.stats.inc_value("store/unchanged", result.unchanged)
        for article, reason in result.rejected:
            self.stats.inc_value(f"dropped/store/{reason}")
            logger.warning("dropped/store/%s %s", reason, article.get("url"))

    async def _replay_leftovers(self) -> None:
        """Items an earlier run fetched but could not store are stored first."""
        for segment in self.journal.leftovers():
            items = Journal.read(segment)
            logger.info("store: replaying %d items from %s", len(items), segment)
            for start in range(0, len(items), self.batch_size):
                if not await self._write_with_retries(items[start : start + self.batch_size]):
                    return
            Journal.discard(segment)
            self.stats.inc_value("store/replayed", len(items))

    async def close_spider(self, spider: Any = None) -> None:
        if self.ticker is not None:
            self.ticker.cancel()
        await asyncio.gather(*self.closing_runs)
        if self.store is not None:
            await self.flush()
            await self.record_checks(final=True)
        if self.journal is not None:
            self.journal.close()
            unsaved = sum(len(Journal.read(segment)) for segment in self.journal.segments()) + self.unjournaled
            if unsaved:
                self.stats.set_value("store/unsaved", unsaved)
                logger.error(
                    "store: %d items are not stored; those journaled are kept in %s for the next run",
                    unsaved,
                    self.spill_dir,
                )

    def worker_abandoned(self, worker: str) -> None:
        """Another worker of this frontier run died: close its run document for it."""
        if self.client is None or self.unavailable:
            return
        task = asyncio.get_running_loop().create_task(self._close_abandoned_run(worker))
        self.closing_runs.add(task)
        task.add_done_callback(self.closing_runs.discard)

    async def _close_abandoned_run(self, worker: str) -> None:
        runs = self.db["crawl_runs"]
        try:
            if await asyncio.to_thread(close_abandoned_run, runs, {"frontier_worker": worker}):
                logger.info("store: crawl_runs of dead worker %s closed as abandoned", worker)
        except PyMongoError as error:
            logger.warning("store: could not close the run of dead worker %s: %s", worker, short_error(error))

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Complete the run's document once everything is flushed: tried even after an
        outage (the server may be back); if it still fails, the next run to take the
        lock closes it as abandoned."""
        if self.client is None:
            return
        unsaved = self.stats.get_value("store/unsaved", 0)
        try:
            self.db["crawl_runs"].update_one(
                {"_id": self.run_id},
                {
                    "$set": {
                        "finished_at": datetime.now(UTC),
                        "finish_reason": reason,
                        "status": "failed" if unsaved else RUN_STATUS.get(reason, "failed"),
                        "counts": _counts(self.stats.get_stats()),
                        "fill_rates": self.stats.get_value("health/fill_rates", []),
                        "health_alerts": self.stats.get_value("health/alerts", []),
                    }
                },
            )
        except PyMongoError as error:
            logger.error("store: could not complete crawl_runs/%s: %s", self.run_id, short_error(error))
        self.client.close()


RUN_STATUS = {"finished": "finished", "shutdown": "stopped"}
# What PostgreSQL says, through FerretDB, of data jsonb cannot hold (a NUL in a string).
DATA_ERROR_MARKERS = ("unsupported Unicode escape sequence", "invalid byte sequence", "22P05", "22021")


def _is_data_error(error: OperationFailure) -> bool:
    return any(marker in str(error) for marker in DATA_ERROR_MARKERS)


def _holds_duplicates(error: OperationFailure) -> bool:
    """A unique index refused for the data already there: MongoDB says DuplicateKey,
    FerretDB an InternalError with PostgreSQL's unique_violation (SQLSTATE 23505)."""
    return error.code == DUPLICATE_KEY or "SQLSTATE 23505" in str(error)


def _written_unconfirmed(stored: dict[str, Any], article: dict[str, Any], run_id: str) -> bool:
    """The stored document is this very article, written (inserted or updated) by
    an earlier attempt of this batch whose acknowledgement a dropped connection
    lost: it is counted as that attempt would have counted it, not as unchanged."""
    fetched = article.get("fetched_at")
    if not isinstance(fetched, datetime) or stored.get("crawl_run_id") != run_id:
        return False
    written_at = fetched.replace(microsecond=fetched.microsecond // 1000 * 1000)
    return stored.get("last_seen_at") == written_at and stored["content_hash"] == article["content_hash"]


def _key_filter(document: dict[str, Any]) -> dict[str, Any]:
    return {"date_path": document["date_path"], "url": document["url"]}


def _counts(stats: dict[str, Any]) -> dict[str, Any]:
    """Stats as a crawl_runs document: keys without dots, values BSON can store."""
    counts: dict[str, Any] = {}
    for key, value in stats.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            counts[key.replace(".", "_").replace("$", "_")] = value
    return counts
