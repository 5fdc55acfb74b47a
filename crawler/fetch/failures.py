"""Short, stable names for why a request failed, used as stat keys (`failed/<reason>`)."""

from __future__ import annotations

from playwright._impl import _errors as browser_errors
from scrapy import exceptions as scrapy_errors
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

_BY_TYPE: list[tuple[tuple[type[BaseException], ...], str]] = [
    ((browser_errors.TimeoutError,), "render_timeout"),
    ((browser_errors.TargetClosedError,), "render_crashed"),
    ((scrapy_errors.DownloadTimeoutError, net.TimeoutError, net.TCPTimedOutError), "timeout"),
    ((scrapy_errors.CannotResolveHostError, net.DNSLookupError), "dns"),
    ((scrapy_errors.DownloadConnectionRefusedError, net.ConnectionRefusedError), "connection_refused"),
    ((scrapy_errors.ResponseDataLossError, ResponseFailed), "truncated"),
    ((scrapy_errors.DownloadCancelledError,), "too_large"),
    (
        (net.ConnectionLost, net.ConnectionDone, ResponseNeverReceived, scrapy_errors.DownloadFailedError),
        "connection_lost",
    ),
]


def failure_reason(failure: Failure) -> str:
    """`http_404`, `timeout`, `redirect_loop`, `too_large`, … for a failed request."""
    value = failure.value
    if isinstance(value, HttpError):
        return f"http_{value.response.status}"
    for types, reason in _BY_TYPE:
        if isinstance(value, types):
            return reason
    if isinstance(value, scrapy_errors.IgnoreRequest):
        return _ignored_reason(str(value).lower())
    return type(value).__name__.lower()


# Scrapy 2.19's IgnoreRequest messages (and crawler.fetch.middlewares' offsite redirect),
# matched by how they begin: a message that quotes a URL must not match on the URL.
_IGNORED_BY_PREFIX = (
    ("max redirections reached", "redirect_loop"),
    ("forbidden by robots.txt", "robots_txt"),
    ("filtered offsite", "offsite"),
)


def _ignored_reason(message: str) -> str:
    if message.startswith("ignored response") and "exceeded download_maxsize" in message:
        return "too_large"  # HttpCompressionMiddleware: the body inflated past DOWNLOAD_MAXSIZE
    for prefix, reason in _IGNORED_BY_PREFIX:
        if message.startswith(prefix):
            return reason
    return "ignored"
