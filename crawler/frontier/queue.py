"""The shared queue: a Redis sorted set by priority, and a lease per request taken.

scrapy-redis pops a request at most once: a worker killed with requests in flight
would lose them. Here a pop moves the request into the worker's lease hash in the
same script; the worker acknowledges it once the response is processed (see
`crawler.frontier.middlewares`), and a worker whose heartbeat key expired has its
leases put back in the queue by whichever worker notices first (`reap`). A request
can so run twice (killed after its items were stored, before the ack); the store's
unique (`url`, `date_path`) makes that harmless.

Keys, all under one hash tag `{name}` so a Redis Cluster keeps them on one slot:
`queue` (zset), `leases:<worker>` (hash lease id -> "score\\npayload"),
`leases:<worker>:storing` (lease ids whose items wait for the store's next batch),
`alive:<worker>` (expiring), `workers` (set), `lease_seq`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis import Redis
from scrapy import Request
from scrapy_redis.queue import PriorityQueue

LEASE = "frontier_lease"  # request meta: the lease this request was taken under


def storing_key(leases_key: str) -> str:
    """The lease ids of a worker whose items wait for the store (REAP's Lua knows it too)."""
    return leases_key + ":storing"


@dataclass(frozen=True)
class Lease:
    key: str  # the worker's lease hash
    id: int

    @property
    def storing_key(self) -> str:
        return storing_key(self.key)

    def end(self, server: Redis) -> None:
        pipe = server.pipeline(transaction=False)
        pipe.hdel(self.key, self.id)
        pipe.hdel(self.storing_key, self.id)
        pipe.execute()


POP = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return false end
redis.call('ZREM', KEYS[1], item[1])
local id = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], id, item[2] .. '\\n' .. item[1])
return {id, item[1]}
"""

REAP = """
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local leased = redis.call('HVALS', KEYS[2])
for _, value in ipairs(leased) do
  local cut = string.find(value, '\\n', 1, true)
  redis.call('ZADD', KEYS[1], string.sub(value, 1, cut - 1), string.sub(value, cut + 1))
end
redis.call('DEL', KEYS[2], KEYS[2] .. ':storing')
redis.call('SREM', KEYS[4], ARGV[1])
return #leased
"""

END_UNSTORED = """
local ended = 0
for _, id in ipairs(redis.call('HKEYS', KEYS[1])) do
  if redis.call('HEXISTS', KEYS[2], id) == 0 then
    redis.call('HDEL', KEYS[1], id)
    ended = ended + 1
  end
end
return ended
"""


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue, with leases. `key` is the frontier's prefix."""

    def __init__(self, server: Redis, spider: Any, key: str, serializer: Any = None, worker: str = "") -> None:
        super().__init__(server, spider, key + ":queue", serializer)
        self.prefix = key
        self.worker = worker
        self._pop = server.register_script(POP)
        self._reap = server.register_script(REAP)
        self._end_unstored = server.register_script(END_UNSTORED)

    def leases_key(self, worker: str) -> str:
        return f"{self.prefix}:leases:{worker}"

    def alive_key(self, worker: str) -> str:
        return f"{self.prefix}:alive:{worker}"

    @property
    def workers_key(self) -> str:
        return f"{self.prefix}:workers"

    def pop(self, timeout: int = 0) -> Request | None:
        taken = self._pop(keys=[self.key, self.leases_key(self.worker), f"{self.prefix}:lease_seq"])
        if not taken:
            return None
        lease, payload = taken
        request = self._decode_request(payload)
        request.meta[LEASE] = Lease(self.leases_key(self.worker), int(lease))
        return request

    def encode(self, request: Request) -> tuple[int, bytes]:
        """The request's score and payload in the queue (without its lease); raises
        TypeError for what cannot be serialized as data."""
        lease = request.meta.pop(LEASE, None)
        try:
            return -request.priority, self._encode_request(request)
        finally:
            if lease is not None:
                request.meta[LEASE] = lease

    def push(self, request: Request) -> None:
        score, payload = self.encode(request)
        self.server.execute_command("ZADD", self.key, score, payload)
        self.end_replaced_lease(request)

    def end_replaced_lease(self, request: Request) -> None:
        """A request carrying the lease of the one it replaces (a retry, a redirect,
        a page sent again through the browser) ends that lease once it is queued."""
        lease = request.meta.get(LEASE)
        if lease is not None:
            lease.end(self.server)

    def end_unstored(self) -> int:
        """End this worker's leases but those whose items wait for the store: called
        when nothing is downloading or being scraped here, so every other lease is
        of a request whose processing ended without an acknowledgement (a download
        that failed, a request dropped by a middleware)."""
        leases = self.leases_key(self.worker)
        return int(self._end_unstored(keys=[leases, storing_key(leases)]))

    def reap(self, worker: str) -> int:
        """Put a dead worker's leased requests back; -1 if it is alive after all."""
        keys = [self.key, self.leases_key(worker), self.alive_key(worker), self.workers_key]
        return int(self._reap(keys=keys, args=[worker]))

    def leased_elsewhere(self) -> int:
        """Requests other workers hold (alive or not yet reaped)."""
        others = [w.decode() if isinstance(w, bytes) else w for w in self.server.smembers(self.workers_key)]
        others = [w for w in others if w != self.worker]
        if not others:
            return 0
        pipe = self.server.pipeline(transaction=False)
        for worker in others:
            pipe.hlen(self.leases_key(worker))
        return sum(pipe.execute())
