"""A local, deterministic replica of franceinfo for tests, demos and benchmarks.

`ReplicaSite` is the seeded site model (articles, quirks, clock); `ReplicaServer`
serves it over HTTP. `python -m replica` runs it from the command line. See
`replica/README.md` for every URL and quirk.
"""

from replica.model import Advance, Article, ReplicaSite
from replica.server import ReplicaServer

#: Scrapy settings (`-s`) for crawling a replica on loopback: the politeness that is
#: right for the real site (AutoThrottle, delays, 4 requests per host) only slows a
#: local server down. Tests, the demo and benchmarks start from these.
CRAWLER_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "RETRY_BACKOFF_BASE": "0.05",
}

__all__ = ["CRAWLER_SETTINGS", "Advance", "Article", "ReplicaServer", "ReplicaSite"]
