#!/usr/bin/env bash
# Install what devservers/ferretdb.py needs on Debian 12, then build FerretDB.
# Idempotent: safe to run again; does nothing slow when all is there.
#   - PostgreSQL 15 (Debian's `postgresql`; also creates the `postgres` user)
#   - Go (preinstalled at /usr/local/go/bin on our machines; not installed here)
#   - the FerretDB binary, built and cached by `python -m devservers.ferretdb build`
#   - supercronic (the image's cron), built with Go into .cache/, for the crontab test
# With --image, also what tests/image needs: Debian's docker.io, docker-compose and debootstrap.
set -euo pipefail

WITH_IMAGE=""
[ "${1:-}" = "--image" ] && WITH_IMAGE=1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages, installed without their recommends (Chromium's would bring
# systemd, samba and perl): PostgreSQL for FerretDB; Chromium for the pages rendered
# through scrapy-playwright (Playwright's own browser download cannot work here);
# Redis for the shared frontier of N workers (crawler/frontier, devservers/redis.py).
packages=(postgresql chromium redis-server)
[ -n "$WITH_IMAGE" ] && packages+=(docker.io docker-compose debootstrap)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -x /usr/lib/postgresql/15/bin/pg_ctl ]; then
    echo "error: /usr/lib/postgresql/15/bin/pg_ctl missing (expected Debian 12's PostgreSQL 15)" >&2
    exit 1
fi

if ! command -v go >/dev/null && [ ! -x /usr/local/go/bin/go ]; then
    echo "error: Go not found on PATH nor at /usr/local/go/bin/go; install Go >= 1.24 to build FerretDB" >&2
    exit 1
fi

if [ ! -x "$PYTHON" ]; then
    PYTHON=python3  # `build` needs only the standard library
fi
cd "$ROOT"
"$PYTHON" -m devservers.ferretdb build

# supercronic, the image's cron, at the Dockerfile's version: tests check
# deploy/crontab with `supercronic -test`, as the container reads it.
SUPERCRONIC_VERSION="$(sed -n 's/^ARG SUPERCRONIC_VERSION=//p' "$ROOT/Dockerfile")"
SUPERCRONIC_DIR="$ROOT/.cache/supercronic-$SUPERCRONIC_VERSION"
if [ ! -x "$SUPERCRONIC_DIR/supercronic" ]; then
    echo "building supercronic $SUPERCRONIC_VERSION" >&2
    GO="$(command -v go || echo /usr/local/go/bin/go)"
    # Static, as the released binary is: it runs in any image.
    CGO_ENABLED=0 GOBIN="$SUPERCRONIC_DIR" "$GO" install "github.com/aptible/supercronic@$SUPERCRONIC_VERSION"
fi
