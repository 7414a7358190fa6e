"""records.store: schema and migrations, pseudonymous keys, forgetting, retention, reports."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from records import store
from records.store import (
    DayCount,
    FeedbackCount,
    Store,
    StoreError,
    UserKey,
    load_or_create_secret,
    move_aside,
    pseudonymise,
)

SECRET = b"a test secret that is long enough"
NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
ALICE = pseudonymise(111111111, SECRET)
BOB = pseudonymise(222222222, SECRET)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path) as opened:
        yield opened


def raw(path: Path, sql: str) -> list[tuple[Any, ...]]:
    """Query the database file directly, as someone with a copy of it would."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def row_counts(path: Path) -> dict[str, int]:
    return {t: int(raw(path, f"SELECT COUNT(*) FROM {t}")[0][0]) for t in store.TABLES}


def record_everything(db: Store, user: UserKey, at: datetime | None = None) -> None:
    db.record_question("can I drive?", "none", user, "daily-life", 0.31, at=at)
    db.record_answer("what-is-dystonia", user, "match", at=at)
    db.record_feedback("what-is-dystonia", user, True, at=at)


# -- schema ------------------------------------------------------------------------------


def test_first_use_creates_the_database_with_the_current_schema_version(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with Store(data_dir) as db:
        assert db.schema_version == len(store.MIGRATIONS)
    path = data_dir / "bot.sqlite3"
    assert path.is_file()
    assert raw(path, "PRAGMA user_version") == [(len(store.MIGRATIONS),)]
    assert raw(path, "PRAGMA journal_mode") == [("wal",)]
    tables = {name for (name,) in raw(path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert set(store.TABLES) <= tables


def test_many_programs_opening_a_new_database_at_once_all_succeed(tmp_path: Path) -> None:
    """The bot's writer thread and a staff report may both create the file: switching it
    to WAL answers "locked" at once, so the loser waits instead of failing."""
    errors: list[BaseException] = []

    def open_once(data_dir: Path) -> None:
        try:
            Store(data_dir).close()
        except Exception as exc:  # a thread's exception is otherwise only printed
            errors.append(exc)

    for attempt in range(20):
        data_dir = tmp_path / str(attempt)
        threads = [threading.Thread(target=open_once, args=(data_dir,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []


def test_database_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    Store(tmp_path).close()
    assert stat.S_IMODE((tmp_path / "bot.sqlite3").stat().st_mode) == 0o600


def test_migrations_run_once_and_a_new_one_upgrades_an_existing_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[int] = []
    shipped_first = store.MIGRATIONS[0]

    def first(conn: sqlite3.Connection) -> None:
        runs.append(1)
        shipped_first(conn)

    def second(conn: sqlite3.Connection) -> None:
        runs.append(2)
        conn.execute("ALTER TABLE answers ADD COLUMN language TEXT")

    monkeypatch.setattr(store, "MIGRATIONS", (first,))
    Store(tmp_path).close()
    Store(tmp_path).close()
    assert runs == [1]

    monkeypatch.setattr(store, "MIGRATIONS", (first, second))
    with Store(tmp_path) as db:
        assert db.schema_version == 2
    Store(tmp_path).close()
    assert runs == [1, 2]
    columns = [row[1] for row in raw(tmp_path / "bot.sqlite3", "PRAGMA table_info(answers)")]
    assert "language" in columns


def test_a_failing_migration_leaves_the_database_at_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store(tmp_path).close()

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("migration bug")

    shipped = len(store.MIGRATIONS)
    monkeypatch.setattr(store, "MIGRATIONS", (*store.MIGRATIONS, broken))
    with pytest.raises(RuntimeError, match="migration bug"):
        Store(tmp_path)
    path = tmp_path / "bot.sqlite3"
    assert raw(path, "PRAGMA user_version") == [(shipped,)]
    assert raw(path, "SELECT name FROM sqlite_master WHERE name = 'half_done'") == []


def test_a_database_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    Store(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "bot.sqlite3")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match="schema version 99"):
        Store(tmp_path)


# -- pseudonymous keys -------------------------------------------------------------------


def test_no_raw_user_id_reaches_the_database_or_its_wal(tmp_path: Path) -> None:
    user_id = 987654321
    key = pseudonymise(user_id, SECRET)
    files = [tmp_path / "bot.sqlite3", tmp_path / "bot.sqlite3-wal"]
    db = Store(tmp_path)
    record_everything(db, key)
    db.forget(pseudonymise(1, SECRET))  # touches every table without matching
    written = b"".join(p.read_bytes() for p in files if p.exists())
    assert key.encode() in written  # the rows really are in these files ...
    assert str(user_id).encode() not in written  # ... but the id is not
    db.close()
    after_checkpoint = b"".join(p.read_bytes() for p in files if p.exists())
    assert str(user_id).encode() not in after_checkpoint


def test_the_same_user_always_gets_the_same_key() -> None:
    assert pseudonymise(987654321, SECRET) == pseudonymise(987654321, SECRET)


def test_different_users_get_different_keys() -> None:
    assert pseudonymise(987654321, SECRET) != pseudonymise(987654322, SECRET)


def test_a_different_secret_gives_a_different_key() -> None:
    assert pseudonymise(987654321, SECRET) != pseudonymise(987654321, SECRET + b"!")


def test_a_key_is_32_hex_characters() -> None:
    key = pseudonymise(987654321, SECRET)
    assert len(key) == 32
    assert int(key, 16) >= 0


def test_an_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        pseudonymise(1, b"")


def test_secret_file_is_created_private_on_first_run_and_reused(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = load_or_create_secret(data_dir, None)
    path = data_dir / "hash-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) == 64  # 32 random bytes, as hex
    assert load_or_create_secret(data_dir, None) == first
    assert load_or_create_secret(data_dir, "") == first  # a blank variable is unset
    assert [p.name for p in data_dir.iterdir()] == ["hash-secret"]  # no temporary left


def test_two_data_dirs_get_different_secrets(tmp_path: Path) -> None:
    assert load_or_create_secret(tmp_path / "a", None) != load_or_create_secret(
        tmp_path / "b", None
    )


def test_secret_from_the_environment_wins_and_writes_no_file(tmp_path: Path) -> None:
    secret = load_or_create_secret(tmp_path, "  0123456789abcdef0123456789abcdef\n")
    assert secret == b"0123456789abcdef0123456789abcdef"
    assert not (tmp_path / "hash-secret").exists()


def test_copying_the_secret_file_into_the_environment_keeps_the_keys(tmp_path: Path) -> None:
    from_file = load_or_create_secret(tmp_path, None)
    text = (tmp_path / "hash-secret").read_text()
    from_env = load_or_create_secret(tmp_path / "elsewhere", text)
    assert pseudonymise(42, from_file) == pseudonymise(42, from_env)


def test_a_short_secret_in_the_environment_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="BOT_HASH_SECRET is too short"):
        load_or_create_secret(tmp_path, "hunter2")


def test_a_damaged_secret_file_is_reported_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "hash-secret"
    path.write_text("")
    with pytest.raises(StoreError, match="damaged"):
        load_or_create_secret(tmp_path, None)
    assert path.read_text() == ""


# -- forget and purge --------------------------------------------------------------------


def test_forget_removes_every_row_of_that_user_and_only_that_user(db: Store) -> None:
    record_everything(db, ALICE)
    record_everything(db, ALICE)
    record_everything(db, BOB)
    assert db.forget(ALICE) == 6
    assert row_counts(db.path) == {"questions": 1, "answers": 1, "feedback": 1}
    assert {r.user for r in db.misses(30)} == {BOB}
    assert db.forget(ALICE) == 0


def test_purge_removes_only_rows_older_than_the_limit(db: Store) -> None:
    record_everything(db, ALICE, at=NOW - timedelta(days=91))
    record_everything(db, BOB, at=NOW - timedelta(days=90, seconds=-1))
    record_everything(db, BOB, at=NOW - timedelta(days=1))
    assert db.purge(90, now=NOW) == 3
    assert row_counts(db.path) == {"questions": 2, "answers": 2, "feedback": 2}
    assert db.forget(ALICE) == 0  # nothing of the old rows is left
    assert db.purge(90, now=NOW) == 0


def test_purge_refuses_a_negative_limit(db: Store) -> None:
    with pytest.raises(ValueError, match="negative"):
        db.purge(-1)


# -- recording and reports ---------------------------------------------------------------


def test_misses_come_back_oldest_first_within_the_period(db: Store) -> None:
    db.record_question("too old", "none", ALICE, at=NOW - timedelta(days=31))
    db.record_question("later", "clarify", BOB, "symptoms", 0.5, at=NOW - timedelta(hours=1))
    db.record_question("earlier", "none", ALICE, None, None, at=NOW - timedelta(days=2))
    rows = db.misses(30, now=NOW)
    assert [r.text for r in rows] == ["earlier", "later"]
    later = rows[1]
    assert (later.decision, later.best_entry, later.best_score, later.user) == (
        "clarify",
        "symptoms",
        0.5,
        BOB,
    )
    assert later.at == NOW - timedelta(hours=1)
    assert later.at.tzinfo is not None


def test_times_in_other_zones_are_stored_as_utc(db: Store) -> None:
    india = timezone(timedelta(hours=5, minutes=30))
    db.record_question("hello", "none", ALICE, at=datetime(2025, 6, 30, 17, 30, tzinfo=india))
    assert raw(db.path, "SELECT at FROM questions") == [("2025-06-30 12:00:00",)]
    assert db.misses(1, now=NOW)[0].at == NOW


def test_naive_times_are_refused(db: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        db.record_answer("types", ALICE, "match", at=datetime(2025, 1, 1))


def test_unknown_decision_or_answer_route_is_refused(db: Store) -> None:
    with pytest.raises(ValueError, match="decision"):
        db.record_question("x", "answer", ALICE)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="how"):
        db.record_answer("types", ALICE, "telepathy")  # type: ignore[arg-type]


def test_long_questions_are_cut_to_the_storage_limit(db: Store) -> None:
    db.record_question("x" * 5000, "none", ALICE)
    assert len(db.misses(1)[0].text) == store.MAX_TEXT_LENGTH


def test_answers_per_entry_counts_each_answer_most_sent_first(db: Store) -> None:
    for how in ("match", "button", "deeplink", "topics"):
        db.record_answer("symptoms", ALICE, how, at=NOW - timedelta(days=1))
    db.record_answer("types", BOB, "match", at=NOW - timedelta(days=1))
    db.record_answer("types", BOB, "match", at=NOW - timedelta(days=40))
    assert list(db.answers_per_entry(30, now=NOW).items()) == [("symptoms", 4), ("types", 1)]


def test_feedback_counts_each_users_latest_vote_once(db: Store) -> None:
    db.record_feedback("symptoms", ALICE, False, at=NOW - timedelta(days=3))
    db.record_feedback("symptoms", ALICE, True, at=NOW - timedelta(days=2))  # changed her mind
    db.record_feedback("symptoms", BOB, False, at=NOW - timedelta(days=1))
    db.record_feedback("types", BOB, True, at=NOW - timedelta(days=1))
    assert db.feedback_per_entry(30, now=NOW) == {
        "symptoms": FeedbackCount(helpful=1, not_helpful=1),
        "types": FeedbackCount(helpful=1, not_helpful=0),
    }


def test_unanswered_per_day_splits_fallbacks_from_did_you_mean(db: Store) -> None:
    day = NOW - timedelta(days=2)
    db.record_question("a", "none", ALICE, at=day)
    db.record_question("b", "none", BOB, at=day + timedelta(minutes=5))
    db.record_question("c", "clarify", BOB, at=day)
    db.record_question("d", "clarify", BOB, at=NOW)
    assert db.unanswered_per_day(30, now=NOW) == [
        DayCount(date(2025, 6, 28), unanswered=2, clarified=1),
        DayCount(date(2025, 6, 30), unanswered=0, clarified=1),
    ]


def test_a_report_period_must_be_at_least_a_day(db: Store) -> None:
    with pytest.raises(ValueError, match="since_days"):
        db.misses(0)


def test_question_text_is_never_logged(db: Store, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="records.store")
    db.record_question("my secret worry about tremor", "none", ALICE)
    db.forget(ALICE)
    db.purge(0)
    assert caplog.records  # it does log, just never the text
    assert all("secret worry" not in r.getMessage() for r in caplog.records)


async def test_calls_from_many_threads_at_once_are_all_recorded(db: Store) -> None:
    await asyncio.gather(
        *(asyncio.to_thread(db.record_answer, "types", ALICE, "button") for _ in range(50)),
        *(asyncio.to_thread(db.answers_per_entry, 30) for _ in range(10)),
    )
    assert db.answers_per_entry(30) == {"types": 50}


def test_two_stores_on_one_directory_see_each_others_rows(tmp_path: Path) -> None:
    # The bot writes while a staff report reads: separate connections, one file.
    with Store(tmp_path) as bot, Store(tmp_path) as report:
        bot.record_answer("types", ALICE, "match")
        assert report.answers_per_entry(1) == {"types": 1}


def test_move_aside_keeps_every_part_and_never_overwrites_an_earlier_copy(
    tmp_path: Path,
) -> None:
    """A damaged file set aside twice in the same second leaves two separate copies."""
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    path = tmp_path / "bot.sqlite3"
    for round_ in ("first", "second"):
        path.write_text(round_)
        path.with_name("bot.sqlite3-wal").write_text(f"{round_} wal")
        aside = move_aside(path, moment)
        assert not path.exists()
        assert aside.read_text() == round_
        assert aside.with_name(aside.name + "-wal").read_text() == f"{round_} wal"
    assert len(list(tmp_path.glob("bot.sqlite3.damaged-20260102T030405*"))) == 4
