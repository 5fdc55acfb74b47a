"""`LOG_FORMAT=json` in the environment: one JSON object per log line, for log shippers."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime


class JsonLogFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def install_json_logs(level: str) -> None:
    """A JSON-lines handler on the root logger, installed before Scrapy logs its
    first line (the caller turns Scrapy's own handler off with `LOG_ENABLED=False`)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLogFormatter())
    handler.setLevel(level)
    logging.getLogger().addHandler(handler)
