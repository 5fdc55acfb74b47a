"""The replica's HTTP server: threaded, HTTP/1.1 keep-alive, on 127.0.0.1.

One thread per connection (crawlers open 16–32), so a slow quirk page sleeping
in one thread never blocks the others. All URL logic is in `routes.py`.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from replica.model import ReplicaSite
from replica.routes import Router


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "franceinfo-replica/1.0"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 120
    server: _HTTPServer

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        replica = self.server.replica
        response = replica.router.handle(self.command, self.path, self.headers, body, replica.base_url)
        if response.delay:
            time.sleep(response.delay)
        self.send_response(response.status)
        if response.status != 304:
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.truncate_at is not None:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD" or response.status == 304:
            return
        if response.truncate_at is None:
            self.wfile.write(response.body)
        else:
            self.wfile.write(response.body[: response.truncate_at])
            self.close_connection = True


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], replica: ReplicaServer) -> None:
        self.replica = replica
        self.connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        with self._connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:  # type: ignore[no-untyped-def]
        with self._connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class ReplicaServer:
    """Serves a `ReplicaSite` over HTTP in a background thread.

    >>> with ReplicaServer(ReplicaSite(articles=200)) as server:
    ...     server.base_url  # 'http://127.0.0.1:<free port>'
    """

    def __init__(self, site: ReplicaSite, host: str = "127.0.0.1", port: int = 0, base_url: str | None = None) -> None:
        self.site = site
        self.router = Router(site)
        self._httpd = _HTTPServer((host, port), self)
        self.host = host
        self.port: int = self._httpd.server_address[1]
        self.base_url = (base_url or f"http://{host}:{self.port}").rstrip("/")
        self._thread: threading.Thread | None = None

    def start(self) -> ReplicaServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, name="replica-http", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, close open keep-alive connections, release the port."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        with self._httpd._connections_lock:
            connections = list(self._httpd.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()

    def stats(self) -> dict:
        return self.router.stats.snapshot()

    def reset_stats(self) -> None:
        self.router.stats.reset()

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
