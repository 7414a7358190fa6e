"""At-least-once delivery: every update is on disk before Telegram is told it arrived.

Telegram forgets an update once the next `getUpdates` carries a higher offset (polling) or
once the webhook answered 200. Until then it is ours to lose. So an update goes through:

1. `DurableUpdateQueue.put` (the updater calls it for each fetched update, the webhook
   route for each POST) writes it to `inbox.sqlite3` and only then hands it to the
   Application; the updater's next `getUpdates` (which confirms it) cannot start before
   `put` returns, and the webhook answers 200 only after it.
2. `MarkDoneProcessor` (the Application's update processor) marks it done once its
   handler finished, that is once the reply was sent.
3. At the next start, `replay_pending` queues every update not marked done.

`update_id` is the key, so an update that Telegram delivers again (its confirmation was
lost with the process) is recognised and not answered twice. A reply that was being sent
when the process died *is* sent again: Telegram's send has no idempotency key, and for
this bot a duplicate is better than a lost urgent reply.

The inbox is its own file, not a table in the usage database: it is on the reply path,
so a staff member's open `sqlite3` shell or a backup tool locking `bot.sqlite3` must never
stall it; it holds minutes of data, not months; and if it is damaged it can be set aside
without touching the clinic's statistics. Patient text stays in it only until the reply
is sent (the body is erased when the update is marked done).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal, TypeVar

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

from bot.notices import AdminNotices
from records.store import is_damage, move_aside

log = logging.getLogger(__name__)

INBOX_FILENAME = "inbox.sqlite3"
# Bounds. Past MAX_PENDING unanswered updates the bot stops fetching (polling) or answers
# 503 (webhook), so the rest wait at Telegram, which keeps them for 24 hours.
MAX_PENDING = 10_000
# An update still unanswered after this long is not replayed: Telegram would not have
# kept it either, and the patient has long had to look elsewhere.
MAX_AGE_SECONDS = 24 * 3600
# Ids of answered updates are kept this long to recognise a redelivery (bodies are gone).
DONE_KEEP_SECONDS = 24 * 3600
FULL_RETRY_SECONDS = 1.0
PRUNE_EVERY = 500  # inserts between two clean-ups of old done rows

Verdict = Literal["new", "known", "full"]
T = TypeVar("T")


class Inbox:
    """The inbox database. Its blocking calls run on one thread of its own (`run`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._inserts = 0
        self._failing = False  # in a fault episode: logged once, until it clears
        self._lock = threading.Lock()
        self.notices = AdminNotices()

    # -- lifecycle (on the inbox thread) -------------------------------------------------

    def open(self) -> None:
        """Opens the inbox; a damaged file is set aside, any other failure leaves the bot
        answering without durability (logged) rather than not starting at all."""
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            try:
                self._conn = self._connect()
            except sqlite3.DatabaseError as exc:
                if not is_damage(exc):
                    raise
                aside = move_aside(self.path)
                message = (
                    f"the delivery inbox {self.path} was damaged ({exc}); it was moved to "
                    f"{aside.name} and a new one started (unanswered messages in it are lost)"
                )
                log.error(message)
                self.notices.post(message)
                self._conn = self._connect()
        except (sqlite3.Error, OSError) as exc:
            self.failed("open the inbox", exc)

    def _connect(self) -> sqlite3.Connection:
        is_new = not self.path.exists()
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            if is_new:
                self.path.chmod(0o600)
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a stored update survives a power cut, not only a killed process.
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS updates ("
                " update_id INTEGER PRIMARY KEY,"
                " received REAL NOT NULL,"
                " done REAL,"
                " body TEXT)"
            )
            conn.execute("CREATE INDEX IF NOT EXISTS updates_pending ON updates (done)")
            conn.execute("SELECT COUNT(*) FROM updates").fetchone()  # reads every page header
        except BaseException:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def run(self, call: Callable[..., T], *args: Any) -> T:
        if self._executor is None:
            raise sqlite3.OperationalError("the inbox is not started")
        return await asyncio.get_running_loop().run_in_executor(self._executor, call, *args)

    async def start(self) -> None:
        # One thread: the connection is only ever used from it, and writes stay in order.
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="inbox")
        await self.run(self.open)

    async def stop(self) -> None:
        if self._executor is None:
            return
        await self.run(self.close)
        self._executor.shutdown(wait=True)
        self._executor = None

    # -- the three operations (on the inbox thread) --------------------------------------

    def add(self, update_id: int, body: str, now: float | None = None) -> Verdict:
        """Store one update before it is confirmed to Telegram."""
        conn = self._connection()
        now = time.time() if now is None else now
        if conn.execute("SELECT 1 FROM updates WHERE update_id = ?", (update_id,)).fetchone():
            return "known"
        pending = conn.execute("SELECT COUNT(*) FROM updates WHERE done IS NULL").fetchone()[0]
        if pending >= MAX_PENDING:
            return "full"
        conn.execute(
            "INSERT INTO updates (update_id, received, body) VALUES (?, ?, ?)",
            (update_id, now, body),
        )
        self._inserts += 1
        if self._inserts % PRUNE_EVERY == 0:
            self.prune(now)
        return "new"

    def mark_done(self, update_id: int, now: float | None = None) -> None:
        conn = self._connection()
        # No fsync of its own: a done mark lost in a power cut only means one duplicate
        # reply, and the next stored update's fsync makes it durable anyway.
        conn.execute("PRAGMA synchronous=NORMAL")
        try:
            conn.execute(
                "UPDATE updates SET done = ?, body = NULL WHERE update_id = ?",
                (time.time() if now is None else now, update_id),
            )
        finally:
            conn.execute("PRAGMA synchronous=FULL")

    def take_pending(self, now: float | None = None) -> list[str]:
        """Bodies of updates never answered, oldest first; those past MAX_AGE are dropped."""
        conn = self._connection()
        now = time.time() if now is None else now
        expired = conn.execute(
            "UPDATE updates SET done = ?, body = NULL WHERE done IS NULL AND received < ?",
            (now, now - MAX_AGE_SECONDS),
        ).rowcount
        if expired:
            log.warning("inbox: %d unanswered updates older than 24 h were dropped", expired)
        rows = conn.execute(
            "SELECT body FROM updates WHERE done IS NULL ORDER BY update_id"
        ).fetchall()
        return [str(body) for (body,) in rows]

    def prune(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        return int(
            self._connection()
            .execute("DELETE FROM updates WHERE done < ?", (now - DONE_KEEP_SECONDS,))
            .rowcount
        )

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise sqlite3.OperationalError("the inbox is not open")
        return self._conn

    # -- fault episodes ------------------------------------------------------------------

    def failed(self, what: str, exc: Exception) -> None:
        with self._lock:
            first, self._failing = not self._failing, True
        if first:
            log.error(
                "inbox: cannot %s (%s); messages are still answered, but one that arrives "
                "now could be lost if the bot is killed before replying",
                what,
                exc,
            )

    def succeeded(self) -> None:
        with self._lock:
            recovered, self._failing = self._failing, False
        if recovered:
            log.warning("inbox: writable again; delivery is durable again")


class DurableUpdateQueue(asyncio.Queue[object]):
    """The Application's update queue; `put` stores an update before accepting it."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and await self.store(item) == "known":
            log.debug("update %d was delivered again; already handled", item.update_id)
            return
        await super().put(item)

    async def accept(self, update: Update) -> Verdict:
        """For the webhook: store and queue `update` unless full (then the caller says 503)."""
        verdict = await self.store(update, wait_when_full=False)
        if verdict == "new":
            await super().put(update)
        return verdict

    async def store(self, update: Update, wait_when_full: bool = True) -> Verdict:
        """'new' once it is on disk (or the disk is failing); 'known' for a redelivery;
        'full' only with wait_when_full False."""
        body = json.dumps(update.to_dict(), ensure_ascii=False)
        warned = False
        while True:
            try:
                verdict = await self.inbox.run(self.inbox.add, update.update_id, body)
            except sqlite3.Error as exc:
                self.inbox.failed("store an incoming update", exc)
                return "new"  # answering it beats holding it back
            self.inbox.succeeded()
            if verdict != "full" or not wait_when_full:
                return verdict
            if not warned:
                log.warning(
                    "inbox: %d updates unanswered; fetching pauses until some are answered",
                    MAX_PENDING,
                )
                warned = True
            await asyncio.sleep(FULL_RETRY_SECONDS)

    async def replay(self, app: Application[Any, Any, Any, Any, Any, Any]) -> int:
        """Queue what a previous run received but never answered."""
        try:
            bodies = await self.inbox.run(self.inbox.take_pending)
        except sqlite3.Error as exc:
            self.inbox.failed("read unanswered updates", exc)
            return 0
        for body in bodies:
            await super().put(Update.de_json(json.loads(body), app.bot))
        if bodies:
            log.warning("inbox: %d updates from before the restart are answered now", len(bodies))
        return len(bodies)


class MarkDoneProcessor(BaseUpdateProcessor):
    """Runs updates concurrently, as `concurrent_updates(n)` would, and marks each one
    done in the inbox once its handlers have finished (their replies are sent)."""

    def __init__(self, inbox: Inbox, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self.inbox = inbox

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine  # a handler's error is handled inside; cancellation skips the mark
        if isinstance(update, Update):
            try:
                await self.inbox.run(self.inbox.mark_done, update.update_id)
            except sqlite3.Error as exc:
                self.inbox.failed("mark an update answered", exc)
            else:
                self.inbox.succeeded()

    async def initialize(self) -> None:
        await self.inbox.start()

    async def shutdown(self) -> None:
        await self.inbox.stop()


def inbox_of(app: Application[Any, Any, Any, Any, Any, Any]) -> Inbox | None:
    queue = app.update_queue
    return queue.inbox if isinstance(queue, DurableUpdateQueue) else None


async def replay_pending(app: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """For post_init: queue the updates a previous run never answered."""
    queue = app.update_queue
    return await queue.replay(app) if isinstance(queue, DurableUpdateQueue) else 0
