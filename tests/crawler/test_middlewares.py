from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from crawler.middlewares import retry_delay


def test_backoff_doubles_per_attempt_up_to_the_cap() -> None:
    assert [retry_delay(attempt, None, 1.0, 5.0) for attempt in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]


def test_retry_after_seconds_wins_over_backoff_but_not_over_the_cap() -> None:
    assert retry_delay(1, "3", 1.0, 60.0) == 3.0
    assert retry_delay(1, "3600", 1.0, 60.0) == 60.0


def test_retry_after_http_date() -> None:
    when = datetime.now(UTC) + timedelta(seconds=10)
    assert 8.0 <= retry_delay(1, format_datetime(when, usegmt=True), 1.0, 60.0) <= 10.0


def test_unreadable_retry_after_falls_back_to_backoff() -> None:
    assert retry_delay(2, "soon", 1.0, 60.0) == 2.0
