"""Usage records written after the reply is sent, off the event loop, never blocking it.

A locked or full database must not cost a patient their answer, and a slow write must not
hold up an urgent reply to someone else: handlers queue records here (instantly) and flush
them in a worker thread once their reply is out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from faq.store import Store, UserKey

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_QUEUED = 10_000  # beyond this (database down for long), the oldest records are dropped


class QueuedRecorder:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._queue: list[Callable[[Store], object]] = []
        self._lock = threading.Lock()

    def add(self, write: Callable[[Store], object]) -> None:
        """Queue one write, such as `lambda store: store.record_answer(...)`."""
        with self._lock:
            self._queue.append(write)
            del self._queue[:-MAX_QUEUED]

    def forget(self, user: UserKey) -> int:
        self.flush()  # so nothing queued about this user survives the deletion
        return self._store.forget(user)

    def read(self, query: Callable[[Store], T]) -> T:
        self.flush()  # so what was just queued is part of the answer
        return query(self._store)

    def flush(self) -> None:
        """Write what is queued; a failure is logged and the records kept for next time."""
        with self._lock:
            pending, self._queue = self._queue, []
        for i, write in enumerate(pending):
            try:
                write(self._store)
            except Exception:  # the database is an aid for staff, never a reason to fail
                log.warning("could not store usage records; will retry", exc_info=True)
                with self._lock:
                    self._queue[:0] = pending[i:]
                    del self._queue[:-MAX_QUEUED]
                return
