"""The delivery inbox: stored before confirmed, replayed until done, bounded, self-healing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import bot.inbox
from bot.inbox import INBOX_FILENAME, MAX_AGE_SECONDS, Inbox

NOW = 1_800_000_000.0


def body(update_id: int, text: str = "hello") -> str:
    return json.dumps({"update_id": update_id, "message": {"text": text}})


@pytest.fixture
def inbox(tmp_path: Path) -> Inbox:
    box = Inbox(tmp_path / INBOX_FILENAME)
    box.open()
    return box


def test_an_update_stays_pending_until_done_and_survives_reopening(tmp_path: Path) -> None:
    """What was stored but not answered is there again after a restart, in order."""
    first = Inbox(tmp_path / INBOX_FILENAME)
    first.open()
    for update_id in (5, 3, 4):
        assert first.add(update_id, body(update_id), NOW) == "new"
    first.mark_done(4, NOW)
    first.close()  # as if killed: nothing else is written on the way out
    second = Inbox(tmp_path / INBOX_FILENAME)
    second.open()
    assert [json.loads(b)["update_id"] for b in second.take_pending(NOW)] == [3, 5]


def test_a_redelivered_update_is_recognised_pending_or_done(inbox: Inbox) -> None:
    """Telegram sending an update again never makes it a second new one."""
    assert inbox.add(1, body(1), NOW) == "new"
    assert inbox.add(1, body(1), NOW) == "known"
    inbox.mark_done(1, NOW)
    assert inbox.add(1, body(1), NOW) == "known"


def test_answered_updates_keep_no_text(inbox: Inbox, tmp_path: Path) -> None:
    """Once done, the patient's words are erased from the inbox file."""
    inbox.add(1, body(1, "a very private question about my neck"), NOW)
    inbox.mark_done(1, NOW)
    inbox.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob(f"{INBOX_FILENAME}*"))
    assert b"very private question" not in raw


def test_past_the_size_bound_updates_are_refused_not_lost(
    inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full inbox says 'full' (the caller leaves the update at Telegram) until one is done."""
    monkeypatch.setattr(bot.inbox, "MAX_PENDING", 3)
    for update_id in (1, 2, 3):
        assert inbox.add(update_id, body(update_id), NOW) == "new"
    assert inbox.add(4, body(4), NOW) == "full"
    inbox.mark_done(1, NOW)
    assert inbox.add(4, body(4), NOW) == "new"


def test_updates_older_than_the_age_bound_are_not_replayed(inbox: Inbox) -> None:
    """An update unanswered for over 24 hours is dropped at the next start."""
    inbox.add(1, body(1), NOW - MAX_AGE_SECONDS - 1)
    inbox.add(2, body(2), NOW)
    assert [json.loads(b)["update_id"] for b in inbox.take_pending(NOW)] == [2]


def test_a_damaged_inbox_is_moved_aside_and_the_admins_are_told(tmp_path: Path) -> None:
    """Garbage in inbox.sqlite3: a new inbox starts, the old file is kept aside."""
    path = tmp_path / INBOX_FILENAME
    path.write_bytes(b"\xffnot sqlite at all\x00" * 300)
    box = Inbox(path)
    box.open()
    assert box.add(1, body(1), NOW) == "new"
    assert len(list(tmp_path.glob(f"{INBOX_FILENAME}.damaged-*"))) == 1
    [notice] = box.notices.take_all()
    assert "damaged" in notice
