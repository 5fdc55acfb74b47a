"""A crontab checker: five fields with valid values and ranges, and a command.

Strict enough for supercronic and Vixie cron alike. Supercronic also reads six- and
seven-field schedules (seconds, years), so a command whose first word looks like a
schedule field would be misread there; that is refused too.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTHS = {name: i + 1 for i, name in enumerate(MONTH_NAMES)}
DAYS = {name: i for i, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
FIELDS = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, MONTHS),
    ("day of week", 0, 7, DAYS),
)
ENV_LINE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*=")
FIELD_LIKE = re.compile(r"^[0-9*?][0-9*?,/-]*$")


class CronError(ValueError):
    pass


@dataclass(frozen=True)
class CronJob:
    line: int
    fields: tuple[str, ...]
    values: tuple[frozenset[int], ...]
    command: str

    @property
    def words(self) -> list[str]:
        return shlex.split(self.command)


def parse_crontab(text: str) -> list[CronJob]:
    """The jobs of a crontab; raises CronError naming the first bad line."""
    jobs = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#") or ENV_LINE.match(line):
            continue
        parts = line.split(None, 5)
        if len(parts) < 6:
            raise CronError(f"line {number}: expected 5 schedule fields and a command: {line!r}")
        *fields, command = parts
        try:
            values = tuple(
                expand(part, low, high, names) for part, (_, low, high, names) in zip(fields, FIELDS, strict=True)
            )
        except CronError as error:
            raise CronError(f"line {number}: {error}") from None
        if FIELD_LIKE.match(command.split()[0]):
            raise CronError(f"line {number}: the command starts like a schedule field: {command.split()[0]!r}")
        jobs.append(CronJob(number, tuple(fields), values, command))
    return jobs


def expand(field: str, low: int, high: int, names: dict[str, int]) -> frozenset[int]:
    """`*/5`, `1-5`, `0,30`, `mon-fri`, `5-55/5` -> the set of values."""
    values: set[int] = set()
    for item in field.split(","):
        if not item:
            raise CronError(f"empty item in {field!r}")
        base, _, step_text = item.partition("/")
        step = _number(step_text, names={}) if step_text else 1
        if step < 1:
            raise CronError(f"step must be at least 1 in {item!r}")
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _number(first, names), _number(last, names)
        else:
            start = _number(base, names)
            end = high if step_text else start
        if not (low <= start <= high and low <= end <= high):
            raise CronError(f"{item!r} is out of {low}-{high}")
        if start > end:
            raise CronError(f"{item!r} is a backwards range")
        values.update(range(start, end + 1, step))
    if names is DAYS:
        return frozenset(value % 7 for value in values)
    return frozenset(values)


def _number(text: str, names: dict[str, int]) -> int:
    if text.lower() in names:
        return names[text.lower()]
    if not text.isdigit():
        raise CronError(f"{text!r} is not a number")
    return int(text)
