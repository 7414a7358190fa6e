"""Usage records, off the reply path: one background thread owns the usage database.

Handlers only queue a record (instantly, in memory); `UsageWriter`'s thread writes them.
A locked, full, read-only, damaged or deleted database therefore never delays a reply.
Each fault episode is logged once, retried with back-off (0.5 s doubling to 30 s), and its
end is logged too. A damaged file is moved aside and a new one started; a file deleted
or replaced while the bot runs is noticed and a new one created; admins are told both.

`/forget` goes through the same thread: records still queued for that user are dropped
at once, then their stored rows deleted; if the database cannot be reached in time the
caller gets `ForgetIncompleteError` (the deletion stays queued and is retried).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Generic, TypeVar

from conversation.recording import ForgetIncompleteError
from records.store import (
    AnswerHow,
    MissDecision,
    Store,
    UserKey,
    database_path,
    is_damage,
    move_aside,
)

log = logging.getLogger(__name__)

# Beyond this many unwritten records (database down for long) the oldest are dropped.
MAX_QUEUED = 10_000
RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 30.0
# How long the writer waits for another program's lock before counting it a fault; short,
# so a queued /forget is tried again soon rather than stuck behind one long wait.
BUSY_TIMEOUT_SECONDS = 1.0
# How often an idle writer checks that its database file is still there.
CHECK_SECONDS = 5.0
FORGET_WAIT_SECONDS = 4.0
READ_WAIT_SECONDS = 1.0
STOP_FLUSH_SECONDS = 3.0

T = TypeVar("T")


class WriterUnavailableError(Exception):
    """A read or write through the writer could not be done now (see the log for why)."""


# -- records: plain data, so that /forget can find a user's queued ones ------------------


@dataclass(frozen=True)
class QuestionRecord:
    text: str
    decision: MissDecision
    user: UserKey
    best_entry: str | None
    best_score: float | None
    at: datetime


@dataclass(frozen=True)
class AnswerRecord:
    entry_id: str
    user: UserKey
    how: AnswerHow
    at: datetime


@dataclass(frozen=True)
class FeedbackRecord:
    entry_id: str
    user: UserKey
    helpful: bool
    at: datetime


@dataclass(frozen=True)
class LanguageChoiceRecord:
    chat: str
    user: UserKey
    language: str
    at: datetime


@dataclass(frozen=True)
class UrgentRecord:
    rule: str
    at: datetime
    user: None = None  # counted, never tied to anyone


UsageRecord = QuestionRecord | AnswerRecord | FeedbackRecord | LanguageChoiceRecord | UrgentRecord


def write_record(store: Store, record: UsageRecord) -> None:
    if isinstance(record, QuestionRecord):
        store.record_question(
            record.text,
            record.decision,
            record.user,
            record.best_entry,
            record.best_score,
            record.at,
        )
    elif isinstance(record, AnswerRecord):
        store.record_answer(record.entry_id, record.user, record.how, record.at)
    elif isinstance(record, LanguageChoiceRecord):
        store.set_language_choice(record.chat, record.user, record.language, record.at)
    elif isinstance(record, UrgentRecord):
        store.record_urgent(record.rule, record.at)
    else:
        store.record_feedback(record.entry_id, record.user, record.helpful, record.at)


class _Capture(Store):
    """Stands in for the Store when a caller queues `lambda store: store.record_...(...)`,
    turning the call into a record stamped now (not when the write finally happens)."""

    def __init__(self) -> None:  # no database: nothing here touches one
        self.records: list[UsageRecord] = []

    def record_question(
        self,
        text: str,
        decision: MissDecision,
        user: UserKey,
        best_entry: str | None = None,
        best_score: float | None = None,
        at: datetime | None = None,
    ) -> None:
        self.records.append(
            QuestionRecord(text, decision, user, best_entry, best_score, at or _now())
        )

    def record_answer(
        self, entry_id: str, user: UserKey, how: AnswerHow, at: datetime | None = None
    ) -> None:
        self.records.append(AnswerRecord(entry_id, user, how, at or _now()))

    def record_feedback(
        self, entry_id: str, user: UserKey, helpful: bool, at: datetime | None = None
    ) -> None:
        self.records.append(FeedbackRecord(entry_id, user, helpful, at or _now()))

    def set_language_choice(
        self, chat: str, user: UserKey, language: str, at: datetime | None = None
    ) -> None:
        self.records.append(LanguageChoiceRecord(chat, user, language, at or _now()))

    def record_urgent(self, rule: str, at: datetime | None = None) -> None:
        self.records.append(UrgentRecord(rule, at or _now()))


def _now() -> datetime:
    return datetime.now(UTC)


# -- the writer --------------------------------------------------------------------------


@dataclass
class _Call(Generic[T]):
    """Work for the writer thread; `retry` keeps it queued through a fault (forget)."""

    fn: Callable[[Store], T]
    retry: bool
    done: threading.Event = field(default_factory=threading.Event)
    result: T | None = None
    error: BaseException | None = None


def describe_fault(exc: BaseException) -> str:
    """A few words for the log line: what kind of fault this is."""
    name = getattr(exc, "sqlite_errorname", "")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return "locked by another program"
    if name.startswith("SQLITE_FULL"):
        return "disk full"
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")):
        return "read-only or not writable"
    if is_damage(exc):
        return "damaged"
    if isinstance(exc, PermissionError):
        return "not writable"
    return f"{type(exc).__name__}: {exc}"


def open_checked(path: Path) -> Store:
    """The writer's Store: a short lock wait, and the whole file checked once."""
    store = Store(path.parent, busy_timeout=BUSY_TIMEOUT_SECONDS)
    try:
        store.check_integrity()
    except BaseException:
        store.close()
        raise
    return store


class UsageWriter:
    def __init__(
        self,
        data_dir: Path,
        notify: Callable[[str], None] = lambda text: None,
        open_store: Callable[[Path], Store] = open_checked,
    ) -> None:
        """`notify` tells the admins (it is called from the writer thread);
        `open_store` lets tests inject faults through real SQLite settings."""
        self.path = database_path(data_dir)
        self._notify = notify
        self._open_store = open_store
        self._records: deque[UsageRecord] = deque()
        self._calls: deque[_Call[object]] = deque()
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._store: Store | None = None
        self._identity: tuple[int, int] | None = None  # (device, inode) of the open file
        self._fault: str | None = None  # the current fault episode, logged once
        self._dropped = 0
        self._retry_at = 0.0
        self._backoff = RETRY_FIRST_SECONDS

    # -- what handlers call (never blocks on the database) -------------------------------

    def add(self, write: Callable[[Store], object]) -> None:
        """Queue `lambda store: store.record_...(...)`; it is captured as data now."""
        capture = _Capture()
        write(capture)
        for record in capture.records:
            self.record(record)

    def record(self, record: UsageRecord) -> None:
        with self._cond:
            self._records.append(record)
            while len(self._records) > MAX_QUEUED:
                self._records.popleft()
                self._dropped += 1
            self._cond.notify()

    def forget(self, user: UserKey, wait: float = FORGET_WAIT_SECONDS) -> int:
        """Drop `user`'s queued records and delete their stored rows; how many went.
        Blocks up to `wait` seconds (call it from a worker thread)."""
        with self._cond:
            kept = deque(r for r in self._records if r.user != user)
            dropped = len(self._records) - len(kept)
            self._records = kept
        call: _Call[object] = _Call(lambda store: store.forget(user), retry=True)
        try:
            deleted = self._submit(call, wait)
        except WriterUnavailableError as exc:
            raise ForgetIncompleteError(str(exc)) from exc
        assert isinstance(deleted, int)
        return dropped + deleted

    def read(self, query: Callable[[Store], T]) -> T:
        """A read for the conversation (stored language choices): short wait, since a
        patient's reply may be waiting on it; raises WriterUnavailableError."""
        return self.call(query, wait=READ_WAIT_SECONDS)

    def call(self, fn: Callable[[Store], T], wait: float = 30.0) -> T:
        """Run `fn(store)` on the writer thread (reports, purge); raises WriterUnavailableError."""
        return self._submit(_Call(fn, retry=False), wait)  # type: ignore[return-value]

    def _submit(self, call: _Call[T], wait: float) -> T | None:
        with self._cond:
            if self._thread is None or self._stopping:
                raise WriterUnavailableError("the usage database writer is not running")
            self._calls.append(call)  # type: ignore[arg-type]
            self._retry_at = 0.0  # try now, even in a back-off
            self._cond.notify()
        if not call.done.wait(wait):
            raise WriterUnavailableError(f"the usage database did not answer within {wait:.0f} s")
        if call.error is not None:
            raise WriterUnavailableError(describe_fault(call.error)) from call.error
        return call.result

    @property
    def queued(self) -> int:
        with self._cond:
            return len(self._records)

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="usage-writer", daemon=True)
        self._thread.start()

    def stop(self, wait: float = STOP_FLUSH_SECONDS) -> None:
        """Write what can be written within `wait` seconds, then close."""
        with self._cond:
            self._stopping = True
            self._retry_at = 0.0
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(wait + BUSY_TIMEOUT_SECONDS + 1)
        left = self.queued
        if left:
            log.warning("usage records: %d could not be written before shutdown", left)

    # -- the writer thread ---------------------------------------------------------------

    def _run(self) -> None:
        stop_deadline: float | None = None
        next_check = 0.0  # open (and so check) the database at once, not at the first record
        while True:
            with self._cond:
                now = time.monotonic()
                if self._stopping and stop_deadline is None:
                    stop_deadline = now + STOP_FLUSH_SECONDS
                pending = bool(self._records or self._calls)
                if self._stopping and (not pending or now >= (stop_deadline or now)):
                    break
                due = self._retry_at if pending else max(next_check, self._retry_at)
                if due > now:
                    timeout = due - now
                    if stop_deadline is not None:
                        timeout = min(timeout, max(stop_deadline - now, 0.0))
                    self._cond.wait(timeout)  # a new record or call wakes it early
                    continue
            next_check = time.monotonic() + CHECK_SECONDS
            self._work()
        self._close()

    def _work(self) -> None:
        try:
            store = self._ready_store()
            self._run_calls(store)
            self._write_records(store)
        except Exception as exc:  # every storage fault is handled the same way
            self._failed(exc)
        else:
            self._recovered()

    def _ready_store(self) -> Store:
        if self._store is not None and not self._still_there():
            message = (
                f"the usage database {self.path} was deleted or replaced while the bot was "
                "running; a new one is created (records since the last write may be lost)"
            )
            log.error(message)
            self._notify(message)
            self._close()
        if self._store is None:
            self._store = self._open()
            stat = self.path.stat()
            self._identity = (stat.st_dev, stat.st_ino)
        return self._store

    def _open(self) -> Store:
        try:
            return self._open_store(self.path)
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise
            self._set_aside(
                exc, "is damaged", "a new, empty one started; patients are served as usual"
            )
            return self._open_store(self.path)

    def _set_aside(self, exc: Exception, what: str, then: str) -> None:
        """Move a damaged database out of the way, and tell the log and the admins."""
        aside = move_aside(self.path)
        message = (
            f"the usage database {self.path} {what} ({exc}); it was moved to "
            f"{aside.name} and {then}"
        )
        log.error(message)
        self._notify(message)

    def _still_there(self) -> bool:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return False
        return (stat.st_dev, stat.st_ino) == self._identity

    def _run_calls(self, store: Store) -> None:
        while True:
            with self._cond:
                if not self._calls:
                    return
                call = self._calls[0]
            try:
                call.result = call.fn(store)
            except Exception as exc:
                if call.retry:
                    raise
                call.error = exc
            with self._cond:
                self._calls.popleft()
            call.done.set()

    def _write_records(self, store: Store) -> None:
        while True:
            with self._cond:
                if not self._records:
                    break
                record = self._records[0]
            write_record(store, record)
            with self._cond:
                # forget() may have replaced the queue meanwhile; drop this record only if
                # it is still the one at the front.
                if self._records and self._records[0] is record:
                    self._records.popleft()

    def _failed(self, exc: Exception) -> None:
        if is_damage(exc) and self._store is not None:
            self._close()  # damaged while running: set aside and start anew next round
            self._set_aside(exc, "became damaged", "a new one started")
            return
        kind = describe_fault(exc)
        with self._cond:
            first = self._fault is None
            self._fault = kind
            queued = len(self._records)
            self._retry_at = time.monotonic() + self._backoff
            self._backoff = min(self._backoff * 2, RETRY_MAX_SECONDS)
            # A /forget waiting behind a fault is told now, not after its whole wait.
            failing = [c for c in self._calls if not c.retry]
            for c in failing:
                self._calls.remove(c)
        for c in failing:
            c.error = exc
            c.done.set()
        if first:
            log.error(
                "usage database unavailable (%s): %d records kept in memory and retried "
                "(up to every %.0f s); replies are not affected",
                kind,
                queued,
                RETRY_MAX_SECONDS,
            )

    def _recovered(self) -> None:
        with self._cond:
            was, self._fault = self._fault, None
            dropped, self._dropped = self._dropped, 0
            self._backoff = RETRY_FIRST_SECONDS
            self._retry_at = 0.0
        if was is not None:
            log.warning("usage database writable again (it was %s)", was)
        if dropped:
            log.warning("usage records: %d oldest were dropped while it was unavailable", dropped)

    def _close(self) -> None:
        if self._store is not None:
            try:
                self._store.close()
            except sqlite3.Error:
                log.debug("closing the usage database failed", exc_info=True)
            self._store = None
            self._identity = None
