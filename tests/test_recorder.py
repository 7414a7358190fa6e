"""Usage records: queued while replying, written afterwards, kept when the database fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.recorder import QueuedRecorder
from faq.store import Store, UserKey

USER = UserKey("k" * 32)


def test_records_are_written_only_when_flushed(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        recorder = QueuedRecorder(store)
        recorder.add(lambda s: s.record_answer("stress", USER, "match"))
        assert store.answers_per_entry(since_days=1) == {}
        recorder.flush()
        assert store.answers_per_entry(since_days=1) == {"stress": 1}


def test_a_failing_write_is_logged_and_kept_for_the_next_flush(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with Store(tmp_path) as store:
        recorder = QueuedRecorder(store)
        broken = {"once": True}

        def flaky(s: Store) -> None:
            if broken.pop("once", False):
                raise OSError("database is locked")
            s.record_answer("types", USER, "button")

        recorder.add(flaky)
        recorder.flush()  # must not raise
        assert "could not store usage records" in caplog.text
        assert store.answers_per_entry(since_days=1) == {}
        recorder.flush()
        assert store.answers_per_entry(since_days=1) == {"types": 1}


def test_forget_also_covers_records_still_in_the_queue(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        recorder = QueuedRecorder(store)
        recorder.add(lambda s: s.record_feedback("stress", USER, True))
        assert recorder.forget(USER) == 1
        recorder.flush()
        assert store.feedback_per_entry(since_days=1) == {}
