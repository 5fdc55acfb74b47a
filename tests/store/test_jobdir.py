from __future__ import annotations

from pathlib import Path

from queuelib.queue import LifoDiskQueue

from crawler.store.jobdir import lifo_file_is_sound, repair_request_queues


def write_queue(path: Path, entries: list[bytes]) -> None:
    queue = LifoDiskQueue(path)
    for entry in entries:
        queue.push(entry)
    queue.close()


def test_a_queue_closed_properly_is_sound(tmp_path: Path) -> None:
    write_queue(tmp_path / "0", [b"a" * 10, b"b" * 300])
    assert lifo_file_is_sound(tmp_path / "0")


def test_files_a_kill_leaves_behind_are_not_sound(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert not lifo_file_is_sound(empty)
    write_queue(tmp_path / "0", [b"a" * 10])
    with (tmp_path / "0").open("ab") as queue:  # pushed after the header was written, never closed
        queue.write(b"b" * 300 + (300).to_bytes(4, "big"))
    assert not lifo_file_is_sound(tmp_path / "0")
    write_queue(tmp_path / "1", [b"a" * 10, b"b" * 20])
    (tmp_path / "1").write_bytes((tmp_path / "1").read_bytes()[:-7])  # cut mid-entry
    assert not lifo_file_is_sound(tmp_path / "1")


def test_repair_sets_aside_only_the_broken_files(tmp_path: Path) -> None:
    queues = tmp_path / "requests.queue" / "127.0.0.1"  # one folder per downloader slot
    queues.mkdir(parents=True)
    write_queue(queues / "0", [b"x"])
    (queues / "-1").write_bytes(b"")
    (queues.parent / "active.json").write_text("{}")
    assert repair_request_queues(tmp_path) == [queues / "-1"]
    assert sorted(p.name for p in queues.iterdir()) == ["-1.corrupt", "0"]
    assert repair_request_queues(tmp_path / "absent") == []
