"""A private Docker engine for the image test, and the Debian base image it builds on.

Why: the image must be built and run for real, on a machine where no image registry
answers and no network but loopback may be a target. So this starts Debian's
`dockerd` itself with no bridge network and no iptables rules (containers run with
`--network host` only), under a data root, socket and pid file of its own: a Docker
already running on the machine is never touched, and stopping it removes every image
it made. The Dockerfile's `FROM debian:bookworm-slim` is made here from Debian's own
packages (`debootstrap --variant=minbase bookworm`, then `docker import`), with the
machine's apt sources, so the stand-in is the same distribution as the real image.

In Python::

    with DockerEngine() as engine:
        engine.import_base_image()
        engine.docker("build", "--network", "host", "-t", "crawler", ".")

Needs root, and Debian's `docker.io` and `debootstrap` (`devservers/install.sh --image`).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from crawler.store.procs import pid_running

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE = REPO_ROOT / ".cache"
BASE_IMAGE = "debian:bookworm-slim"
BASE_TARBALL = CACHE / "debian-bookworm-minbase.tar"
DOCKERD = "/usr/sbin/dockerd"
DOCKER = "/usr/bin/docker"  # Debian's client, the engine's own version


class DockerError(RuntimeError):
    pass


class DockerEngine:
    """`dockerd --bridge=none --iptables=false --ip6tables=false` under its own root."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or Path(tempfile.mkdtemp(prefix="crawler-docker-", dir="/var/tmp"))
        self.socket = self.root / "docker.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> str:
        return f"unix://{self.socket}"

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def start(self, timeout: float = 60) -> Self:
        for binary in (DOCKERD, DOCKER):
            if not Path(binary).exists():
                raise DockerError(f"{binary} is missing: run devservers/install.sh --image (Debian's docker.io)")
        self.root.mkdir(parents=True, exist_ok=True)
        log_file = (self.root / "dockerd.log").open("ab")
        self.process = subprocess.Popen(
            [
                DOCKERD,
                "--bridge=none",
                "--iptables=false",
                "--ip6tables=false",
                f"--data-root={self.root / 'data'}",
                f"--exec-root={self.root / 'exec'}",
                f"--pidfile={self.root / 'dockerd.pid'}",
                f"--host={self.host}",
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DockerError(f"dockerd exited with {self.process.returncode}:\n{self.log_tail()}")
            if self.socket.exists() and self.docker("version", check=False).returncode == 0:
                return self
            time.sleep(0.2)
        self.stop()
        raise DockerError(f"dockerd did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self, timeout: float = 30) -> None:
        """Stop dockerd by its pid (its containers with it) and remove its root."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        pid_file = self.root / "dockerd.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().strip() or 0)
            if pid and pid_running(pid):
                os.kill(pid, signal.SIGKILL)
        # dockerd leaves mounts behind (its network namespace, overlays of containers
        # that died with it): unmount everything under the root, deepest first.
        mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
        for mount in sorted((m for m in mounts if m.startswith(f"{self.root}/")), reverse=True):
            subprocess.run(["umount", "-l", mount], capture_output=True, check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, lines: int = 30) -> str:
        path = self.root / "dockerd.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def docker(
        self, *args: str, check: bool = True, timeout: float = 600, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`docker ARGS` against this engine; raises DockerError with its stderr if check."""
        process = subprocess.run(
            [DOCKER, "--host", self.host, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, **(env or {})},
        )
        if check and process.returncode != 0:
            raise DockerError(f"docker {' '.join(args)} exited {process.returncode}:\n{process.stderr[-3000:]}")
        return process

    def import_base_image(self, name: str = BASE_IMAGE) -> str:
        """Debian bookworm, minbase, with this machine's apt sources, as `name`."""
        tarball = debian_rootfs_tarball()
        with tarball.open("rb") as stream:
            process = subprocess.run(
                [DOCKER, "--host", self.host, "import", "-", name], stdin=stream, capture_output=True, check=False
            )
        if process.returncode != 0:
            raise DockerError(f"docker import failed: {process.stderr.decode(errors='replace')[-2000:]}")
        return name


def debian_rootfs_tarball() -> Path:
    """`debootstrap --variant=minbase bookworm`, tarred once into .cache/ (about a minute)."""
    if BASE_TARBALL.exists():
        return BASE_TARBALL
    if shutil.which("debootstrap") is None:
        raise DockerError("debootstrap is missing: run devservers/install.sh --image")
    CACHE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bookworm-", dir="/var/tmp") as work:
        rootfs = Path(work) / "rootfs"
        log.info("debootstrap bookworm into %s", rootfs)
        process = subprocess.run(
            ["debootstrap", "--variant=minbase", "bookworm", str(rootfs)], capture_output=True, text=True, check=False
        )
        if process.returncode != 0:
            raise DockerError(f"debootstrap failed:\n{process.stdout[-2000:]}{process.stderr[-2000:]}")
        _use_machine_apt_sources(rootfs)
        partial = BASE_TARBALL.with_suffix(".partial")
        subprocess.run(["tar", "-C", str(rootfs), "-cf", str(partial), "."], check=True)
        partial.rename(BASE_TARBALL)
    return BASE_TARBALL


def _use_machine_apt_sources(rootfs: Path) -> None:
    """The official image lists bookworm, its updates and its security archive; so does
    this machine's apt (debootstrap's own list has bookworm alone)."""
    sources = sorted(Path("/etc/apt/sources.list.d").glob("*.sources"))
    if not any("bookworm" in path.read_text() for path in sources):
        return
    (rootfs / "etc/apt/sources.list").unlink(missing_ok=True)
    for path in sources:
        if "debian" in path.read_text():
            shutil.copy(path, rootfs / "etc/apt/sources.list.d" / path.name)
    for path in Path("/etc/apt/apt.conf.d").glob("*"):
        if path.is_file() and "Acquire::" in path.read_text(errors="replace"):  # proxies, archive validity
            shutil.copy(path, rootfs / "etc/apt/apt.conf.d" / path.name)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m devservers.docker", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("base-tarball", help="debootstrap bookworm once into .cache/; print the tarball's path")
    parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(debian_rootfs_tarball())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
