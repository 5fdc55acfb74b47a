"""Small MongoDB helpers shared by the store, the crawl command, health and report."""

from __future__ import annotations

import re

_URI_SECRET = re.compile(r"(?<=://)([^:/@]+):([^@/]+)@")


def redact_uri(uri: str) -> str:
    """`mongodb://user:secret@host/` -> `mongodb://user:***@host/`, for logs and stats."""
    return _URI_SECRET.sub(r"\1:***@", uri)


def short_error(error: BaseException) -> str:
    """pymongo's first clause, without the topology dump."""
    return str(error).split(" (configured timeouts")[0].split(", Timeout:")[0]
