"""A local, deterministic replica of franceinfo for tests, demos and benchmarks.

`ReplicaSite` is the seeded site model (articles, quirks, clock); `ReplicaServer`
serves it over HTTP. `python -m replica` runs it from the command line. See
`replica/README.md` for every URL and quirk.
"""

from replica.model import Advance, Article, ReplicaSite
from replica.server import ReplicaServer

__all__ = ["Advance", "Article", "ReplicaServer", "ReplicaSite"]
