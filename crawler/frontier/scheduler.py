"""One frontier in Redis for N workers running the same `scrapy crawl` command.

Off unless `REDIS_URL` is set: then `FrontierScheduler.from_crawler` returns
Scrapy's own scheduler. On, it is scrapy-redis's scheduler with:
- a frontier per site and spider arguments (`FRONTIER_NAME` overrides), so the
  run every few minutes and a backfill never share a queue;
- a *run* (generation) that workers join while it runs and that the last worker
  to find nothing left ends; the next command after that begins a new run;
- a duplicate filter per run (`RunDupeFilter`), applied to every request, our
  spiders' `dont_filter` ones included: each worker's `start()` seeds the same
  sitemaps and only the first seed counts; a URL listed again passes only with a
  `lastmod` newer than the newest listed before; the seen requests and their
  queueing are one Redis script; its key expires (`FRONTIER_SEEN_TTL_SECONDS`);
- leases (`crawler.frontier.queue`), a heartbeat every third of
  `FRONTIER_LEASE_SECONDS`, and the leases of a worker whose heartbeat stopped put
  back in the queue, so a killed worker loses nothing;
- a worker that runs dry stays while another still holds requests (they may yield
  more), and closes when none is left anywhere.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import socket
import time
from datetime import UTC, datetime
from typing import Any

from redis import Redis, RedisError
from scrapy import Request
from scrapy.core.scheduler import Scheduler as ScrapyScheduler
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import create_looping_call
from scrapy_redis import connection
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from crawler.frontier import codec
from crawler.frontier.queue import LeasedQueue, storing_key
from crawler.store.signals import worker_abandoned

logger = logging.getLogger(__name__)

JOIN = """
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then
  redis.call('HINCRBY', KEYS[1], 'generation', 1)
  redis.call('HSET', KEYS[1], 'state', 'running', 'started', ARGV[1])
end
return redis.call('HGET', KEYS[1], 'generation')
"""

FINISH = """
if redis.call('HGET', KEYS[1], 'generation') ~= ARGV[1] then return 0 end
if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if redis.call('HLEN', ARGV[2] .. ':leases:' .. worker) > 0 then return 0 end
end
redis.call('HSET', KEYS[1], 'state', 'done', 'finished', ARGV[3])
return 1
"""

# Request meta that makes a request again new within a run: a retry, a redirect
# hop, the same page through the browser.
VARIANT_META = ("retry_times", "redirect_times", "playwright")

# Fingerprint -> the newest `lastmod` listed for it ('' for none); ISO strings of
# one width in UTC, so they compare as text. A request let through is queued in the
# same script: another worker never sees it filtered and not yet queued (it would
# find nothing left and finish while this one is still seeding).
ADMIT = """
local listed = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
if listed then
  if ARGV[2] <= listed then return 0 end
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  if listed == '' then return 0 end
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
if KEYS[2] then redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5]) end
return 1
"""


class RunDupeFilter(RFPDupeFilter):
    """scrapy-redis's filter, keyed per run, expiring, and telling variants apart.

    A URL passes once a run, and again only when a source lists it with a `lastmod`
    newer than the newest listed before: the page changed during the run. A listing
    without `lastmod` (a feed) and one with (the news sitemap) are the same page
    read at the same time: the store's incremental filter has already let the first
    through to be fetched (it decides before requests reach the scheduler), so the
    second is not a reason to read it twice, as for one spider in-process."""

    def __init__(self, server: Redis, key: str, ttl_seconds: int, crawler: Crawler) -> None:
        super().__init__(server, key)
        self.ttl_seconds = ttl_seconds
        self.fingerprinter = crawler.request_fingerprinter
        self._admit = server.register_script(ADMIT)

    def request_fingerprint(self, request: Request) -> str:
        variant = json.dumps([request.meta.get(name) for name in VARIANT_META], default=str)
        return hashlib.sha1(self.fingerprinter.fingerprint(request) + variant.encode()).hexdigest()

    def request_seen(self, request: Request) -> bool:
        return not self.admit(request)

    def admit(self, request: Request, queue: LeasedQueue | None = None) -> bool:
        """True if the request is new to the run, and then queued (with `queue`)."""
        keys = [self.key]
        args = [self.request_fingerprint(request), _listed(request.meta.get("lastmod")), self.ttl_seconds]
        if queue is not None:
            keys.append(queue.key)
            args.extend(queue.encode(request))
        return self._admit(keys=keys, args=args) == 1

    def close(self, reason: str = "") -> None:
        """The run's filter outlives this worker: the others still use it."""


def _listed(lastmod: Any) -> str:
    if isinstance(lastmod, datetime):
        moment = lastmod if lastmod.tzinfo else lastmod.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return "" if lastmod is None else str(lastmod)


def frontier_name(spider: Any) -> str:
    """The site and a digest of the spider's arguments: workers of one command agree."""
    arguments = json.dumps(getattr(spider, "raw_arguments", {}), sort_keys=True)
    site = getattr(spider, "site_key", None) or spider.name
    return f"{site}-{hashlib.sha1(arguments.encode()).hexdigest()[:8]}"


class FrontierScheduler(RedisScheduler):
    """Settings: `REDIS_URL`, `FRONTIER_NAME`, `FRONTIER_LEASE_SECONDS`,
    `FRONTIER_SEEN_TTL_SECONDS`."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            return ScrapyScheduler.from_crawler(crawler)
        server = connection.from_settings(settings)
        server.ping()
        scheduler = cls(server=server, persist=True, serializer=codec)
        scheduler.crawler = crawler
        scheduler.stats = crawler.stats
        scheduler.lease_seconds = settings.getfloat("FRONTIER_LEASE_SECONDS")
        scheduler.seen_ttl = settings.getint("FRONTIER_SEEN_TTL_SECONDS")
        scheduler.name = settings.get("FRONTIER_NAME")
        scheduler.outage_limit = settings.getfloat("FRONTIER_OUTAGE_LIMIT_SECONDS")
        return scheduler

    def open(self, spider: Any) -> None:
        self.spider = spider
        self.held: list[Request] = []
        self.outage_since: float | None = None
        self.prefix = f"frontier:{{{self.name or frontier_name(spider)}}}"
        self.worker = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self.queue = LeasedQueue(self.server, spider, self.prefix, self.serializer, worker=self.worker)
        self.run_key = f"{self.prefix}:run"
        self._beat()
        self.generation = self.server.register_script(JOIN)(keys=[self.run_key], args=[_now()]).decode()
        self.df = RunDupeFilter(self.server, f"{self.prefix}:listed:{self.generation}", self.seen_ttl, self.crawler)
        self._finish = self.server.register_script(FINISH)
        self.last_reap = 0.0
        self.heartbeat = create_looping_call(self._beat)  # on the crawl's loop, whichever reactor (or none)
        self.heartbeat.start(self.lease_seconds / 3, now=False)
        self.stats.set_value("frontier/name", self.prefix)
        self.stats.set_value("frontier/run", int(self.generation))
        self.stats.set_value("frontier/worker", self.worker)
        logger.info(
            "frontier: worker %s in run %s of %s (%d requests queued)",
            self.worker,
            self.generation,
            self.prefix,
            len(self.queue),
        )

    def _beat(self) -> None:
        try:
            pipe = self.server.pipeline(transaction=False)
            pipe.set(self.queue.alive_key(self.worker), _now(), ex=max(1, round(self.lease_seconds)))
            pipe.sadd(self.queue.workers_key, self.worker)
            pipe.execute()
        except RedisError as error:
            self._redis_failed("heartbeat", error)
        else:
            self._redis_back()

    def _redis_failed(self, what: str, error: RedisError) -> None:
        self.stats.inc_value("frontier/redis_errors")
        if self.outage_since is None:
            self.outage_since = time.monotonic()
            logger.warning("frontier: Redis unreachable (%s: %s); requests wait here until it is back", what, error)

    def _redis_back(self) -> None:
        if self.outage_since is not None:
            logger.info("frontier: Redis back after %.0f s", time.monotonic() - self.outage_since)
            self.outage_since = None

    def enqueue_request(self, request: Request) -> bool:
        """Into the shared queue; held here while Redis is away, sent when it is back."""
        try:
            self._send_held()
            return self._enqueue(request)
        except RedisError as error:
            self._redis_failed("enqueue", error)
            self.held.append(request)
            self.stats.inc_value("frontier/held")
            return True

    def _enqueue(self, request: Request) -> bool:
        try:
            admitted = self.df.admit(request, self.queue)
        except TypeError as error:
            logger.error("frontier: %s not queued: %s", request.url, error)
            self.stats.inc_value("frontier/unserializable")
            return False
        if not admitted:
            self.stats.inc_value("frontier/duplicate")
            return False
        self.queue.end_replaced_lease(request)
        self.stats.inc_value("frontier/enqueued")
        return True

    def _send_held(self) -> None:
        while self.held:
            self._enqueue(self.held[0])
            self.held.pop(0)

    def next_request(self) -> Request | None:
        try:
            self._send_held()
            self._reap_dead_workers()
            request = self.queue.pop()
        except RedisError as error:
            self._redis_failed("next request", error)
            return None
        self._redis_back()
        if request is not None:
            self.stats.inc_value("frontier/dequeued")
        return request

    def _reap_dead_workers(self) -> None:
        now = time.monotonic()
        if now - self.last_reap < self.lease_seconds / 3:
            return
        self.last_reap = now
        for member in self.server.smembers(self.queue.workers_key):
            worker = member.decode()
            if worker == self.worker or self.server.exists(self.queue.alive_key(worker)):
                continue
            returned = self.queue.reap(worker)
            if returned < 0:
                continue
            logger.warning("frontier: worker %s stopped beating; %d requests back in the queue", worker, returned)
            self.stats.inc_value("frontier/reaped", returned)
            self.stats.inc_value("frontier/workers_reaped")
            self.crawler.signals.send_catch_log(worker_abandoned, worker=worker)

    def has_pending_requests(self) -> bool:
        try:
            return self._pending()
        except RedisError as error:
            self._redis_failed("pending", error)
            return bool(self.held) or time.monotonic() - (self.outage_since or 0) < self.outage_limit

    def _pending(self) -> bool:
        """Requests queued, or held by another worker (they may yield more). A
        worker with nothing downloading or being scraped has processed every request
        it took: its leases end here (those no acknowledgement ended: a download
        that failed, a request dropped by a middleware), so two idle workers never
        wait on each other; those whose items wait for the store's batch stay."""
        engine = self.crawler.engine
        if not engine.downloader.active and engine.scraper.slot.is_idle():
            ended = self.queue.end_unstored()
            if ended:
                self.stats.inc_value("frontier/leases_ended_idle", ended)
        self._reap_dead_workers()
        return self.work_left()

    def work_left(self) -> bool:
        """Requests held here, queued, or leased by another worker."""
        return bool(self.held) or len(self.queue) > 0 or self.queue.leased_elsewhere() > 0

    def close(self, reason: str) -> None:
        """Finished: this worker's leases are all processed; anything else (a
        shutdown) puts them back for the others. The last worker ends the run."""
        if self.heartbeat.running:
            self.heartbeat.stop()
        try:
            self._close(reason)
        except RedisError as error:
            logger.error(
                "frontier: Redis unreachable at close (%s): %d requests held here are not queued (the next run "
                "rediscovers them); this worker's leases come back when its heartbeat key expires",
                error,
                len(self.held),
            )
            self.stats.set_value("frontier/held_at_close", len(self.held))

    def _close(self, reason: str) -> None:
        self._send_held()
        leases = self.queue.leases_key(self.worker)
        self.server.delete(self.queue.alive_key(self.worker))
        if reason == "finished":
            self.stats.set_value("frontier/leases_ended_at_close", self.server.hlen(leases))
            self.server.delete(leases, storing_key(leases))
            self.server.srem(self.queue.workers_key, self.worker)
        else:
            returned = self.queue.reap(self.worker)
            self.stats.set_value("frontier/returned_at_close", returned)
        ended = self._finish(
            keys=[self.run_key, self.queue.key, self.queue.workers_key],
            args=[self.generation, self.prefix, _now()],
        )
        logger.info("frontier: worker %s closed (%s)%s", self.worker, reason, "; run ended" if ended else "")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
