"""What the conversation needs from storage: queue a write, forget a person, read once.

Kept this narrow so the storage side can change (queues, threads, databases) without the
conversation noticing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from records.store import Store, UserKey

T = TypeVar("T")


class ForgetIncompleteError(Exception):
    """/forget could not reach the database in time; queued records are gone, stored rows
    are not yet (the deletion is retried in the background while the bot runs)."""


class Recorder(Protocol):
    def add(self, write: Callable[[Store], object]) -> None:
        """Queue one write, such as `lambda store: store.record_answer(...)`; never blocks
        on the database."""

    def forget(self, user: UserKey) -> int:
        """Delete everything stored about `user` (queued writes included); how many
        records went. Raises ForgetIncompleteError if the database could not be reached."""

    def read(self, query: Callable[[Store], T]) -> T:
        """Run `query` against the store now and return its result (it blocks: call it
        from a worker thread, as the conversation's calls are)."""
        ...
