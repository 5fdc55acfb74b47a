"""Short, stable names for why a request failed, used as stat keys (`failed/<reason>`)."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

_BY_TYPE: list[tuple[type[BaseException] | tuple[type[BaseException], ...], str]] = [
    ((net.TimeoutError, net.TCPTimedOutError), "timeout"),
    (net.DNSLookupError, "dns"),
    (net.ConnectionRefusedError, "connection_refused"),
    ((net.ConnectionLost, net.ConnectionDone, ResponseNeverReceived), "connection_lost"),
    (ResponseFailed, "truncated"),
]


def failure_reason(failure: Failure) -> str:
    """`http_404`, `timeout`, `redirect_loop`, `too_large`, … for a failed request."""
    value = failure.value
    if isinstance(value, HttpError):
        return f"http_{value.response.status}"
    for types, reason in _BY_TYPE:
        if isinstance(value, types):
            return reason
    message = str(value).lower()
    if isinstance(value, IgnoreRequest):
        if "redirect" in message:
            return "redirect_loop"
        if "robots.txt" in message:
            return "robots_txt"
        if "offsite" in message:
            return "offsite"
        return "ignored"
    if "maxsize" in message or "larger than" in message or "cancelled" in message:
        return "too_large"
    return type(value).__name__.lower()
