"""The store's write-ahead journal on its own: what is appended survives a crash and
is read back, what is confirmed is gone, and a record cut by a kill costs only itself."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from pipelines.journal import Journal

WHEN = datetime(2026, 11, 20, 10, 0, 0, 123000, tzinfo=UTC)


def item(number: int, **extra) -> dict:
    return {
        "url": f"https://www.francetvinfo.fr/monde/2026/11/20/article-{number}_{7600000 + number}.html",
        "date_path": "2026/11/20",
        "title": f"Pénurie de carburant n°{number} : « ça coûte cher »",
        "fetched_at": WHEN,
        **extra,
    }


def crashed_run(directory: Path, items: list[dict], run_id: str = "run-1") -> Journal:
    """A run that appended and then died: no seal, no close (the OS closes the file)."""
    journal = Journal(directory, "news", run_id)
    for one in items:
        journal.append(one)
    journal.handle.close()  # what the kernel does for a SIGKILLed process; nothing fsynced or sealed
    return journal


def test_what_is_appended_survives_a_crash_and_is_read_back(tmp_path: Path) -> None:
    written = [item(1), item(2), item(3)]
    crashed_run(tmp_path, written)
    (segment,) = Journal(tmp_path, "news", "run-2").leftovers()
    assert Journal.read(segment) == written


def test_a_confirmed_segment_is_gone_after_a_reopen(tmp_path: Path) -> None:
    journal = Journal(tmp_path, "news", "run-1")
    journal.append(item(1))
    sealed = journal.seal()
    journal.discard(sealed)  # the batch is in the store
    journal.append(item(2))  # not confirmed
    crashed = journal.current
    journal.handle.close()
    (left,) = Journal(tmp_path, "news", "run-2").leftovers()
    assert left == crashed
    assert Journal.read(left) == [item(2)]


def test_a_record_torn_by_a_kill_mid_write_is_skipped_and_nothing_else_is_lost(tmp_path: Path) -> None:
    journal = crashed_run(tmp_path, [item(1), item(2), item(3)])
    data = journal.current.read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    journal.current.write_bytes(data[: last_start + 25])  # the third record cut in its middle
    (segment,) = Journal(tmp_path, "news", "run-2").leftovers()
    assert Journal.read(segment) == [item(1), item(2)]


def test_a_record_torn_inside_a_multibyte_character_is_skipped_too(tmp_path: Path) -> None:
    journal = crashed_run(tmp_path, [item(1), item(2)])
    data = journal.current.read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    cut = data.index("é".encode(), last_start) + 1  # between the two bytes of "é"
    journal.current.write_bytes(data[:cut])
    assert Journal.read(journal.current) == [item(1)]


def test_a_record_without_its_newline_is_still_read(tmp_path: Path) -> None:
    """A kill after the record but before its newline loses nothing."""
    journal = crashed_run(tmp_path, [item(1), item(2)])
    journal.current.write_bytes(journal.current.read_bytes().rstrip(b"\n"))
    assert Journal.read(journal.current) == [item(1), item(2)]


def test_blank_lines_are_ignored(tmp_path: Path) -> None:
    journal = crashed_run(tmp_path, [item(1)])
    with journal.current.open("a", encoding="utf-8") as handle:
        handle.write("\n   \n")
    assert Journal.read(journal.current) == [item(1)]


def test_dates_come_back_as_aware_utc_datetimes_to_the_millisecond(tmp_path: Path) -> None:
    paris = timezone(timedelta(hours=1))
    journal = crashed_run(
        tmp_path,
        [
            item(
                1,
                aware=WHEN,
                paris=datetime(2026, 11, 20, 11, 0, tzinfo=paris),
                naive=datetime(2026, 11, 20, 10, 0),
                micro=datetime(2026, 11, 20, 10, 0, 0, 123456, tzinfo=UTC),
            )
        ],
    )
    (back,) = Journal.read(journal.current)
    assert back["aware"] == WHEN and back["aware"].tzinfo is not None
    assert back["paris"] == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert back["naive"] == datetime(2026, 11, 20, 10, 0, tzinfo=UTC), "a naive date is taken for UTC"
    assert back["micro"] == WHEN, "BSON keeps milliseconds: the journal does the same"


def test_text_is_written_as_utf8_not_escaped(tmp_path: Path) -> None:
    journal = crashed_run(tmp_path, [item(1)])
    assert "« ça coûte cher »" in journal.current.read_text(encoding="utf-8")


def test_a_value_json_cannot_hold_raises_and_writes_nothing(tmp_path: Path) -> None:
    journal = Journal(tmp_path, "news", "run-1")
    journal.append(item(1))
    with pytest.raises(TypeError):
        journal.append(item(2, bad={1, 2}))
    assert journal.count == 1
    journal.close()
    assert Journal.read(journal.segments()[0]) == [item(1)]


def test_seal_closes_the_segment_and_the_next_item_opens_a_new_one(tmp_path: Path) -> None:
    journal = Journal(tmp_path, "news", "run-1")
    assert journal.seal() is None, "nothing open, nothing sealed"
    journal.append(item(1))
    first = journal.seal()
    assert journal.handle is None and journal.current is None
    journal.append(item(2))
    second = journal.current
    assert second != first
    assert journal.segments() == [first, second]
    assert Journal.read(first) == [item(1)]
    journal.close()
    assert Journal.read(second) == [item(2)]


def test_close_keeps_what_is_unconfirmed_and_leaves_nothing_when_all_was_confirmed(tmp_path: Path) -> None:
    journal = Journal(tmp_path, "news", "run-1")
    assert journal.close() is None
    assert list(tmp_path.iterdir()) == []
    journal.append(item(1))
    kept = journal.close()
    assert kept is not None and Journal.read(kept) == [item(1)]
    journal.discard(kept)
    assert journal.close() is None
    assert list(tmp_path.iterdir()) == []


def test_discard_of_nothing_or_of_a_missing_segment_is_harmless(tmp_path: Path) -> None:
    Journal.discard(None)
    Journal.discard(tmp_path / "news-run-1-00001.jsonl")


def test_segments_are_this_runs_in_order_and_leftovers_every_runs_oldest_first(tmp_path: Path) -> None:
    old = crashed_run(tmp_path, [item(1)], run_id="run-b").current
    new = crashed_run(tmp_path, [item(2)], run_id="run-a").current
    os.utime(old, (1_000_000, 1_000_000))
    os.utime(new, (2_000_000, 2_000_000))
    other_spider = Journal(tmp_path, "other", "run-c")
    other_spider.append(item(3))
    other_spider.close()
    journal = Journal(tmp_path, "news", "run-z")
    assert journal.leftovers() == [old, new], "oldest first, by age not by name; another spider's not included"
    assert journal.segments() == []
    for _ in range(3):
        journal.append(item(4))
        journal.seal()
    assert [path.name for path in journal.segments()] == [f"news-run-z-0000{n}.jsonl" for n in (1, 2, 3)]


def test_a_directory_that_does_not_exist_has_no_leftovers_or_segments(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "missing", "news", "run-1")
    assert journal.leftovers() == [] and journal.segments() == []


def test_check_writable_creates_the_directory_and_leaves_no_probe(tmp_path: Path) -> None:
    directory = tmp_path / "spill" / "deep"
    Journal(directory, "news", "run-1").check_writable()
    assert directory.is_dir() and list(directory.iterdir()) == []


def test_check_writable_raises_when_the_directory_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "spill"
    blocker.write_text("a file where the directory should be")
    with pytest.raises(OSError):
        Journal(blocker, "news", "run-1").check_writable()


def test_a_live_runs_segments_are_not_another_workers_leftovers(tmp_path: Path) -> None:
    """Workers sharing a spill folder: only a dead run's segments are replayed."""
    live = Journal(tmp_path, "news", "run-live")
    live.hold()
    live.append(item(1))
    dead = crashed_run(tmp_path, [item(2)], run_id="run-dead").current
    assert Journal(tmp_path, "news", "run-other").leftovers() == [dead]
    kept = live.close()
    assert Journal(tmp_path, "news", "run-other").leftovers() == sorted([dead, kept], key=lambda p: p.stat().st_mtime)
    assert not list(tmp_path.glob(".*.lock")), "a closed run leaves no lock behind"
