"""The image, built and run for real on a Docker engine of our own (devservers/docker.py):
no registry (the Debian base is made here), no bridge network (every container runs
with `--network host`), supercronic fetched from a loopback server that serves the
binary devservers/install.sh built from its Go module. `make test-image` runs these."""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from devservers.docker import DockerEngine, DockerError
from tests.crawling import REPO
from tests.deploy.test_crontab import supercronic

IMAGE = "franceinfo-crawler:image-test"
EXTRA_CA_DIR = Path("/usr/local/share/ca-certificates")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.image)


@dataclass(frozen=True)
class BuiltImage:
    name: str
    engine: DockerEngine
    build_seconds: float
    size_bytes: int


@pytest.fixture(scope="session")
def engine() -> Iterator[DockerEngine]:
    if os.geteuid() != 0:
        pytest.fail("the image test starts its own dockerd: run it as root (make test-image)")
    try:
        with DockerEngine() as started:
            yield started
    except DockerError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="session")
def supercronic_url() -> Iterator[tuple[str, str]]:
    """The scheduler binary on a loopback HTTP server, and its SHA1."""
    binary = supercronic()
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(binary.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/{binary.name}", hashlib.sha1(binary.read_bytes()).hexdigest()
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def image(engine: DockerEngine, supercronic_url: tuple[str, str]) -> Iterator[BuiltImage]:
    """`docker build` with the classic builder (Debian's docker.io without BuildKit)."""
    engine.import_base_image()
    url, sha1 = supercronic_url
    certificates = "".join(path.read_text() for path in sorted(EXTRA_CA_DIR.glob("*.crt")))
    started = time.monotonic()
    engine.docker(
        "build", "--network", "host", "--tag", IMAGE,
        "--build-arg", f"SUPERCRONIC_URL={url}",
        "--build-arg", f"SUPERCRONIC_SHA1SUM={sha1}",
        "--build-arg", f"BUILD_CA_CERTS={certificates}",
        str(REPO),
        timeout=1500,
        env={"DOCKER_BUILDKIT": "0"},
    )  # fmt: skip
    seconds = time.monotonic() - started
    size = int(engine.docker("image", "inspect", "--format", "{{.Size}}", IMAGE).stdout.strip())
    print(f"\nimage {IMAGE}: built in {seconds:.0f} s, {size / 1e6:.0f} MB")
    yield BuiltImage(IMAGE, engine, seconds, size)
    engine.docker("rmi", "--force", IMAGE, check=False)
    engine.docker("image", "prune", "--force", check=False)
