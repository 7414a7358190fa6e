"""The staff review on the conversation side: buttons within Telegram's limits, who may
tap, what a tap says, and when the weekly digest is due."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.render import MAX_BUTTON_LABEL
from bot.settings import Settings, SettingsError, load_settings
from conversation.pipeline import Conversation
from conversation.staff_review import FRESH, PREFIX, StaffReview
from conversation.turns import Press, Speaker, Turn
from faq.live import LiveFAQ
from faq.loader import DEFAULT_FAQ_PATH
from records.store import MissRow, Store, UserKey
from tests.botharness import clean_env

ADMIN = Speaker(UserKey("admin-key"), "admin-chat")
PATIENT = Speaker(UserKey("patient-key"), "patient-chat")
MISSED = "is it worse in the cold weather"
OTHERS = (
    "can i drive a car with dystonia",
    "will yoga help my neck",
    "is dystonia covered by insurance",
    "what should i eat to get better",
    "can children get this",
    "my neck pulls when i write, is that normal for everyone who has the condition",
    "are there support groups near pune",
    "can i get a tattoo",
    "can i fly on a plane",
    "is swimming ok for me",
    "can i keep a pet dog",
)


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[tuple[Conversation, StaffReview, Store]]:
    faq_path = tmp_path / "faq.yaml"
    shutil.copy(DEFAULT_FAQ_PATH, faq_path)
    live = LiveFAQ(faq_path)
    live.load()
    store = Store(tmp_path / "data")
    for user in range(3):
        store.record_question(MISSED, "none", UserKey(f"user{user}"))
    for i, text in enumerate(OTHERS):
        store.record_question(text, "none", UserKey(f"other{i}"))
    review = StaffReview(
        faq_path,
        tmp_path / "data",
        store.misses,
        lambda: live.current.matcher,
        refresh=lambda: live.refresh(force=True),
    )
    yield Conversation(live, None, review=review), review, store
    store.close()


def review_turn(text: str = "/review", *, staff: bool = True, private: bool = True) -> Turn:
    return Turn(ADMIN if staff else PATIENT, text, private=private, staff=staff)


def test_every_review_button_fits_telegrams_limits(
    clinic: tuple[Conversation, StaffReview, Store],
) -> None:
    """Callback data within 64 bytes and labels that fit a button, for a full digest."""
    conv, _, _ = clinic
    outcome = conv.handle(review_turn())
    assert len(outcome.replies) == 1 + 10  # the heading, then the ten largest groups
    buttons = [b for r in outcome.replies for row in r.buttons for b in row]
    assert buttons
    for b in buttons:
        assert b.data.startswith(f"{PREFIX}:")
        assert len(b.data.encode("utf-8")) <= 64
        assert len(b.label) <= MAX_BUTTON_LABEL
    assert "3 questions from 3 people" in outcome.replies[1].blocks[0].text  # largest first


def test_review_in_a_group_points_staff_to_the_private_chat(
    clinic: tuple[Conversation, StaffReview, Store],
) -> None:
    """Patients' questions are never posted into a group, even for staff."""
    conv, _, _ = clinic
    [reply] = conv.handle(review_turn(private=False)).replies
    assert "private chat" in reply.blocks[0].text
    assert not reply.buttons


def test_a_patient_pressing_a_review_payload_changes_nothing(
    clinic: tuple[Conversation, StaffReview, Store],
) -> None:
    """A forged "R:" payload from someone who is not staff is only an out-of-date button."""
    conv, review, _ = clinic
    item = conv.handle(review_turn()).replies[1]
    data = item.buttons[0][0].data
    before = review.editor.path.read_bytes()
    result = conv.press(Press(PATIENT, data))
    assert result.reply is not None
    assert "moved or is no longer available" in result.reply.blocks[0].text
    assert review.editor.path.read_bytes() == before
    assert review.audit.recent() == []


def test_ignore_is_remembered_and_a_second_tap_says_it_is_done(
    clinic: tuple[Conversation, StaffReview, Store],
) -> None:
    """Ignored questions leave the next digest; tapping the same group again does nothing."""
    conv, review, _ = clinic
    item = conv.handle(review_turn()).replies[1]
    ignore = next(b for row in item.buttons for b in row if b.label == "Ignore")
    first = conv.press(Press(ADMIN, ignore.data, staff=True))
    assert first.reply is not None
    assert "Ignored" in first.reply.blocks[0].text
    again = conv.press(Press(ADMIN, item.buttons[0][0].data, staff=True))
    assert again.reply is not None
    assert "Already done" in again.reply.blocks[0].text
    texts = [b.text for r in conv.handle(review_turn()).replies for b in r.blocks]
    assert not any(MISSED in t for t in texts)
    [record] = review.audit.recent()
    assert (record.admin, record.action, record.text) == ("admin-key", "ignore", MISSED)


def test_a_fresh_review_button_sends_the_whole_digest_again(
    clinic: tuple[Conversation, StaffReview, Store],
) -> None:
    """The heading comes as the reply, each group as a further message."""
    conv, _, _ = clinic
    result = conv.press(Press(ADMIN, FRESH, staff=True))
    assert result.reply is not None
    assert "largest first" in result.reply.blocks[0].text
    assert len(result.more) == 10


def test_history_lists_actions_newest_first(
    clinic: tuple[Conversation, StaffReview, Store],
) -> None:
    """/review history shows what was done, when and by whom (pseudonymously)."""
    conv, _, _ = clinic
    assert (
        "No review actions yet"
        in conv.handle(review_turn("/review history")).replies[0].blocks[0].text
    )
    item = conv.handle(review_turn()).replies[1]
    add = item.buttons[0][0]
    applied = conv.press(Press(ADMIN, add.data, staff=True))
    assert applied.reply is not None
    undo = applied.reply.buttons[0][0]
    conv.press(Press(ADMIN, undo.data, staff=True))
    [reply] = conv.handle(review_turn("/review history")).replies
    lines = reply.blocks[1].text.splitlines()
    assert "undo" in lines[0]
    assert "add phrasing" in lines[1]
    assert "(by admin-ke)" in lines[1]


def test_undo_twice_is_refused_the_second_time(
    clinic: tuple[Conversation, StaffReview, Store],
) -> None:
    """An Undo button works once; the second tap changes nothing."""
    conv, review, _ = clinic
    item = conv.handle(review_turn()).replies[1]
    applied = conv.press(Press(ADMIN, item.buttons[0][0].data, staff=True))
    assert applied.reply is not None
    undo = applied.reply.buttons[0][0].data
    conv.press(Press(ADMIN, undo, staff=True))
    restored = review.editor.path.read_bytes()
    again = conv.press(Press(ADMIN, undo, staff=True))
    assert again.reply is not None
    assert "older list" in again.reply.blocks[0].text
    assert review.editor.path.read_bytes() == restored


def test_a_nothing_to_review_week_says_so(tmp_path: Path) -> None:
    """No misses: one message, no buttons."""
    faq_path = tmp_path / "faq.yaml"
    shutil.copy(DEFAULT_FAQ_PATH, faq_path)
    live = LiveFAQ(faq_path)
    live.load()
    rows: list[MissRow] = []
    review = StaffReview(faq_path, tmp_path, lambda days: rows, lambda: live.current.matcher)
    [reply] = review.digest()
    assert "Nothing to review" in reply.blocks[0].text
    assert not reply.buttons


# -- the weekly schedule ------------------------------------------------------------------

IST = ZoneInfo("Asia/Kolkata")


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Monday 08:59 in Pune: the same morning at nine.
        (datetime(2026, 11, 30, 8, 59, tzinfo=IST), datetime(2026, 11, 30, 9, 0, tzinfo=IST)),
        # Monday 09:00 exactly: that one has run, so the next Monday.
        (datetime(2026, 11, 30, 9, 0, tzinfo=IST), datetime(2026, 12, 7, 9, 0, tzinfo=IST)),
        # Sunday 23:00 UTC is already Monday 04:30 in India.
        (datetime(2026, 11, 29, 23, 0, tzinfo=UTC), datetime(2026, 11, 30, 9, 0, tzinfo=IST)),
        # Wednesday: the coming Monday.
        (datetime(2026, 12, 2, 12, 0, tzinfo=IST), datetime(2026, 12, 7, 9, 0, tzinfo=IST)),
    ],
)
def test_the_weekly_digest_is_due_on_the_configured_day_and_hour_in_clinic_time(
    now: datetime, expected: datetime
) -> None:
    """Monday at nine, Asia/Kolkata, by default; PTB counts days from Sunday = 0."""
    default = settings()
    assert default.next_review_digest(now) == expected
    assert default.review_digest_days == (1,)


def test_the_digest_day_hour_and_zone_are_configurable() -> None:
    """Sunday at 18:00 in London is PTB day 0 at 18:00 there."""
    london = settings(
        review_digest_day="Sunday", review_digest_hour=18, clinic_timezone="Europe/London"
    )
    assert london.review_digest_days == (0,)
    due = london.next_review_digest(datetime(2026, 12, 2, tzinfo=UTC))
    assert due == datetime(2026, 12, 6, 18, 0, tzinfo=ZoneInfo("Europe/London"))


def test_the_weekly_digest_can_be_switched_off() -> None:
    """REVIEW_DIGEST_DAY=off: /review still works, nothing is scheduled."""
    off = settings(review_digest_day="off")
    assert off.review_digest_time is None
    assert off.next_review_digest(datetime.now(UTC)) is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CLINIC_TIMEZONE", "India/Pune"),
        ("REVIEW_DIGEST_DAY", "mondays"),
        ("REVIEW_DIGEST_HOUR", "24"),
    ],
)
def test_a_bad_digest_setting_stops_start_up_naming_it(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """One line naming the setting, as for every other setting."""
    clean_env(monkeypatch)
    monkeypatch.chdir(tmp_path)  # no .env from the working folder
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=f"invalid setting {name}"):
        load_settings()


def test_taps_on_several_groups_of_one_digest_all_apply(
    clinic: tuple[Conversation, StaffReview, Store],
) -> None:
    """The bot's own edit is not a hand edit: the next group's tap still applies."""
    conv, review, _ = clinic
    adds = [
        row[0]
        for item in conv.handle(review_turn()).replies[1:]
        for row in item.buttons[:1]
        if row[0].label.startswith("Add as a phrasing of")
    ][:3]
    assert len(adds) == 3
    for add in adds:
        result = conv.press(Press(ADMIN, add.data, staff=True))
        assert result.reply is not None
        assert result.reply.blocks[0].text.startswith("Added"), result.reply.blocks[0].text
    assert [r.result for r in review.audit.recent()] == ["applied"] * 3
