"""The real bot process while its usage database is locked, damaged or deleted."""

from __future__ import annotations

import asyncio
import contextlib
import math
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.botproc import start_bot, stop_bot
from tests.fakebotapi import FakeBotAPI

ADMIN_ID = 424242
URGENT_TEXT = "I can't breathe and my throat is closing"
MISS_TEXT = "which vitamins should I take for my eyelids"
FIRST_CHAT = 8_000_001
LOCK_SECONDS = 60.0


def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "bot.sqlite3"


def stored_questions(tmp_path: Path) -> list[str]:
    path = db_path(tmp_path)
    if not path.exists():
        return []
    conn = sqlite3.connect(path, timeout=5)
    try:
        return [text for (text,) in conn.execute("SELECT text FROM questions ORDER BY id")]
    except sqlite3.OperationalError:  # the schema is not created yet
        return []
    finally:
        conn.close()


async def started(api: FakeBotAPI, tmp_path: Path, log_file: Path) -> asyncio.subprocess.Process:
    proc = await start_bot(tmp_path, api, log_file, ADMIN_USER_IDS=str(ADMIN_ID))
    await api.wait_for(lambda: api.attempts["getUpdates"] > 0, 60, "the bot to poll")
    return proc


def answered(api: FakeBotAPI, chat: int) -> Callable[[], bool]:
    return lambda: bool(api.sent_to(chat))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@pytest.mark.timeout(180)
async def test_an_exclusive_lock_for_60_s_does_not_delay_replies(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    """Another program holds BEGIN EXCLUSIVE for 60 s: p99 reply delay stays under 1 s."""
    log_file = tmp_path / "bot.log"
    proc = await started(fake_api, tmp_path, log_file)
    loop = asyncio.get_running_loop()
    try:
        await fake_api.wait_for(lambda: db_path(tmp_path).exists(), 30, "the usage database")
        holder = sqlite3.connect(db_path(tmp_path), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        lock_end = loop.time() + LOCK_SECONDS
        delays: list[float] = []
        urgent_delays: list[float] = []
        n = 0
        while loop.time() < lock_end - 3:
            chat = FIRST_CHAT + n
            text = URGENT_TEXT if n % 3 == 0 else f"{MISS_TEXT} {n}"
            sent_at = loop.time()
            fake_api.send_text(text, user_id=chat)
            await fake_api.wait_for(answered(fake_api, chat), 30, "a reply")
            delay = loop.time() - sent_at
            (urgent_delays if text == URGENT_TEXT else delays).append(delay)
            n += 1
            await asyncio.sleep(1.5)
        assert stored_questions(tmp_path) == []  # still locked: nothing written yet
        await asyncio.sleep(max(0.0, lock_end - loop.time()))
        holder.execute("ROLLBACK")
        holder.close()
        await fake_api.wait_for(
            lambda: len(stored_questions(tmp_path)) == len(delays), 30, "the queued records"
        )
    finally:
        assert await stop_bot(proc) == 0, log_file.read_text()
    every = delays + urgent_delays
    print(
        f"\nlocked database: {len(every)} replies, p50 {percentile(every, 50):.3f} s, "
        f"p99 {percentile(every, 99):.3f} s, urgent max {max(urgent_delays):.3f} s"
    )
    assert percentile(every, 99) < 1.0
    assert max(urgent_delays) < 1.0
    logs = log_file.read_text()
    assert logs.count("usage database unavailable") == 1
    assert "writable again" in logs


@pytest.mark.timeout(120)
async def test_forget_while_locked_says_it_could_not_finish_and_nothing_is_stored_after(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    """/forget during a write fault: honest reply; the queued question never reaches disk."""
    log_file = tmp_path / "bot.log"
    patient, other = FIRST_CHAT, FIRST_CHAT + 1
    proc = await started(fake_api, tmp_path, log_file)
    try:
        fake_api.send_text(f"{MISS_TEXT} before", user_id=patient)
        await fake_api.wait_for(lambda: len(stored_questions(tmp_path)) == 1, 30, "a record")
        holder = sqlite3.connect(db_path(tmp_path), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        fake_api.send_text(f"{MISS_TEXT} during", user_id=patient)
        await fake_api.wait_for(lambda: len(fake_api.sent_to(patient)) == 2, 30, "a reply")
        fake_api.send_text("/forget", user_id=patient)
        await fake_api.wait_for(lambda: len(fake_api.sent_to(patient)) == 3, 30, "/forget")
        assert "could not finish" in fake_api.sent_to(patient)[-1].plain
        holder.execute("ROLLBACK")
        holder.close()
        fake_api.send_text(f"{MISS_TEXT} other", user_id=other)
        await fake_api.wait_for(
            lambda: stored_questions(tmp_path) == [f"{MISS_TEXT} other"], 30, "the retried forget"
        )
    finally:
        assert await stop_bot(proc) == 0, log_file.read_text()
    assert MISS_TEXT not in log_file.read_text()


async def test_a_damaged_database_at_start_is_set_aside_and_patients_are_served(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    """Garbage in bot.sqlite3: the bot starts, logs one line, answers, and tells the admin."""
    db_path(tmp_path).parent.mkdir(parents=True)
    db_path(tmp_path).write_bytes(b"\x00garbage, not SQLite\xff" * 500)
    fake_api.add_chat(ADMIN_ID)
    log_file = tmp_path / "bot.log"
    proc = await started(fake_api, tmp_path, log_file)
    try:
        fake_api.send_text(URGENT_TEXT, user_id=FIRST_CHAT)
        await fake_api.wait_for(lambda: bool(fake_api.sent_to(FIRST_CHAT)), 30, "a reply")
        await fake_api.wait_for(lambda: bool(fake_api.sent_to(ADMIN_ID)), 30, "the admin notice")
        fake_api.send_text(MISS_TEXT, user_id=FIRST_CHAT + 1)
        await fake_api.wait_for(lambda: stored_questions(tmp_path) == [MISS_TEXT], 30, "a record")
    finally:
        assert await stop_bot(proc) == 0, log_file.read_text()
    assert "damaged" in fake_api.sent_to(ADMIN_ID)[0].plain
    logs = log_file.read_text()
    assert len([line for line in logs.splitlines() if "is damaged" in line]) == 1
    assert "Traceback" not in logs
    assert len(list(db_path(tmp_path).parent.glob("bot.sqlite3.damaged-*"))) == 1


async def test_a_database_deleted_while_running_is_noticed_and_a_new_one_created(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    """rm bot.sqlite3 under the running bot: logged, and later records go to a new file."""
    log_file = tmp_path / "bot.log"
    proc = await started(fake_api, tmp_path, log_file)
    try:
        fake_api.send_text(f"{MISS_TEXT} one", user_id=FIRST_CHAT)
        await fake_api.wait_for(lambda: len(stored_questions(tmp_path)) == 1, 30, "a record")
        for part in db_path(tmp_path).parent.glob("bot.sqlite3*"):
            part.unlink()
        fake_api.send_text(f"{MISS_TEXT} two", user_id=FIRST_CHAT + 1)
        await fake_api.wait_for(
            lambda: stored_questions(tmp_path) == [f"{MISS_TEXT} two"], 30, "the new database"
        )
    finally:
        assert await stop_bot(proc) == 0, log_file.read_text()
    assert "deleted or replaced while the bot was running" in log_file.read_text()


@contextlib.contextmanager
def small_filesystem(where: Path, size_kb: int) -> Iterator[Path]:
    """A tiny tmpfs (needs root); the test is skipped where mounting is not allowed."""
    where.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0700", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small filesystem here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def fill(directory: Path) -> Path:
    filler = directory / "filler"
    with contextlib.suppress(OSError), filler.open("wb", buffering=0) as f:
        while True:
            f.write(b"\0" * 4096)
    return filler


@pytest.mark.timeout(120)
async def test_forget_on_a_full_disk_leaves_nothing_about_the_user_stored(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    """Disk full: patients are still answered; /forget drops the queued question, which is
    never written once space is back."""
    log_file = tmp_path / "bot.log"
    patient, other = FIRST_CHAT, FIRST_CHAT + 1
    with small_filesystem(tmp_path / "data", 2048) as data:
        proc = await started(fake_api, tmp_path, log_file)
        try:
            fake_api.send_text(f"{MISS_TEXT} before", user_id=patient)
            await fake_api.wait_for(lambda: len(stored_questions(tmp_path)) == 1, 30, "a record")
            filler = fill(data)
            fake_api.send_text(f"{MISS_TEXT} during", user_id=patient)
            fake_api.send_text(URGENT_TEXT, user_id=other)
            await fake_api.wait_for(lambda: len(fake_api.sent_to(patient)) == 2, 30, "a reply")
            await fake_api.wait_for(lambda: bool(fake_api.sent_to(other)), 30, "urgent reply")
            fake_api.send_text("/forget", user_id=patient)
            await fake_api.wait_for(lambda: len(fake_api.sent_to(patient)) == 3, 30, "/forget")
            forget_reply = fake_api.sent_to(patient)[-1].plain
            filler.unlink()
            fake_api.send_text(f"{MISS_TEXT} other", user_id=other + 1)
            await fake_api.wait_for(
                lambda: stored_questions(tmp_path) == [f"{MISS_TEXT} other"], 30, "recovery"
            )
        finally:
            assert await stop_bot(proc) == 0, log_file.read_text()
    assert "could not finish" in forget_reply or "Done: deleted" in forget_reply
    print(f"\n/forget on a full disk replied: {forget_reply[:60]!r}")
