"""The store's signals.

`articles_stored`, sent with `items` (the list of item dicts of a batch) once that
batch is in MongoDB. Until then an item is only in the worker's memory and
journal; the frontier acknowledges a request on it.

`worker_abandoned`, sent by the frontier with `worker` (its id of a worker whose
heartbeat stopped) once that worker's leases are back in the queue. A killed
worker never completes its `crawl_runs` document; the store of a live worker of
the same run closes it as abandoned, as a run lock's takeover does without Redis.
"""

articles_stored = object()
worker_abandoned = object()
