"""Scrapy's downloader, holding each host to its concurrency cap.

Scrapy 2.19 on the asyncio reactor counts a request as transferring only once the
task that downloads it starts, on the loop's next turn; the loop that starts
them runs first, sees every transfer slot free and starts the whole queue: a
host capped at 4 got 12 at once here (tests/fetch/test_downloader.py). A delay
between requests hides it (one request a turn), so every site's politeness would
rest on its delay alone. Here the slot is taken before the task is created.
"""

from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro


class SlotBoundDownloader(Downloader):
    """Scrapy's `_process_queue`, but for the one marked line (Scrapy pinned at 2.19)."""

    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall:
            return
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # `_download` adds it again, and removes it when done
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break
