"""The store's write-ahead journal on its own: what is appended is on disk until the
store confirms it, a kill mid-line loses only that line, and the next run finds what
earlier runs left (tests/faults/test_store_faults.py kills real crawls)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pipelines.journal import Journal

PUBLISHED = datetime(2026, 12, 3, 9, 30, 15, 123000, tzinfo=timezone(timedelta(hours=1)))


def article(n: int) -> dict:
    return {"url": f"https://www.francetvinfo.fr/a_{n}.html", "date_path": "2026/12/03", "published_at": PUBLISHED}


def test_appended_items_are_on_disk_before_any_seal(tmp_path: Path) -> None:
    journal = Journal(tmp_path, "articles", "run1")
    journal.append(article(1))
    journal.append(article(2))
    [segment] = journal.segments()
    assert [item["url"] for item in Journal.read(segment)] == [article(1)["url"], article(2)["url"]]


def test_dates_come_back_as_the_same_instant_in_utc(tmp_path: Path) -> None:
    journal = Journal(tmp_path, "articles", "run1")
    journal.append(article(1))
    [item] = Journal.read(journal.seal())
    assert item["published_at"] == PUBLISHED
    assert item["published_at"].utcoffset() == timedelta(0)


def test_a_seal_starts_a_new_segment_and_a_stored_one_is_discarded(tmp_path: Path) -> None:
    journal = Journal(tmp_path, "articles", "run1")
    journal.append(article(1))
    first = journal.seal()
    journal.append(article(2))
    second = journal.seal()
    assert first != second and journal.segments() == [first, second]
    Journal.discard(first)
    Journal.discard(None)
    assert journal.segments() == [second]
    assert [item["url"] for item in Journal.read(second)] == [article(2)["url"]]


def test_a_line_cut_by_a_kill_is_skipped_and_the_rest_kept(tmp_path: Path) -> None:
    journal = Journal(tmp_path, "articles", "run1")
    for n in range(3):
        journal.append(article(n))
    segment = journal.seal()
    size = segment.stat().st_size
    os.truncate(segment, size - 20)
    assert [item["url"] for item in Journal.read(segment)] == [article(0)["url"], article(1)["url"]]


def test_closing_removes_an_empty_segment_and_keeps_an_unconfirmed_one(tmp_path: Path) -> None:
    idle = Journal(tmp_path, "articles", "idle")
    idle.append(article(1))
    Journal.discard(idle.seal())
    idle._open()
    assert idle.close() is None and idle.segments() == []
    busy = Journal(tmp_path, "articles", "busy")
    busy.append(article(1))
    left = busy.close()
    assert left is not None and left.exists() and busy.segments() == [left]


def test_the_next_run_finds_what_earlier_runs_left_oldest_first(tmp_path: Path) -> None:
    older = Journal(tmp_path, "articles", "run-b")
    older.append(article(1))
    older_segment = older.close()
    os.utime(older_segment, (1_000_000, 1_000_000))
    newer = Journal(tmp_path, "articles", "run-a")
    newer.append(article(2))
    newer_segment = newer.close()
    Journal(tmp_path, "checks", "run-a").append(article(3))

    following = Journal(tmp_path, "articles", "run-c")
    assert following.leftovers() == [older_segment, newer_segment]
    assert following.segments() == []


def test_a_journal_that_cannot_be_written_says_so_before_the_first_item(tmp_path: Path) -> None:
    blocker = tmp_path / "spill"
    blocker.write_text("a file where the directory should be")
    with pytest.raises(OSError):
        Journal(blocker / "journal", "articles", "run1").check_writable()
    writable = Journal(tmp_path / "ok", "articles", "run1")
    writable.check_writable()
    assert list((tmp_path / "ok").iterdir()) == []


def test_a_journal_never_written_has_no_segments(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "never", "articles", "run1")
    assert journal.leftovers() == [] and journal.segments() == [] and journal.close() is None
