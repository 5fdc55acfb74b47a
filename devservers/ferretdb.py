"""FerretDB 1.24.2 on a private PostgreSQL 15 cluster: a real MongoDB-wire server.

Why: MongoDB itself cannot be installed from the package registries this project
can reach, but Go modules and Debian's PostgreSQL can. FerretDB speaks the
MongoDB wire protocol on top of PostgreSQL, so pymongo code runs unchanged.

In Python::

    with MongoServer() as server:
        client = pymongo.MongoClient(server.uri)

From a shell (the Makefile demo uses start/stop)::

    python -m devservers.ferretdb build                      # print binary path
    python -m devservers.ferretdb run [--port N] [--dir D]   # foreground
    python -m devservers.ferretdb start --dir D [--port N]   # detached
    python -m devservers.ferretdb stop --dir D

Folder layout of a server (a temp dir, or D)::

    pg/data  pg/postgres.log  pg/.s.PGSQL.*   owned by user postgres when root
    ferretdb.log                              FerretDB's output
    uri  ferretdb.pid  postgres.pid           written by `start` only
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from crawler.store.procs import pid_running
from devservers.processes import free_port, stop_process

log = logging.getLogger(__name__)

FERRETDB_VERSION = "v1.24.2"
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BIN = REPO_ROOT / ".cache" / "ferretdb" / "ferretdb"
PG_BINDIR = Path(os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin"))
PG_USER = "postgres"  # PostgreSQL refuses to run as root, so root runs it as this
DB_ROLE = "ferret"  # superuser of the private cluster (trust auth, no password)


# --------------------------------------------------------------------- build


def ferretdb_bin_path() -> Path:
    """Where the binary is cached: $FERRETDB_BIN, else the git-ignored .cache/."""
    return Path(os.environ.get("FERRETDB_BIN") or DEFAULT_BIN)


def find_go() -> str:
    """The go command: on PATH or at /usr/local/go/bin (often not on PATH)."""
    for go in (shutil.which("go"), "/usr/local/go/bin/go"):
        if go and os.access(go, os.X_OK):
            return go
    raise RuntimeError(
        "Go toolchain not found (looked on PATH and at /usr/local/go/bin/go); Go >= 1.24 is needed to build FerretDB"
    )


def build_ferretdb(force: bool = False) -> Path:
    """Return the cached FerretDB binary, building it first if missing.

    `go install ...@v1.24.2` gives a binary that panics at start ("Invalid
    build/version/version.txt"): the module lacks that generated file. So we
    copy the module source, write the file, and build from the copy.
    """
    binary = ferretdb_bin_path()
    if binary.exists() and not force:
        log.info("using cached FerretDB binary %s", binary)
        return binary
    go = find_go()
    binary.parent.mkdir(parents=True, exist_ok=True)
    # One build at a time (parallel test runs, CI steps); the others wait, then reuse it.
    with open(binary.parent / f".{binary.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if binary.exists() and not force:
            return binary
        _build(go, binary)
    return binary


def _build(go: str, binary: Path) -> None:
    started = time.monotonic()
    log.info("downloading FerretDB %s source (Go module proxy)", FERRETDB_VERSION)
    module = f"{FERRETDB_MODULE}@{FERRETDB_VERSION}"
    source = Path(json.loads(_run([go, "mod", "download", "-json", module]))["Dir"])
    # Build in the system temp dir, outside any git checkout, so Go does not
    # try to stamp this project's VCS info into the binary.
    with tempfile.TemporaryDirectory(prefix="ferretdb-build-") as tmp:
        work = Path(tmp) / "src"
        shutil.copytree(source, work)  # the module cache copy is read-only
        _run(["chmod", "-R", "u+w", str(work)])
        (work / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION)
        log.info("building FerretDB in %s (takes about a minute)", work)
        _run([go, "build", "-o", str(Path(tmp) / "ferretdb"), "./cmd/ferretdb"], work)
        # Copy next to the target, then rename: nobody ever sees half a binary.
        partial = binary.with_name(f"{binary.name}.{os.getpid()}.partial")
        shutil.copy2(Path(tmp) / "ferretdb", partial)
        os.replace(partial, binary)
    log.info("built %s in %.0f s", binary, time.monotonic() - started)


# -------------------------------------------------------------------- server


class MongoServer:
    """PostgreSQL + FerretDB on free loopback ports, in a private folder.

    Not thread-safe: drive one instance from one thread.

    `stop_ferretdb()` / `start_ferretdb()` take FerretDB alone down and up on
    the same port, so tests can simulate "the database went away and came
    back"; the data lives in PostgreSQL and survives that.
    """

    def __init__(
        self,
        port: int | None = None,
        directory: str | Path | None = None,
        start_timeout: float = 30.0,
    ) -> None:
        """`port`: FerretDB's port (default: a free one). `directory`: where
        to keep the cluster and logs (default: a temp dir removed by stop())."""
        self.port: int = port or 0
        self.pg_port: int = 0
        self.start_timeout = start_timeout
        self._fixed_port = port is not None
        self._given_dir = Path(directory).resolve() if directory else None
        self.dir: Path | None = None
        self._ferretdb: subprocess.Popen[bytes] | None = None
        self._pg_running = False
        self._postmaster_pid: int | None = None

    @property
    def uri(self) -> str:
        """MongoDB connection string for pymongo."""
        return f"mongodb://127.0.0.1:{self.port}/"

    @property
    def ferretdb_pid(self) -> int | None:
        """Pid of the running FerretDB process, if any."""
        proc = self._ferretdb
        return proc.pid if proc is not None and proc.poll() is None else None

    @property
    def postgres_pid(self) -> int | None:
        """Pid of the postmaster (from postmaster.pid), if it is running."""
        if self.dir is None or not self._pg_running:
            return None
        try:
            return int((self._pg_dir / "data" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> MongoServer:
        """Start PostgreSQL, then FerretDB; return when a ping succeeds."""
        if self.dir is not None:
            raise RuntimeError("server already started")
        if self._fixed_port and not _port_is_free(self.port):
            raise RuntimeError(f"port {self.port} is already in use")
        binary = build_ferretdb()
        started = time.monotonic()
        try:
            self._make_dir()
            self._start_postgres()
            self._start_ferretdb_on_free_port(binary)
        except BaseException:
            self.stop()
            raise
        log.info(
            "FerretDB at %s (PostgreSQL on port %d) ready in %.1f s",
            self.uri,
            self.pg_port,
            time.monotonic() - started,
        )
        return self

    def stop(self) -> None:
        """Stop FerretDB and PostgreSQL and remove the temp dir. Idempotent."""
        try:
            self.stop_ferretdb()
        finally:
            try:
                if self._pg_running:
                    _pg_stop(self._pg_dir, self._postmaster_pid)
            finally:
                self._pg_running = False
                if self.dir is not None:
                    # A given dir keeps its logs; only the cluster goes.
                    target = self._pg_dir if self._given_dir else self.dir
                    shutil.rmtree(target, ignore_errors=True)
                    self.dir = None

    def stop_ferretdb(self) -> None:
        """Stop only FerretDB (PostgreSQL and the data stay). Idempotent."""
        proc, self._ferretdb = self._ferretdb, None
        stop_process(proc)

    def stop_postgres(self) -> None:
        """Stop only PostgreSQL: FerretDB keeps answering, with errors (an outage
        behind the wire server)."""
        if self._pg_running:
            _pg_stop(self._pg_dir, self._postmaster_pid)
            self._pg_running = False

    def start_postgres(self) -> None:
        """Start the same cluster again on its port, after `stop_postgres`."""
        if self._pg_running or self.dir is None:
            return
        pg = self._pg_dir
        options = f"-p {self.pg_port} -k {shlex.quote(str(pg))} -c listen_addresses=127.0.0.1 -c fsync=off"
        pg_ctl = [str(PG_BINDIR / "pg_ctl"), "-D", str(pg / "data"), "-l", str(pg / "postgres.log")]
        self._pg([*pg_ctl, "-o", options, "-w", "start"], "PostgreSQL failed")
        self._pg_running = True
        self._postmaster_pid = self.postgres_pid

    def start_ferretdb(self) -> None:
        """Restart FerretDB on the same port as before; wait for a ping."""
        if not self._pg_running:
            raise RuntimeError("start() the server first")
        if self.ferretdb_pid is not None:
            return
        self._wait_for_ping(self._launch_ferretdb(build_ferretdb()))

    # -- internals

    @property
    def _pg_dir(self) -> Path:
        assert self.dir is not None
        return self.dir / "pg"

    def _make_dir(self) -> None:
        if self._given_dir is None:
            self.dir = Path(tempfile.mkdtemp(prefix="ferretdb-"))
            self.dir.chmod(0o755)  # mkdtemp makes 0700; postgres must get through
        else:
            self.dir = self._given_dir
            self.dir.mkdir(parents=True, exist_ok=True)
            if self._pg_dir.exists():
                path, self.dir = self._pg_dir, None  # not ours: don't delete it
                raise RuntimeError(f"{path} exists: a server may run there (`stop --dir` cleans up)")
        self._pg_dir.mkdir()
        # The Unix socket path is limited to 107 bytes.
        if len(str(self._pg_dir / ".s.PGSQL.65535")) > 107:
            raise RuntimeError(f"folder path too long for a Unix socket: {self.dir}")
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam(PG_USER)
            except KeyError:
                raise RuntimeError(
                    f"no '{PG_USER}' user: PostgreSQL will not run as root; "
                    "run devservers/install.sh (apt-get install postgresql)"
                ) from None
            os.chown(self._pg_dir, user.pw_uid, user.pw_gid)
            self._pg(
                ["test", "-w", str(self._pg_dir)],
                f"user {PG_USER} cannot write {self._pg_dir}: are all parent folders traversable (chmod o+x)?",
            )

    def _pg(self, cmd: list[str], what: str) -> str:
        """Run a PostgreSQL tool, as user postgres when we are root."""
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", PG_USER, "--", *cmd]
        try:
            return _run(cmd, cwd=self._pg_dir)
        except RuntimeError as exc:
            message = f"{what}: {exc}\n{_tail(self._pg_dir / 'postgres.log')}"
            raise RuntimeError(message.rstrip()) from None

    def _start_postgres(self) -> None:
        if not (PG_BINDIR / "pg_ctl").exists():
            raise RuntimeError(f"PostgreSQL not found in {PG_BINDIR}; run devservers/install.sh")
        pg = self._pg_dir
        data = str(pg / "data")
        initdb = [str(PG_BINDIR / "initdb"), "-D", data, "-A", "trust", "-U", DB_ROLE]
        self._pg([*initdb, "-E", "UTF8", "--locale=C", "--no-sync"], "initdb failed")
        for attempt in range(3):  # another process may grab the free port
            self.pg_port = free_port(exclude={self.port})
            options = f"-p {self.pg_port} -k {shlex.quote(str(pg))} -c listen_addresses=127.0.0.1 -c fsync=off"
            pg_ctl = [str(PG_BINDIR / "pg_ctl"), "-D", data, "-l", str(pg / "postgres.log")]
            try:
                self._pg([*pg_ctl, "-o", options, "-w", "start"], "PostgreSQL failed")
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        self._pg_running = True
        self._postmaster_pid = self.postgres_pid  # for stop(), should pg_ctl fail
        psql = [str(PG_BINDIR / "psql"), "-h", str(pg), "-p", str(self.pg_port)]
        sql = "create database ferretdb"
        self._pg([*psql, "-U", DB_ROLE, "-d", "postgres", "-c", sql], "createdb failed")

    def _start_ferretdb_on_free_port(self, binary: Path) -> None:
        for attempt in range(3):  # another process may grab the free port
            if not self._fixed_port:
                self.port = free_port(exclude={self.pg_port})
            try:
                self._wait_for_ping(self._launch_ferretdb(binary))
                return
            except RuntimeError:
                self.stop_ferretdb()
                if self._fixed_port or attempt == 2:
                    raise
                log.warning("FerretDB failed on port %d; trying another", self.port)

    def _launch_ferretdb(self, binary: Path) -> subprocess.Popen[bytes]:
        assert self.dir is not None
        # Else our ping could reach whatever server holds the port.
        if not _port_is_free(self.port):
            raise RuntimeError(f"port {self.port} is already in use")
        cmd = [
            str(binary),
            "--handler=postgresql",
            f"--postgresql-url=postgres://{DB_ROLE}@127.0.0.1:{self.pg_port}/ferretdb",
            f"--listen-addr=127.0.0.1:{self.port}",
            "--debug-addr=-",
            "--telemetry=disable",
            "--log-level=warn",
        ]
        with open(self.dir / "ferretdb.log", "ab") as logfile:
            self._ferretdb = subprocess.Popen(
                cmd,
                cwd=self.dir,  # FerretDB writes its state.json into the cwd
                stdin=subprocess.DEVNULL,
                stdout=logfile,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # survives our exit; no Ctrl-C from tty
            )
        return self._ferretdb

    def _wait_for_ping(self, proc: subprocess.Popen[bytes]) -> None:
        from pymongo import MongoClient  # lazy: `build` works without pymongo
        from pymongo.errors import PyMongoError

        assert self.dir is not None
        deadline = time.monotonic() + self.start_timeout
        client: MongoClient[dict] = MongoClient(self.uri, serverSelectionTimeoutMS=500, connectTimeoutMS=500)
        try:
            while True:
                try:
                    client.admin.command("ping")
                    error = None
                except PyMongoError as exc:
                    error = exc
                code = proc.poll()
                if code is not None:
                    raise RuntimeError(f"FerretDB exited with code {code}\n{_tail(self.dir / 'ferretdb.log')}")
                if error is None:
                    return
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"FerretDB at {self.uri} did not answer ping within "
                        f"{self.start_timeout:.0f} s: {error}\n"
                        f"{_tail(self.dir / 'ferretdb.log')}"
                    )
                time.sleep(0.1)
        finally:
            client.close()


# ------------------------------------------------------------------- helpers


def _run(cmd: list[str], cwd: Path | None = None) -> str:
    """Run a command; return stdout, or raise with its output on failure."""
    result = subprocess.run(
        cmd,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"`{shlex.join(cmd)}` failed with code {result.returncode}:\n{result.stdout}{result.stderr}".rstrip()
        )
    return result.stdout


def _tail(path: Path, lines: int = 20) -> str:
    """The end of a log file, to put in error messages ("" if there is none)."""
    try:
        text = path.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return ""
    return f"--- last lines of {path} ---\n" + "\n".join(text)


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        # Like Go's listener: old TIME_WAIT connections don't block a rebind.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _pg_stop(pg_dir: Path, pid: int | None = None) -> None:
    """Stop the cluster in pg_dir/data with a fast shutdown. If pg_ctl cannot
    (say the folder was deleted under it), signal the postmaster `pid`."""
    prefix = ["runuser", "-u", PG_USER, "--"] if os.geteuid() == 0 else []
    try:
        _run([*prefix, str(PG_BINDIR / "pg_ctl"), "-D", str(pg_dir / "data"), "-m", "fast", "stop"])
    except RuntimeError as exc:
        if pid is None or not _pid_runs(pid, b"postgres"):
            if "Is server running?" in str(exc) or "does not exist" in str(exc):
                return  # it had stopped already
            raise
        log.warning("%s\nstopping the postmaster (pid %d) by signal", exc, pid)
        os.kill(pid, signal.SIGINT)  # = fast shutdown
        deadline = time.monotonic() + 30
        while pid_running(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if pid_running(pid):
            os.kill(pid, signal.SIGQUIT)  # = immediate shutdown


def _pid_runs(pid: int, name: bytes) -> bool:
    """pid runs and its command line mentions name: a stale pid file must never
    make us signal an unrelated process that got the same pid."""
    try:
        return name in Path(f"/proc/{pid}/cmdline").read_bytes() and pid_running(pid)
    except OSError:
        return False


def _kill_ferretdb_pid(pid: int, timeout: float = 10.0) -> None:
    """SIGTERM a detached FerretDB (SIGKILL after timeout); skip stale pids."""
    if not _pid_runs(pid, b"ferretdb"):
        return  # gone already, or a stale pid file whose pid was reused
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pid_running(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + timeout
        time.sleep(0.05)


# ----------------------------------------------------------------------- CLI


def _cmd_build(args: argparse.Namespace) -> int:
    print(build_ferretdb(force=args.force), flush=True)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    # SIGTERM behaves like Ctrl-C, so `finally` stops both servers. SIGINT is set
    # too: shells start background jobs (`cmd &`) with SIGINT ignored.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    server = MongoServer(port=args.port, directory=args.dir)
    try:
        server.start()
        print(f"MONGO_URI={server.uri}", flush=True)
        while server.ferretdb_pid is not None:
            time.sleep(0.5)
        log.error("FerretDB exited unexpectedly; stopping")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()


def _cmd_start(args: argparse.Namespace) -> int:
    directory = Path(args.dir).resolve()
    pid_file = directory / "ferretdb.pid"
    if pid_file.exists() and pid_running(int(pid_file.read_text())):
        log.error("already running in %s; stop it first", directory)
        return 1
    server = MongoServer(port=args.port, directory=directory).start()
    # No stop(): FerretDB (own session) and the postmaster outlive this process.
    (directory / "uri").write_text(server.uri + "\n")
    pid_file.write_text(f"{server.ferretdb_pid}\n")
    (directory / "postgres.pid").write_text(f"{server.postgres_pid}\n")
    print(f"MONGO_URI={server.uri}", flush=True)
    return 0


def _cmd_stop(args: argparse.Namespace) -> int:
    directory = Path(args.dir).resolve()
    pid_file = directory / "ferretdb.pid"
    try:
        if pid_file.exists():
            _kill_ferretdb_pid(int(pid_file.read_text()))
    finally:
        pg_pid_file = directory / "postgres.pid"
        pg_pid = int(pg_pid_file.read_text()) if pg_pid_file.exists() else None
        if (directory / "pg" / "data").exists() or pg_pid:
            _pg_stop(directory / "pg", pg_pid)
        shutil.rmtree(directory / "pg", ignore_errors=True)
        for name in ("uri", "ferretdb.pid", "postgres.pid"):
            (directory / name).unlink(missing_ok=True)
    log.info("stopped the servers in %s", directory)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m devservers.ferretdb`."""
    parser = argparse.ArgumentParser(
        prog="python -m devservers.ferretdb",
        description="Build and run FerretDB on a private PostgreSQL cluster.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="build FerretDB (or use the cache); print path")
    p.add_argument("--force", action="store_true", help="rebuild even if cached")
    p.set_defaults(func=_cmd_build)
    p = sub.add_parser("run", help="run in the foreground until SIGINT/SIGTERM")
    p.add_argument("--port", type=int, help="FerretDB port (default: a free one)")
    p.add_argument("--dir", help="folder for data and logs (default: a temp dir)")
    p.set_defaults(func=_cmd_run)
    p = sub.add_parser("start", help="start detached; write DIR/uri and pid files")
    p.add_argument("--dir", required=True, help="folder for data, logs and pids")
    p.add_argument("--port", type=int, help="FerretDB port (default: a free one)")
    p.set_defaults(func=_cmd_start)
    p = sub.add_parser("stop", help="stop what `start --dir DIR` started")
    p.add_argument("--dir", required=True)
    p.set_defaults(func=_cmd_stop)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # to stderr
    try:
        return args.func(args)
    except RuntimeError as exc:
        log.error("error: %s", exc)
        return 1


if __name__ == "__main__":
    sys.exit(main())
