"""What the bot remembers for the clinic's reports: misses, answers given and feedback.

One SQLite file, `bot.sqlite3`, in the data directory. Nothing here ever sees a Telegram id:
callers turn ids into a `UserKey` with `pseudonymise` first, so the file alone cannot say
who asked what. Question text is stored (staff need it to improve the FAQ) but is never
logged, and every row expires after the retention period (`purge`) or on request (`forget`).

The schema is versioned with `PRAGMA user_version`: migration N brings a database from
version N-1 to N. To change the schema, append a function to MIGRATIONS; never edit one
that has shipped, since databases in the field have already run it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Literal, NewType, Self, get_args

log = logging.getLogger(__name__)

DB_FILENAME = "bot.sqlite3"
SECRET_FILENAME = "hash-secret"  # noqa: S105 (a file name, not a secret)
DEFAULT_DATA_DIR = Path("data")

UserKey = NewType("UserKey", str)
MissDecision = Literal["none", "clarify"]
AnswerHow = Literal["match", "button", "deeplink", "topics"]

USER_KEY_LENGTH = 32
# A key this short could be guessed, and with the key every user id can be recovered
# (Telegram ids are small enough to try them all).
MIN_ENV_SECRET_LENGTH = 16
# Staff need the gist of a question, not a pasted life story; keeps the file small too.
MAX_TEXT_LENGTH = 1000
# Another process (the bot, a staff report) may hold the write lock for a moment.
BUSY_TIMEOUT_SECONDS = 5.0

_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # UTC; sorts as text, and SQLite's date() reads it


class StoreError(Exception):
    """The database cannot be used as it is (for example, a newer program wrote it)."""


class DamagedDatabase(sqlite3.DatabaseError):
    """SQLite's integrity check found damage that opening the file did not."""


@dataclass(frozen=True)
class MissRow:
    """A question the bot did not answer outright."""

    text: str
    decision: MissDecision
    at: datetime  # UTC
    best_entry: str | None
    best_score: float | None
    user: UserKey


@dataclass(frozen=True)
class FeedbackCount:
    helpful: int
    not_helpful: int


@dataclass(frozen=True)
class LanguageChoiceRow:
    """A chat's chosen reply language, and who chose it."""

    language: str
    user: UserKey
    at: datetime  # UTC


@dataclass(frozen=True)
class DayCount:
    day: date  # UTC
    unanswered: int  # decision 'none'
    clarified: int  # decision 'clarify'


# -- pseudonymous user keys --------------------------------------------------------------


def pseudonymise(user_id: int, secret: bytes) -> UserKey:
    """A stable key for `user_id` that cannot be turned back into the id without `secret`."""
    if not secret:
        raise ValueError("the hashing secret is empty")
    digest = hmac.new(secret, str(user_id).encode("ascii"), hashlib.sha256).hexdigest()
    return UserKey(digest[:USER_KEY_LENGTH])


def load_or_create_secret(data_dir: Path, from_env: str | None) -> bytes:
    """The key for `pseudonymise`: `from_env` (BOT_HASH_SECRET) if set, else the data dir's.

    The file holds 64 hex characters and the key is that text itself, so copying the file's
    contents into BOT_HASH_SECRET keeps every user key the same.
    """
    if from_env is not None and from_env.strip():
        value = from_env.strip()
        if len(value) < MIN_ENV_SECRET_LENGTH:
            raise ValueError(
                f"BOT_HASH_SECRET is too short ({len(value)} characters; use at least "
                f"{MIN_ENV_SECRET_LENGTH}, e.g. the output of `openssl rand -hex 32`)"
            )
        return value.encode("utf-8")
    path = data_dir / SECRET_FILENAME
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    return _create_secret(path)


def _read_secret(path: Path) -> bytes:
    value = path.read_text(encoding="ascii").strip()
    # Never replace a damaged secret silently: a new one would orphan every stored key,
    # and /forget could no longer find a user's old rows.
    if len(value) < MIN_ENV_SECRET_LENGTH:
        raise StoreError(f"{path} is empty or damaged; restore it from a backup")
    if path.stat().st_mode & 0o077:
        log.warning("%s can be read by other users; run: chmod 600 %s", path, path)
    return value.encode("ascii")


def _create_secret(path: Path) -> bytes:
    value = secrets.token_bytes(32).hex()
    # Written to a private temporary file, then linked into place: the secret appears
    # whole or not at all, and if two processes race, both end up using the winner's.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(value + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return _read_secret(path)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("created a new hashing secret in %s; back it up with the database", path)
    return value.encode("ascii")


# -- schema ------------------------------------------------------------------------------

# Fixed names, the only ones ever put into SQL text (forget, purge, indexes).
TABLES = ("questions", "answers", "feedback")  # as migration 1 made them; never edit
# Every table with rows about a person: /forget and the retention purge cover them all.
PERSONAL_TABLES = (*TABLES, "language_choices")


def _migration_1(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user_key TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('none', 'clarify')),
            text TEXT NOT NULL,
            best_entry TEXT,
            best_score REAL
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user_key TEXT NOT NULL,
            entry_id TEXT NOT NULL,
            how TEXT NOT NULL CHECK (how IN ('match', 'button', 'deeplink', 'topics'))
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user_key TEXT NOT NULL,
            entry_id TEXT NOT NULL,
            helpful INTEGER NOT NULL CHECK (helpful IN (0, 1))
        )
        """
    )
    for table in TABLES:
        # `at` serves the reports and purge; `user_key` serves forget.
        conn.execute(f"CREATE INDEX {table}_at ON {table} (at)")
        conn.execute(f"CREATE INDEX {table}_user ON {table} (user_key)")


def _migration_2(conn: sqlite3.Connection) -> None:
    """The reply language a chat chose (/language or the switch button): one row per chat,
    keyed by the chat's pseudonymous key; `user_key` (who chose) serves /forget."""
    conn.execute(
        """
        CREATE TABLE language_choices (
            chat_key TEXT PRIMARY KEY,
            user_key TEXT NOT NULL,
            language TEXT NOT NULL CHECK (language IN ('en', 'hi')),
            at TEXT NOT NULL
        )
        """
    )
    conn.execute("CREATE INDEX language_choices_at ON language_choices (at)")
    conn.execute("CREATE INDEX language_choices_user ON language_choices (user_key)")


Migration = Callable[[sqlite3.Connection], None]


# In order; the database's user_version is how many of these it has run.
def _migration_3(conn: sqlite3.Connection) -> None:
    """Urgent-care replies sent, for staff's counts per day and per rule: the time and
    the rule's name only, never the message, never who sent it."""
    conn.execute(
        """
        CREATE TABLE urgent_replies (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            rule TEXT NOT NULL
        )
        """
    )
    conn.execute("CREATE INDEX urgent_replies_at ON urgent_replies (at)")


MIGRATIONS: tuple[Migration, ...] = (_migration_1, _migration_2, _migration_3)


def database_path(data_dir: Path) -> Path:
    return data_dir / DB_FILENAME


def is_damage(exc: BaseException) -> bool:
    """Whether an SQLite error means the file itself is damaged (not locked, full, ...)."""
    if isinstance(exc, DamagedDatabase):
        return True
    return getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def move_aside(path: Path, now: datetime | None = None) -> Path:
    """Rename a damaged database (and its -wal/-shm files) out of the way, keeping it for
    whoever wants to rescue rows from it; returns the new name of the main file."""
    stamp = _utc(now).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    for suffix in ("-wal", "-shm", ""):
        part = path.with_name(path.name + suffix)
        if part.exists():
            part.rename(target.with_name(target.name + suffix))
    return target


# -- the store ---------------------------------------------------------------------------


class Store:
    """One connection to the data directory's database, safe to share between threads.

    Every call is short and takes a lock, so an asyncio bot may run them directly or via
    `asyncio.to_thread`.
    """

    def __init__(self, data_dir: Path, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path = database_path(data_dir)
        is_new = not self.path.exists()
        self._lock = threading.Lock()
        # isolation_level=None: transactions are explicit (see _transaction).
        self._conn = sqlite3.connect(
            self.path,
            timeout=busy_timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            if is_new:
                # SQLite gives the -wal and -shm files the database's permissions.
                self.path.chmod(0o600)
            _use_wal(self._conn, busy_timeout)
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except BaseException:
            self._conn.close()
            raise

    # -- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def check_integrity(self) -> None:
        """Read every page once; raises sqlite3.DatabaseError if the file is damaged."""
        with self._lock:
            problems = self._conn.execute("PRAGMA quick_check").fetchall()
        if problems != [("ok",)]:
            raise DamagedDatabase(f"integrity check failed: {problems[0][0]}")

    @property
    def schema_version(self) -> int:
        with self._lock:
            return self._user_version()

    # -- recording -----------------------------------------------------------------------

    def record_question(
        self,
        text: str,
        decision: MissDecision,
        user: UserKey,
        best_entry: str | None = None,
        best_score: float | None = None,
        at: datetime | None = None,
    ) -> None:
        """Remember a question that got the fallback ('none') or a "did you mean" ('clarify')."""
        if decision not in get_args(MissDecision):
            raise ValueError(f"decision must be 'none' or 'clarify', not {decision!r}")
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO questions (at, user_key, decision, text, best_entry, best_score)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (_stamp(at), user, decision, text[:MAX_TEXT_LENGTH], best_entry, best_score),
            )
        log.debug("recorded a %s question (%d characters)", decision, len(text))

    def record_answer(
        self, entry_id: str, user: UserKey, how: AnswerHow, at: datetime | None = None
    ) -> None:
        """Remember that `entry_id` was sent, and how the user got there."""
        if how not in get_args(AnswerHow):
            raise ValueError(f"how must be one of {get_args(AnswerHow)}, not {how!r}")
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO answers (at, user_key, entry_id, how) VALUES (?, ?, ?, ?)",
                (_stamp(at), user, entry_id, how),
            )

    def record_feedback(
        self, entry_id: str, user: UserKey, helpful: bool, at: datetime | None = None
    ) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO feedback (at, user_key, entry_id, helpful) VALUES (?, ?, ?, ?)",
                (_stamp(at), user, entry_id, int(helpful)),
            )

    # -- deleting ------------------------------------------------------------------------

    def forget(self, user: UserKey) -> int:
        """Delete every row about `user`; how many went."""
        with self._transaction() as conn:
            deleted = sum(
                conn.execute(f"DELETE FROM {table} WHERE user_key = ?", (user,)).rowcount  # noqa: S608
                for table in PERSONAL_TABLES
            )
        log.info("forgot a user: %d rows deleted", deleted)
        return deleted

    def purge(self, older_than_days: int, now: datetime | None = None) -> int:
        """Delete every row older than `older_than_days` days; how many went."""
        if older_than_days < 0:
            raise ValueError("older_than_days must not be negative")
        cutoff = _stamp(_utc(now) - timedelta(days=older_than_days))
        with self._transaction() as conn:
            deleted = sum(
                conn.execute(f"DELETE FROM {table} WHERE at < ?", (cutoff,)).rowcount  # noqa: S608
                for table in (*PERSONAL_TABLES, "urgent_replies")
            )
        if deleted:
            log.info("purged %d rows older than %d days", deleted, older_than_days)
        return deleted

    # -- reports -------------------------------------------------------------------------

    def misses(self, since_days: int, now: datetime | None = None) -> list[MissRow]:
        """Questions not answered outright in the last `since_days` days, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT text, decision, at, best_entry, best_score, user_key FROM questions"
                " WHERE at >= ? ORDER BY at, id",
                (_since(since_days, now),),
            ).fetchall()
        return [
            MissRow(text, decision, _parse(at), best_entry, best_score, UserKey(user))
            for text, decision, at, best_entry, best_score, user in rows
        ]

    def answers_per_entry(self, since_days: int, now: datetime | None = None) -> dict[str, int]:
        """Entry id -> how many times it was sent, most sent first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT entry_id, COUNT(*) AS n FROM answers WHERE at >= ?"
                " GROUP BY entry_id ORDER BY n DESC, entry_id",
                (_since(since_days, now),),
            ).fetchall()
        return {str(entry_id): int(n) for entry_id, n in rows}

    def feedback_per_entry(
        self, since_days: int, now: datetime | None = None
    ) -> dict[str, FeedbackCount]:
        """Entry id -> helpful / not helpful votes, counting each user's latest vote once."""
        with self._lock:
            rows = self._conn.execute(
                """
                WITH latest AS (
                    SELECT entry_id, helpful, ROW_NUMBER() OVER (
                        PARTITION BY entry_id, user_key ORDER BY at DESC, id DESC
                    ) AS nth
                    FROM feedback WHERE at >= ?
                )
                SELECT entry_id, SUM(helpful), SUM(1 - helpful) FROM latest
                WHERE nth = 1 GROUP BY entry_id ORDER BY entry_id
                """,
                (_since(since_days, now),),
            ).fetchall()
        return {entry_id: FeedbackCount(yes, no) for entry_id, yes, no in rows}

    def unanswered_per_day(self, since_days: int, now: datetime | None = None) -> list[DayCount]:
        """Per UTC day with any misses, oldest first; days without misses are left out."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT substr(at, 1, 10) AS day, SUM(decision = 'none'),"
                " SUM(decision = 'clarify') FROM questions WHERE at >= ?"
                " GROUP BY day ORDER BY day",
                (_since(since_days, now),),
            ).fetchall()
        return [DayCount(date.fromisoformat(day), none, clarify) for day, none, clarify in rows]

    # -- urgent replies (counts only) -------------------------------------------------------

    def record_urgent(self, rule: str, at: datetime | None = None) -> None:
        """Count one urgent-care reply under the rule that fired (no text, no person)."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO urgent_replies (at, rule) VALUES (?, ?)", (_stamp(at), rule[:200])
            )

    def urgent_per_day(self, since_days: int, now: datetime | None = None) -> dict[date, int]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT substr(at, 1, 10) AS day, COUNT(*) FROM urgent_replies WHERE at >= ?"
                " GROUP BY day ORDER BY day",
                (_since(since_days, now),),
            ).fetchall()
        return {date.fromisoformat(day): count for day, count in rows}

    def urgent_per_rule(self, since_days: int, now: datetime | None = None) -> dict[str, int]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT rule, COUNT(*) FROM urgent_replies WHERE at >= ?"
                " GROUP BY rule ORDER BY COUNT(*) DESC, rule",
                (_since(since_days, now),),
            ).fetchall()
        return dict(rows)

    # -- language choices ----------------------------------------------------------------

    def set_language_choice(
        self, chat: str, user: UserKey, language: str, at: datetime | None = None
    ) -> None:
        """Remember `chat`'s reply language (replacing an earlier choice)."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO language_choices (chat_key, user_key, language, at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (chat_key) DO UPDATE SET"
                " user_key = excluded.user_key, language = excluded.language, at = excluded.at",
                (chat, user, language, _stamp(at)),
            )

    def language_choices(self) -> dict[str, LanguageChoiceRow]:
        """Chat key -> its chosen reply language."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT chat_key, language, user_key, at FROM language_choices"
            ).fetchall()
        return {
            chat: LanguageChoiceRow(language, UserKey(user), _parse(at))
            for chat, language, user, at in rows
        }

    # -- internals -----------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            # IMMEDIATE takes the write lock up front, so a transaction never fails halfway
            # because another process wrote in between.
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                # Also after a failed COMMIT (disk full), or the connection stays stuck
                # inside this transaction.
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    def _user_version(self) -> int:
        version: int = self._conn.execute("PRAGMA user_version").fetchone()[0]
        return version

    def _migrate(self) -> None:
        while True:
            with self._transaction() as conn:
                # Read inside the transaction: another process may have migrated meanwhile.
                version = self._user_version()
                if version > len(MIGRATIONS):
                    raise StoreError(
                        f"{self.path} has schema version {version}, but this program knows "
                        f"only up to {len(MIGRATIONS)}; update the program"
                    )
                if version == len(MIGRATIONS):
                    return
                MIGRATIONS[version](conn)
                # PRAGMA takes no parameters; `version` is an int we computed.
                conn.execute(f"PRAGMA user_version = {version + 1}")
            log.info("database %s migrated to schema version %d", self.path, version + 1)


def _use_wal(conn: sqlite3.Connection, busy_timeout: float) -> None:
    """Switch to WAL, waiting for a connection that is creating the file meanwhile.

    The switch needs the database to itself, and SQLite answers "database is locked" at
    once rather than through the busy timeout; so a second program (a staff report, the
    bot's own writer thread) opening a brand-new database at the same moment retries.
    """
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware (use datetime.now(UTC))")
    return moment.astimezone(UTC)


def _stamp(moment: datetime | None) -> str:
    return _utc(moment).strftime(_TIME_FORMAT)


def _parse(stamp: str) -> datetime:
    return datetime.strptime(stamp, _TIME_FORMAT).replace(tzinfo=UTC)


def _since(days: int, now: datetime | None) -> str:
    if days < 1:
        raise ValueError("since_days must be at least 1")
    return _stamp(_utc(now) - timedelta(days=days))
