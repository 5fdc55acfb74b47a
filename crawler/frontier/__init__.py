"""Scale-out: N workers, one frontier in Redis (`REDIS_URL`), every article once.

`scheduler` (the shared queue, runs, duplicate filter), `queue` (leases),
`middlewares` (lease acknowledgement, the shared per-host budget), `codec`
(requests as JSON). Exactly-once stays the store's: unique (`url`, `date_path`).
"""
