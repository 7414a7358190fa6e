"""Staff review of missed questions: masked digests, one choice per group, audited, undoable."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from faq.loader import load_faq
from faq.matcher import matcher_for
from faq.personal import has_personal, mask_personal
from records.store import Store, UserKey
from staff.review import AUDIT_FILENAME, AuditLog, build_digest
from staff.review_cli import run_review

SHIPPED = Path(__file__).resolve().parents[1] / "faq" / "data" / "faq.yaml"
MISSED = "is it worse in the cold weather"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("call me on +91 98765 43210 please", "call me on [phone] please"),
        ("my number 9876543210", "my number [phone]"),
        ("mail priya.s@example.com", "mail [email]"),
        ("i am @priya_s on here", "i am [@username] on here"),
        ("patient id 4471923", "patient id [number]"),
    ],
)
def test_personal_details_are_masked(text: str, masked: str) -> None:
    """Phone numbers, e-mails, @usernames and long digit runs never reach a digest."""
    assert mask_personal(text) == masked
    assert has_personal(text)


def test_ordinary_numbers_are_not_masked() -> None:
    """Ages and durations are part of the question, not personal details."""
    assert mask_personal("my son is 12 and it started 3 years ago") == (
        "my son is 12 and it started 3 years ago"
    )


@pytest.fixture
def clinic(tmp_path: Path) -> tuple[Path, Path]:
    faq_path = tmp_path / "faq.yaml"
    shutil.copy(SHIPPED, faq_path)
    data_dir = tmp_path / "data"
    with Store(data_dir) as store:
        for user in range(3):
            store.record_question(MISSED, "none", UserKey(f"user{user}"))
        store.record_question(
            "my phone is 9876543210, who won the cricket", "none", UserKey("user9")
        )
    return faq_path, data_dir


def test_digest_leaves_out_questions_the_faq_now_answers(clinic: tuple[Path, Path]) -> None:
    """Once a question is answered (someone added it), it is no longer offered."""
    faq_path, data_dir = clinic
    matcher = matcher_for(load_faq(faq_path))
    with Store(data_dir) as store:
        store.record_question("what is dystonia", "none", UserKey("user5"))
        rows = store.misses(30)
    texts = {t for item in build_digest(rows, matcher, "d").items for t in item.examples}
    assert "what is dystonia" not in texts
    assert MISSED in texts


def test_a_group_with_personal_details_offers_no_add_choice(clinic: tuple[Path, Path]) -> None:
    """A patient's phone number can never become FAQ content, even by a tap."""
    faq_path, data_dir = clinic
    with Store(data_dir) as store:
        rows = store.misses(30)
    digest = build_digest(rows, matcher_for(load_faq(faq_path)), "d")
    personal = next(i for i in digest.items if "[phone]" in i.phrasing)
    assert [c.kind for c in personal.choices] == ["ignore"]


def test_terminal_review_adds_a_phrasing_and_undo_restores_the_file(
    clinic: tuple[Path, Path],
) -> None:
    """Choose 'add', see the verdict, undo: the FAQ is byte-identical and it is all audited."""
    faq_path, data_dir = clinic
    original = faq_path.read_bytes()
    out = io.StringIO()
    assert run_review(faq_path, data_dir, 30, io.StringIO("1\n"), out) == 0
    assert MISSED in faq_path.read_text(encoding="utf-8")
    assert "Added" in out.getvalue()
    # Undo comes from the next prompt in the same walk.
    faq_path.write_bytes(original)
    out = io.StringIO()
    assert run_review(faq_path, data_dir, 30, io.StringIO("1\nu\nq\n"), out) == 0
    assert faq_path.read_bytes() == original
    actions = [r.action for r in AuditLog(data_dir / AUDIT_FILENAME).recent()]
    assert actions == ["add phrasing", "add phrasing", "undo"]


def test_ignored_questions_are_not_offered_again(clinic: tuple[Path, Path]) -> None:
    """Ignore is remembered in the audit log."""
    faq_path, data_dir = clinic
    out = io.StringIO()
    digest_before = build_digest(Store(data_dir).misses(30), matcher_for(load_faq(faq_path)), "d")
    ignore = len(digest_before.items[0].choices)
    run_review(faq_path, data_dir, 30, io.StringIO(f"{ignore}\nq\n"), out)
    assert "Ignored" in out.getvalue()
    again = io.StringIO()
    run_review(faq_path, data_dir, 30, io.StringIO("q\n"), again)
    assert MISSED not in again.getvalue()


def test_a_hand_edit_during_review_makes_the_tap_refuse(clinic: tuple[Path, Path]) -> None:
    """The file changed since the list was made: nothing is written, a fresh list is offered."""
    faq_path, data_dir = clinic

    class EditsFirst(io.StringIO):
        def readline(self, size: int | None = -1, /) -> str:  # type: ignore[override]
            faq_path.write_bytes(faq_path.read_bytes() + b"\n# a colleague's note\n")
            return "1\n"

    out = io.StringIO()
    assert run_review(faq_path, data_dir, 30, EditsFirst(), out) == 1
    assert "changed since" in out.getvalue()
    assert MISSED not in faq_path.read_text(encoding="utf-8")


def test_a_possible_missed_emergency_cannot_be_added_as_a_phrasing(
    clinic: tuple[Path, Path],
) -> None:
    """Emergency wording goes to the engineers' rules, never into an ordinary answer."""
    faq_path, data_dir = clinic
    with Store(data_dir) as store:
        store.record_question("nani ki saans ruk ruk ke aa rahi hai", "none", UserKey("u7"))
        rows = store.misses(30)
    digest = build_digest(rows, matcher_for(load_faq(faq_path)), "d")
    flagged = [i for i in digest.items if i.looks_urgent]
    assert [i.examples for i in flagged] == [("nani ki saans ruk ruk ke aa rahi hai",)]
    assert flagged[0].number == 1
    assert [c.kind for c in flagged[0].choices] == ["ignore"]
