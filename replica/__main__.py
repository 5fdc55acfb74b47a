"""`python -m replica --port 8765 --articles 2000`: serve the replica until SIGTERM/SIGINT.

Prints one line `REPLICA_URL=<base url>` once listening, for scripts to read.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time

from replica.model import DEFAULT_NOW, ReplicaSite
from replica.server import ReplicaServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m replica", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--base-url", help="URL written in canonicals, feeds and sitemaps (default http://HOST:PORT)")
    parser.add_argument("--now", default=DEFAULT_NOW, help="the replica clock, ISO 8601")
    parser.add_argument("--per-day", type=int, default=40, help="articles published per day")
    parser.add_argument("--slow-seconds", type=float, default=30.0, help="how long the `slow` quirk page sleeps")
    parser.add_argument(
        "--page-delay-seconds",
        type=float,
        default=0.0,
        help="how long every article page takes to answer, as the real site's latency does",
    )
    parser.add_argument("--failures", type=int, default=2, help="errors a `server_error_then_ok` URL serves first")
    parser.add_argument(
        "--client-rendered-every",
        type=int,
        default=25,
        help="every Nth plain article injects its body by script (0: none)",
    )
    parser.add_argument(
        "--drift",
        metavar="FIELD[:SHARE]",
        help="change the markup of one field (lead, authors) on a share of the plain articles, as a redesign would",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    site = ReplicaSite(
        articles=args.articles,
        seed=args.seed,
        now=args.now,
        per_day=args.per_day,
        slow_seconds=args.slow_seconds,
        page_delay_seconds=args.page_delay_seconds,
        failures=args.failures,
        client_rendered_every=args.client_rendered_every,
    )
    if args.drift:
        field, _, share = args.drift.partition(":")
        try:
            site.set_drift(field, float(share or 1.0))
        except ValueError as error:
            parser.error(str(error))
    server = ReplicaServer(site, host=args.host, port=args.port, base_url=args.base_url).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"REPLICA_URL={server.base_url}", flush=True)
    built = time.perf_counter() - started
    print(f"replica: {args.articles} articles, seed {args.seed}, built in {built:.2f} s", file=sys.stderr, flush=True)
    stop.wait()
    server.stop()


if __name__ == "__main__":
    main()
