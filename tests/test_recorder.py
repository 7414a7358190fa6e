"""The usage writer: handlers only queue; one thread writes, survives faults, and forgets."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.recorder import (
    UsageWriter,
    WriterUnavailableError,
    open_checked,
)
from conversation.recording import ForgetIncompleteError
from records.store import DB_FILENAME, Store, UserKey

USER = UserKey("k" * 32)
OTHER = UserKey("o" * 32)
WAIT = 15.0


def eventually(check: Callable[[], bool], what: str) -> None:
    """Polls `check` until it holds; bounded, so a broken writer fails instead of hanging."""
    deadline = time.monotonic() + WAIT
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def answers(data_dir: Path) -> dict[str, int]:
    with Store(data_dir) as store:
        return store.answers_per_entry(since_days=1)


def questions(data_dir: Path) -> list[str]:
    with Store(data_dir) as store:
        return [m.text for m in store.misses(since_days=1)]


class ReadOnlySwitch:
    """Opens the writer's store with SQLite's own read-only switch (`PRAGMA query_only`),
    so every write fails exactly as it does on a read-only file, until `clear()`."""

    def __init__(self) -> None:
        self.on = False
        self.stores: list[Store] = []

    def open(self, path: Path) -> Store:
        store = open_checked(path)
        self.stores.append(store)
        self._apply(store)
        return store

    def _apply(self, store: Store) -> None:
        with store._lock:  # the test reaches into SQLite on purpose
            store._conn.execute(f"PRAGMA query_only = {int(self.on)}")

    def set(self, on: bool) -> None:
        self.on = on
        for store in self.stores:
            self._apply(store)


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[UsageWriter]:
    writer = UsageWriter(tmp_path)
    writer.start()
    yield writer
    writer.stop()


def test_queued_records_are_written_by_the_background_writer(
    writer: UsageWriter, tmp_path: Path
) -> None:
    """A lambda queued the way the conversation queues it ends up in the database."""
    writer.add(lambda s: s.record_answer("stress", USER, "match"))
    eventually(lambda: answers(tmp_path) == {"stress": 1}, "the record")


def test_a_locked_database_blocks_no_caller_and_is_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Another program's exclusive lock: records wait in memory, one log line, then written."""
    with Store(tmp_path):
        pass  # the schema exists, so the lock below is on a real database
    holder = sqlite3.connect(tmp_path / DB_FILENAME, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    writer = UsageWriter(tmp_path)
    writer.start()
    try:
        for _ in range(20):
            writer.add(lambda s: s.record_answer("types", USER, "button"))
        eventually(lambda: "usage database unavailable" in caplog.text, "the fault log line")
        time.sleep(2.5)  # several retries happen meanwhile
        assert writer.queued == 20
        holder.execute("ROLLBACK")
        eventually(lambda: writer.queued == 0, "the queue to drain")
        assert answers(tmp_path) == {"types": 20}
        eventually(lambda: "writable again" in caplog.text, "the recovery log line")
    finally:
        holder.close()
        writer.stop()
    unavailable = [r for r in caplog.records if "usage database unavailable" in r.getMessage()]
    assert len(unavailable) == 1
    assert "locked by another program" in unavailable[0].getMessage()


def test_forget_during_a_write_fault_drops_queued_records_and_says_it_did_not_finish(
    tmp_path: Path,
) -> None:
    """Read-only database: /forget raises, yet nothing about the user is stored afterwards."""
    fault = ReadOnlySwitch()
    writer = UsageWriter(tmp_path, open_store=fault.open)
    writer.start()
    try:
        writer.add(lambda s: s.record_question("stored before the fault", "none", USER))
        writer.add(lambda s: s.record_answer("stress", OTHER, "match"))
        eventually(lambda: writer.queued == 0, "the first records")
        fault.set(True)
        writer.add(lambda s: s.record_question("queued during the fault", "none", USER))
        writer.add(lambda s: s.record_answer("types", OTHER, "match"))
        with pytest.raises(ForgetIncompleteError):
            writer.forget(USER, wait=2.0)
        fault.set(False)
        eventually(lambda: questions(tmp_path) == [], "the retried deletion")
        eventually(lambda: writer.queued == 0, "the other user's record")
        assert answers(tmp_path) == {"stress": 1, "types": 1}
    finally:
        writer.stop()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob(f"{DB_FILENAME}*"))
    assert b"queued during the fault" not in raw


def test_forget_counts_queued_and_stored_records(writer: UsageWriter, tmp_path: Path) -> None:
    """/forget reports what it removed from the queue and the database together."""
    writer.add(lambda s: s.record_feedback("stress", USER, True))
    eventually(lambda: writer.queued == 0, "the first record")
    writer.add(lambda s: s.record_answer("stress", USER, "button"))
    assert writer.forget(USER) == 2
    assert answers(tmp_path) == {}


def test_a_damaged_file_is_moved_aside_and_admins_are_told(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Garbage bytes in bot.sqlite3: set aside, one error line, a new database works."""
    (tmp_path / DB_FILENAME).write_bytes(b"this is not a database\x00\xff" * 200)
    told: list[str] = []
    writer = UsageWriter(tmp_path, told.append)
    writer.start()
    try:
        writer.add(lambda s: s.record_answer("stress", USER, "match"))
        eventually(lambda: writer.queued == 0, "the record")
    finally:
        writer.stop()
    assert answers(tmp_path) == {"stress": 1}
    assert len(list(tmp_path.glob(f"{DB_FILENAME}.damaged-*"))) == 1
    damaged = [r for r in caplog.records if "damaged" in r.getMessage()]
    assert len(damaged) == 1
    assert damaged[0].levelno == logging.ERROR
    assert len(told) == 1
    assert "moved to" in told[0]


def test_a_database_deleted_while_running_is_noticed_and_recreated(
    writer: UsageWriter, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Deleting bot.sqlite3 under the running writer: logged, and new records land in a new file."""
    writer.add(lambda s: s.record_answer("stress", USER, "match"))
    eventually(lambda: writer.queued == 0, "the first record")
    for part in tmp_path.glob(f"{DB_FILENAME}*"):
        part.unlink()
    writer.add(lambda s: s.record_answer("types", USER, "match"))
    eventually(lambda: (tmp_path / DB_FILENAME).exists() and writer.queued == 0, "a new file")
    assert answers(tmp_path) == {"types": 1}
    assert "deleted or replaced while the bot was running" in caplog.text


def test_reports_through_a_failing_writer_fail_fast_instead_of_hanging(tmp_path: Path) -> None:
    """/stats during a fault gets an error, not a wait for the whole back-off."""
    fault = ReadOnlySwitch()
    writer = UsageWriter(tmp_path, open_store=fault.open)
    writer.start()
    try:
        fault.set(True)
        writer.add(lambda s: s.record_answer("stress", USER, "match"))
        with pytest.raises(WriterUnavailableError):
            writer.call(lambda store: store.purge(90), wait=WAIT)
    finally:
        writer.stop()
