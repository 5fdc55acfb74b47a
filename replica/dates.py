"""Date formats the site writes, all from epoch seconds in Europe/Paris time.

The replica stores instants as integer epoch seconds (cheap to generate for
50,000 articles) and formats them only when a page is rendered.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import formatdate
from zoneinfo import ZoneInfo

from replica.words import DAYS_FR, MONTHS_FR

PARIS = ZoneInfo("Europe/Paris")
_DAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def paris(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, PARIS)


def parse_iso(value: str) -> int:
    """'2026-11-20T10:00:00Z' (or any ISO 8601 with offset) to epoch seconds; naive means UTC."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp())


def iso(ts: int) -> str:
    """'2022-10-14T20:48:48+02:00': meta tags, <time datetime>, sitemaps."""
    return paris(ts).isoformat(timespec="seconds")


def iso_compact(ts: int) -> str:
    """'2022-10-14T20:48:48+0200': the site's JSON-LD writes offsets without a colon."""
    return paris(ts).strftime("%Y-%m-%dT%H:%M:%S%z")


def rfc822(ts: int) -> str:
    """'Fri, 14 Oct 2022 20:48:48 +0200': RSS pubDate in Paris time (locale-independent)."""
    moment = paris(ts)
    return (
        f"{_DAYS_EN[moment.weekday()]}, {moment.day:02d} {_MONTHS_EN[moment.month - 1]} "
        f"{moment.strftime('%Y %H:%M:%S %z')}"
    )


def http_date(ts: int) -> str:
    return formatdate(ts, usegmt=True)


def display(ts: int) -> str:
    """'le 14/10/2022 20:48' as in `span.publication-date__published`."""
    return paris(ts).strftime("le %d/%m/%Y %H:%M")


def clock_time(ts: int) -> str:
    """'10h32' as on live posts."""
    return paris(ts).strftime("%Hh%M")


def day_name(ts: int) -> str:
    """'mercredi 18 novembre' as articles write the day of an event."""
    moment = paris(ts)
    day = "1er" if moment.day == 1 else str(moment.day)
    return f"{DAYS_FR[moment.weekday()]} {day} {MONTHS_FR[moment.month - 1]}"


def day_key(ts: int) -> str:
    """'2026-11-19': the Paris calendar day that names an archive sitemap."""
    return paris(ts).strftime("%Y-%m-%d")


def path_date(ts: int) -> str:
    """'2026/11/19' as in picture URLs."""
    return paris(ts).strftime("%Y/%m/%d")
