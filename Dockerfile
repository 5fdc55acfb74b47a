# The crawler service: supercronic runs deploy/crontab (`scrapy crawl franceinfo` on a
# schedule) as the non-root user `crawler`. See deploy/README.md.
#   docker build -t franceinfo-crawler .
#   docker run -e MONGO_URI=mongodb://mongo:27017/ -v crawler-data:/data franceinfo-crawler
FROM python:3.11-slim-bookworm

# Pinned scheduler, verified against the SHA1 sums published with the release.
ARG SUPERCRONIC_VERSION=v0.2.33
ARG SUPERCRONIC_SHA1_AMD64=71b0d58cc53f6bd72cf2f293e09e294b79c666d8
ARG SUPERCRONIC_SHA1_ARM64=e0f0c06ebc5627e43b25475711e694450489ab00
ARG TARGETARCH

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    APP_DIR=/app \
    DATA_DIR=/data \
    CRAWL_SCHEDULE_FILE=/app/deploy/crontab \
    STORE_SPILL_DIR=/data/spill

# Debian's Chromium renders the few pages that need JavaScript (/usr/bin/chromium).
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates chromium curl; \
    arch="${TARGETARCH:-amd64}"; \
    case "$arch" in \
        amd64) sha1="$SUPERCRONIC_SHA1_AMD64" ;; \
        arm64) sha1="$SUPERCRONIC_SHA1_ARM64" ;; \
        *) echo "no supercronic checksum for $arch" >&2; exit 1 ;; \
    esac; \
    curl -fsSLo /usr/local/bin/supercronic \
        "https://github.com/aptible/supercronic/releases/download/${SUPERCRONIC_VERSION}/supercronic-linux-${arch}"; \
    echo "${sha1}  /usr/local/bin/supercronic" | sha1sum -c -; \
    chmod 0755 /usr/local/bin/supercronic; \
    apt-get purge -y --auto-remove curl; \
    rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 --user-group --shell /usr/sbin/nologin crawler \
    && mkdir -p /data/jobdir /data/spill \
    && chown -R crawler:crawler /data

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY pyproject.toml README.md scrapy.cfg ./
COPY crawler/ crawler/
COPY pipelines/ pipelines/
RUN pip install --no-cache-dir --no-deps . && rm -rf build *.egg-info

COPY --chmod=0755 deploy/entrypoint.sh deploy/entrypoint.sh
COPY deploy/crontab deploy/crontab
RUN supercronic -test /app/deploy/crontab

USER crawler
VOLUME ["/data"]
HEALTHCHECK --interval=1m --timeout=15s --start-period=10m --retries=3 \
    CMD python -m crawler.health || exit 1
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["run-scheduler"]
