"""Program edits to the FAQ: comments kept, checked first, atomic, undoable, never racing."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from faq.loader import load_faq
from staff.editing import KEEP_BACKUPS, Edit, FAQEditor

SHIPPED = Path(__file__).resolve().parents[1] / "faq" / "data" / "faq.yaml"


@pytest.fixture
def editor(tmp_path: Path) -> FAQEditor:
    target = tmp_path / "faq.yaml"
    shutil.copy(SHIPPED, target)
    return FAQEditor(target, tmp_path / "backups")


def test_adding_a_phrasing_changes_exactly_one_line(editor: FAQEditor) -> None:
    """Comments, order and layout survive: the diff is the one new alternate."""
    before = editor.path.read_text(encoding="utf-8")
    result = editor.apply(
        Edit("phrasing", "stress", "does tension at work make the pulling worse"),
        editor.current_digest(),
    )
    assert result.status == "applied", result
    after = editor.path.read_text(encoding="utf-8")
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed == ["+      - does tension at work make the pulling worse"]
    entry = load_faq(editor.path).entry("stress")
    assert entry is not None
    assert entry.alternates[-1] == "does tension at work make the pulling worse"


def test_undo_restores_the_previous_bytes_exactly(editor: FAQEditor) -> None:
    """Undo is byte-identical, comments and all."""
    original = editor.path.read_bytes()
    applied = editor.apply(
        Edit("phrasing", "types", "is it only ever in the neck"), editor.current_digest()
    )
    assert applied.backup is not None
    undone = editor.undo(applied.backup, applied.digest)
    assert undone.status == "applied"
    assert editor.path.read_bytes() == original


def test_an_edit_made_from_a_stale_digest_is_refused(editor: FAQEditor) -> None:
    """A colleague's hand edit since the digest was made is never overwritten."""
    digest = editor.current_digest()
    hand_edited = editor.path.read_bytes().replace(b"#  Clinic details", b"#  Clinic details!")
    editor.path.write_bytes(hand_edited)
    result = editor.apply(Edit("phrasing", "stress", "tension makes it worse"), digest)
    assert result.status == "conflict"
    assert editor.path.read_bytes() == hand_edited


def test_undo_after_a_later_hand_edit_is_refused(editor: FAQEditor) -> None:
    """Undo would lose the later edit, so it does nothing."""
    applied = editor.apply(
        Edit("phrasing", "stress", "tension makes it worse"), editor.current_digest()
    )
    assert applied.backup is not None
    later = editor.path.read_bytes() + b"\n# a note\n"
    editor.path.write_bytes(later)
    assert editor.undo(applied.backup, applied.digest).status == "conflict"
    assert editor.path.read_bytes() == later


def test_an_edit_the_checker_rejects_is_not_written(editor: FAQEditor) -> None:
    """Adding another entry's phrasing is refused with the checker's located message."""
    original = editor.path.read_bytes()
    taken = load_faq(editor.path).entry("what-is-dystonia")
    assert taken is not None
    result = editor.apply(Edit("phrasing", "stress", taken.question), editor.current_digest())
    assert result.status == "refused"
    assert any("what-is-dystonia" in p.message for p in result.problems)
    assert editor.path.read_bytes() == original
    assert editor.backups() == []


def test_an_entry_removed_since_the_digest_is_named(editor: FAQEditor) -> None:
    """A tap for an entry that no longer exists says so instead of failing."""
    result = editor.apply(Edit("phrasing", "no-such-entry", "hello"), editor.current_digest())
    assert result.status == "refused"
    assert "no-such-entry" in result.message


def test_self_test_verdict_reports_whether_the_phrasing_now_leads_to_its_entry(
    editor: FAQEditor,
) -> None:
    """Staff learn at once whether the bot will now recognise the question."""
    result = editor.apply(
        Edit("phrasing", "stress", "does being tense make my neck pull more"),
        editor.current_digest(),
    )
    assert result.verdict is not None
    assert result.verdict.leads_to_target
    assert result.verdict.answers  # and the question exactly as typed


def test_only_the_last_backups_are_kept(editor: FAQEditor) -> None:
    """The data folder keeps a bounded history."""
    for i in range(KEEP_BACKUPS + 3):
        editor.apply(
            Edit("phrasing", "stress", f"stress question number {i} here"),
            editor.current_digest(),
        )
    assert len(editor.backups()) == KEEP_BACKUPS


def test_a_hand_edit_saved_while_the_edit_is_checked_is_kept(
    editor: FAQEditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is compared again just before it is replaced: a save during the check wins."""
    import staff.editing
    from faq.loader import check_faq as real_check

    hand_edited = editor.path.read_bytes() + b"\n# saved while the tap was being checked\n"

    def check_then_someone_saves(*args: object, **kwargs: object) -> object:
        result = real_check(*args, **kwargs)  # type: ignore[arg-type]
        editor.path.write_bytes(hand_edited)
        return result

    monkeypatch.setattr(staff.editing, "check_faq", check_then_someone_saves)
    result = editor.apply(
        Edit("phrasing", "stress", "tension makes it worse"), editor.current_digest()
    )
    assert result.status == "conflict"
    assert editor.path.read_bytes() == hand_edited
    assert editor.backups() == []
