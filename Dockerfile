# The crawler service: deploy/entrypoint.sh runs supercronic on deploy/crontab
# (`scrapy crawl franceinfo` on a schedule) as the non-root user `crawler`; see
# deploy/README.md. A plain Dockerfile: any `docker build` builds it, BuildKit or not.
#   docker build -t franceinfo-crawler .
#   docker run -d --name crawler --stop-timeout 120 -e MONGO_URI=mongodb://mongo:27017/ \
#       -v crawler-data:/data franceinfo-crawler
#   docker stop -t 120 crawler     # a running crawl stops cleanly within seconds; 120 s is the margin

# Build stage: the virtualenv and the scheduler binary. Nothing of it but those two
# reaches the image (no compiler, curl or build-time CA in the image).
FROM debian:bookworm-slim AS build

# Pinned scheduler, verified against the SHA1 sums published with the release.
# SUPERCRONIC_URL and SUPERCRONIC_SHA1SUM fetch another build of it (a mirror, or
# one built from its Go module); both or neither.
ARG SUPERCRONIC_VERSION=v0.2.33
ARG SUPERCRONIC_SHA1_AMD64=71b0d58cc53f6bd72cf2f293e09e294b79c666d8
ARG SUPERCRONIC_SHA1_ARM64=e0f0c06ebc5627e43b25475711e694450489ab00
ARG SUPERCRONIC_URL=
ARG SUPERCRONIC_SHA1SUM=
# PEM certificates to trust while building, for a network whose proxy inspects TLS
# (pip must reach the package index through it); this stage only.
ARG BUILD_CA_CERTS=

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt

RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl python3 python3-venv; \
    rm -rf /var/lib/apt/lists/*; \
    if [ -n "$BUILD_CA_CERTS" ]; then \
        printf '%s\n' "$BUILD_CA_CERTS" > /usr/local/share/ca-certificates/build-extra.crt; \
        update-ca-certificates; \
    fi

RUN set -eux; \
    arch="$(dpkg --print-architecture)"; \
    case "$arch" in \
        amd64) sha1="$SUPERCRONIC_SHA1_AMD64" ;; \
        arm64) sha1="$SUPERCRONIC_SHA1_ARM64" ;; \
        *) sha1="" ;; \
    esac; \
    url="${SUPERCRONIC_URL:-https://github.com/aptible/supercronic/releases/download/${SUPERCRONIC_VERSION}/supercronic-linux-${arch}}"; \
    sha1="${SUPERCRONIC_SHA1SUM:-$sha1}"; \
    [ -n "$sha1" ] || { echo "no supercronic checksum for $arch" >&2; exit 1; }; \
    curl -fsSLo /usr/local/bin/supercronic "$url"; \
    echo "${sha1}  /usr/local/bin/supercronic" | sha1sum -c -; \
    chmod 0755 /usr/local/bin/supercronic

RUN python3 -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install -r /tmp/requirements.lock
COPY pyproject.toml README.md /src/
COPY crawler/ /src/crawler/
COPY pipelines/ /src/pipelines/
RUN /opt/venv/bin/pip install --no-deps /src \
    && /opt/venv/bin/python -c "import crawler.settings, pipelines.store"

# The image: Debian's python3 (the virtualenv's interpreter), Debian's Chromium for
# the few pages that need JavaScript (/usr/bin/chromium), and libatomic1, which
# Playwright's bundled node needs to start.
FROM debian:bookworm-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    APP_DIR=/app \
    DATA_DIR=/data \
    CRAWL_SCHEDULE_FILE=/app/deploy/crontab \
    STORE_SPILL_DIR=/data/spill

RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates chromium libatomic1 python3; \
    rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 --user-group --shell /usr/sbin/nologin crawler \
    && mkdir -p /data/jobdir /data/spill \
    && chown -R crawler:crawler /data

COPY --from=build /opt/venv /opt/venv
COPY --from=build /usr/local/bin/supercronic /usr/local/bin/supercronic

WORKDIR /app
COPY scrapy.cfg ./
COPY deploy/entrypoint.sh deploy/entrypoint.sh
COPY deploy/crontab deploy/crontab
RUN chmod 0755 deploy/entrypoint.sh && supercronic -test /app/deploy/crontab

USER crawler
VOLUME ["/data"]
HEALTHCHECK --interval=1m --timeout=15s --start-period=10m --retries=3 \
    CMD python3 -m crawler.health || exit 1
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["run-scheduler"]
