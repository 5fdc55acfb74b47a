"""Scrapy settings: right for the real site by default.

Environment variables override the few values that differ per deployment
(`MONGO_URI`, `MONGO_DATABASE`, `REDIS_URL`, `CRAWLER_CONTACT_URL`, `LOG_LEVEL`). Tests, the demo
and benchmarks override politeness with `-s` for the local replica only.
"""

import os

from scrapy.settings.default_settings import RETRY_EXCEPTIONS as SCRAPY_RETRY_EXCEPTIONS

BOT_NAME = "franceinfo-crawler"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

CRAWLER_CONTACT_URL = os.environ.get(
    "CRAWLER_CONTACT_URL", "https://github.com/franceinfo-crawler/franceinfo-crawler#contact"
)
USER_AGENT = f"franceinfo-crawler/0.1 (+{CRAWLER_CONTACT_URL})"
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5",
}

# Politeness for the real site.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
# Scrapy's downloader, but holding a host to CONCURRENT_REQUESTS_PER_DOMAIN when
# its delay is 0 (Scrapy 2.19's starts every queued request at once then).
DOWNLOADER = "crawler.fetch.downloader.SlotBoundDownloader"

# Bounded work per page and per run. An article page yields one item: Scrapy's
# parallel item workers per response (default 100) would only cost asyncio tasks.
CONCURRENT_ITEMS = 1

# Page objects run in this many worker processes (0: on the reactor thread), so
# reading a page never stalls downloads and the crawl uses a second core.
EXTRACT_PROCESSES = 1
EXTRACT_TIMEOUT = 30.0  # seconds a worker may take to answer before it is killed

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
CLOSESPIDER_TIMEOUT = 45 * 60
SECTION_MAX_PAGES = 5
# A run for the latest on a site whose robots.txt names no news sitemap reads the
# sitemaps it names, for articles of these last days only.
SITEMAP_LATEST_DAYS = 2.0

# Retries with exponential backoff that honours Retry-After.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.fetch.middlewares.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.fetch.middlewares.MetaRefreshMiddleware": 580,
    # Scrapy's 3xx redirects, but never taking an article page off the site.
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.fetch.middlewares.RedirectMiddleware": 600,
    "crawler.frontier.middlewares.SharedBudgetMiddleware": 650,
}

ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 100,
    "crawler.observe.monitors.ArticleSchemaPipeline": 150,
    "pipelines.validate.ValidatePipeline": 200,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.store.StorePipeline": 400,
}
VALIDATE_FUTURE_SKEW_SECONDS = 15 * 60

MONGO_URI = os.environ.get("MONGO_URI", "mongodb://localhost:27017")
MONGO_DATABASE = os.environ.get("MONGO_DATABASE", "news")

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
# No console into a production crawl: neither Telnet nor Scrapy 2.19's remote
# control (an HTTP server running the Python it is sent, with a job file per run).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# In this order at the end of a run: fill rates counted, monitors judge, stats written.
EXTENSIONS = {
    "crawler.observe.extraction_health.ExtractionHealth": 100,
    "crawler.observe.monitors.CrawlSpidermon": 200,
    "crawler.observe.extensions.StatsFile": 500,
    "crawler.observe.extensions.RunSummary": 510,
}
STATS_FILE = os.environ.get("STATS_FILE", "")
FEED_EXPORTERS = {
    "jsonlines": "crawler.store.exporters.ArticleJsonLinesExporter",
    "jsonl": "crawler.store.exporters.ArticleJsonLinesExporter",
}

# The store (pipelines/store.py) and the run lock (crawler/store/runlock.py).
STORE_ENABLED = os.environ.get("STORE_ENABLED", "1") not in ("0", "false", "False")
STORE_BATCH_SIZE = 200
STORE_FLUSH_SECONDS = 5.0
STORE_MAX_UPDATES_PER_COMMAND = 32
STORE_OUTAGE_LIMIT_SECONDS = 120.0
STORE_SERVER_TIMEOUT_MS = 5000
STORE_SPILL_DIR = os.environ.get("STORE_SPILL_DIR", "spill")
RUN_LOCK_ENABLED = True
RUN_LOCK_STALE_SECONDS = 180  # a holder no process here can check is dead after this long without a heartbeat
JOBDIR_CLEAR_ON_FINISH = True  # a finished run's JOBDIR goes, so the next run starts afresh

# Incremental re-crawls (crawler/fetch/incremental.py).
INCREMENTAL_ENABLED = True
INCREMENTAL_REFETCH_SECONDS = 3600
SPIDER_MIDDLEWARES = {
    "crawler.frontier.middlewares.LeaseAckMiddleware": 10,
    "crawler.fetch.incremental.IncrementalMiddleware": 950,
}

# Scale-out (crawler/frontier): with `REDIS_URL`, N workers running the same command
# share one frontier in Redis; without it, Scrapy's own scheduler (and the run lock).
REDIS_URL = os.environ.get("REDIS_URL", "")
SCHEDULER = "crawler.frontier.scheduler.FrontierScheduler"
FRONTIER_NAME = os.environ.get("FRONTIER_NAME", "")  # default: the site and a digest of the spider's arguments
FRONTIER_LEASE_SECONDS = 30.0  # a worker silent this long is dead: its requests go back to the queue
FRONTIER_SEEN_TTL_SECONDS = 2 * 24 * 3600  # a run's duplicate filter expires this long after its last use
FRONTIER_OUTAGE_LIMIT_SECONDS = 120.0  # a worker with nothing left to send stops waiting for Redis after this
FRONTIER_HOST_RATE = 4.0  # requests a second to one host, all workers together (0: no shared budget)

# Rendering in Chromium (crawler/fetch/render.py decides which pages; scrapy-playwright renders).
DOWNLOAD_HANDLERS = {
    "http": "crawler.fetch.render.LazyPlaywrightDownloadHandler",
    "https": "crawler.fetch.render.LazyPlaywrightDownloadHandler",
}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
    "headless": True,
    "args": [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ],
}
PLAYWRIGHT_MAX_CONTEXTS = 1
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 20_000
PLAYWRIGHT_ABORT_REQUEST = "crawler.fetch.render.abort_request"
RENDER_ENABLED = True
# Which pages need the browser, and what a rendered page waits for, is each site's
# (`crawler.sites`); these add patterns to, and replace the selector of, any site.
RENDER_ALWAYS: list[str] = []
RENDER_WAIT_SELECTOR: str | None = None
RENDER_WAIT_TIMEOUT_MS = 15_000
RENDER_RETRY_TIMES = 1
RETRY_EXCEPTIONS = [
    *SCRAPY_RETRY_EXCEPTIONS,
    "playwright._impl._errors.TimeoutError",
    "playwright._impl._errors.TargetClosedError",
]

# When a run exits non-zero (crawler/observe/exitcodes.py): article pages failing above this share.
ALERT_ERROR_RATE = 0.5
ALERT_MIN_PAGES = 20

# Monitoring (crawler/observe/monitors.py): Spidermon's validation, coverage and finish-reason
# monitors, and ours for extraction health (crawler/observe/extraction_health.py, exit 8).
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["crawler.observe.monitors.CrawlMonitors"]
SPIDERMON_VALIDATION_SCHEMAS = ["crawler.article.ITEM_SCHEMA"]
SPIDERMON_MAX_ITEM_VALIDATION_ERRORS = 0
SPIDERMON_ADD_FIELD_COVERAGE = True
SPIDERMON_FIELD_COVERAGE_SKIP_NONE = True
SPIDERMON_FIELD_COVERAGE_SKIP_FALSY = True
SPIDERMON_FIELD_COVERAGE_SKIP_IF_NO_ITEM = True
SPIDERMON_FIELD_COVERAGE_RULES = {"dict/url": 1.0, "dict/title": 1.0, "dict/published_at": 1.0, "dict/text": 0.8}
SPIDERMON_EXPECTED_FINISH_REASONS = ["finished"]
# Notifications, off until configured here or in the environment.
SPIDERMON_REPORT_TEMPLATE = "reports/email/monitors/result.jinja"
SPIDERMON_REPORT_FILENAME = os.environ.get("SPIDERMON_REPORT_FILENAME", "")
SPIDERMON_SLACK_SENDER_TOKEN = os.environ.get("SPIDERMON_SLACK_SENDER_TOKEN", "")
SPIDERMON_SLACK_RECIPIENTS = os.environ.get("SPIDERMON_SLACK_RECIPIENTS", "")
SPIDERMON_SMTP_HOST = os.environ.get("SPIDERMON_SMTP_HOST", "")
SPIDERMON_SMTP_USER = os.environ.get("SPIDERMON_SMTP_USER", "")
SPIDERMON_SMTP_PASSWORD = os.environ.get("SPIDERMON_SMTP_PASSWORD", "")
SPIDERMON_EMAIL_SENDER = os.environ.get("SPIDERMON_EMAIL_SENDER", "")
SPIDERMON_EMAIL_TO = os.environ.get("SPIDERMON_EMAIL_TO", "")
SPIDERMON_SENTRY_DSN = os.environ.get("SPIDERMON_SENTRY_DSN", "")
SPIDERMON_SMTP_PORT = int(os.environ.get("SPIDERMON_SMTP_PORT", "25"))
SPIDERMON_SLACK_SENDER_NAME = os.environ.get("SPIDERMON_SLACK_SENDER_NAME", BOT_NAME)
SPIDERMON_SENTRY_PROJECT_NAME = os.environ.get("SPIDERMON_SENTRY_PROJECT_NAME", BOT_NAME)

HEALTH_ENABLED = True
HEALTH_BASELINE_RUNS = 5  # finished runs without alerts the fill rates are compared with
HEALTH_MIN_PAGES = 20  # pages a layout needs, in this run and in the baseline, to be judged
HEALTH_MAX_FILL_DROP = 0.3  # a fill rate this far below its baseline is an alert (0.98 -> 0.68)
HEALTH_USUALLY_FILLED = 0.9  # an item missing a field its layout fills this often is quarantined
HEALTH_FALLBACK_LAYOUTS = ["GenericArticlePage"]
QUARANTINE_REASONS = [
    "no_title",
    "empty_body",
    "unparsable_html",
    "client_rendered",
    "page_object_error",
    "extraction_crashed",
    "extraction_timeout",
]
QUARANTINE_MAX_PAGES = 50  # per run
QUARANTINE_MAX_BYTES = 20 * 1024 * 1024  # per run
QUARANTINE_KEEP_DAYS = 14
