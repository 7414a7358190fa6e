"""faq.live.LiveFAQ: the bot keeps serving the last good FAQ while staff edit the file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from faq.live import LiveFAQ
from faq.loader import DEFAULT_FAQ_PATH
from faq.matcher import Answer
from faq.problems import FAQError

OLD_ANSWER_START = "Yes. Stress can amplify the faulty movement signals"
NEW_ANSWER_START = "Yes. (Edited by staff.) Stress can amplify the faulty movement signals"
STRESS_QUESTION = "does stress make my dystonia worse"


@pytest.fixture
def faq_file(tmp_path: Path) -> Path:
    path = tmp_path / "faq.yaml"
    shutil.copyfile(DEFAULT_FAQ_PATH, path)
    return path


def save(path: Path, text: str) -> None:
    """Write `text` and move the modification time on, as a slow editor's save would."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    touch(path, after=before)


def touch(path: Path, after: int | None = None) -> None:
    """Move the file's modification time on by two seconds without changing its content."""
    st = path.stat()
    base = max(st.st_mtime_ns, after or 0)
    os.utime(path, ns=(st.st_atime_ns, base + 2_000_000_000))


def edited(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.count(OLD_ANSWER_START) == 1
    return text.replace(OLD_ANSWER_START, NEW_ANSWER_START)


def broken(path: Path) -> str:
    """The file with a tab on the line of `margin:`."""
    text = path.read_text(encoding="utf-8")
    assert text.count("\n  margin: ") == 1
    return text.replace("\n  margin: ", "\n\tmargin: ")


def served_answer(live: LiveFAQ) -> str:
    decision = live.current.matcher.decide(STRESS_QUESTION)
    assert isinstance(decision, Answer)
    assert decision.match.entry.id == "stress"
    return decision.match.entry.answer


def test_load_serves_the_file(faq_file: Path) -> None:
    live = LiveFAQ(faq_file)
    knowledge = live.load()
    assert knowledge is live.current
    assert knowledge.faq.path == faq_file
    assert knowledge.matcher.faq is knowledge.faq
    assert len(knowledge.digest) == 64
    assert served_answer(live).startswith(OLD_ANSWER_START)


def test_current_before_load_is_an_error(faq_file: Path) -> None:
    with pytest.raises(RuntimeError, match="not been loaded"):
        _ = LiveFAQ(faq_file).current


def test_unchanged_file_is_unchanged(faq_file: Path) -> None:
    live = LiveFAQ(faq_file)
    first = live.load()
    result = live.refresh()
    assert result.status == "unchanged"
    assert result.problems == ()
    assert live.current is first


def test_touched_but_identical_file_is_unchanged(faq_file: Path) -> None:
    live = LiveFAQ(faq_file)
    first = live.load()
    touch(faq_file)
    assert live.refresh().status == "unchanged"
    assert live.current is first


def test_valid_edit_is_reloaded_and_the_new_answer_served(faq_file: Path) -> None:
    live = LiveFAQ(faq_file)
    first = live.load()
    save(faq_file, edited(faq_file))
    result = live.refresh()
    assert result.status == "reloaded"
    assert result.problems == ()
    assert live.current is not first
    assert live.current.digest != first.digest
    assert served_answer(live).startswith(NEW_ANSWER_START)
    assert live.refresh().status == "unchanged"


def test_broken_edit_fails_with_located_problems_and_keeps_the_old_faq(faq_file: Path) -> None:
    live = LiveFAQ(faq_file)
    first = live.load()
    text = broken(faq_file)
    save(faq_file, text)
    result = live.refresh()
    assert result.status == "failed"
    assert result.first_report is True
    line = text[: text.index("\t")].count("\n") + 1
    assert [(p.line, p.col, p.message) for p in result.problems] == [(line, 1, "tab character")]
    assert all(p.severity == "error" for p in result.problems)
    assert str(result.problems[0]).startswith(f"{faq_file}:{line}:1: ")
    assert live.current is first
    assert served_answer(live).startswith(OLD_ANSWER_START)


def test_same_broken_version_is_reported_once(faq_file: Path) -> None:
    live = LiveFAQ(faq_file)
    live.load()
    save(faq_file, broken(faq_file))
    first = live.refresh()
    assert (first.status, first.first_report) == ("failed", True)

    unmoved = live.refresh()  # nothing moved on disk: still broken, but not news
    assert (unmoved.status, unmoved.first_report) == ("failed", False)
    touch(faq_file)  # moved, but the same broken bytes
    again = live.refresh()
    assert (again.status, again.first_report) == ("failed", False)
    assert again.problems == first.problems
    forced = live.refresh(force=True)
    assert (forced.status, forced.first_report) == ("failed", False)


def test_a_different_broken_version_is_reported_again(faq_file: Path) -> None:
    live = LiveFAQ(faq_file)
    live.load()
    text = broken(faq_file)
    save(faq_file, text)
    assert live.refresh().first_report is True
    save(faq_file, text.replace("version: 1", "version: 2"))
    result = live.refresh()
    assert (result.status, result.first_report) == ("failed", True)


def test_fixing_a_broken_edit_reloads_it(faq_file: Path) -> None:
    live = LiveFAQ(faq_file)
    live.load()
    good = edited(faq_file)
    save(faq_file, broken(faq_file))
    assert live.refresh().status == "failed"
    save(faq_file, good)
    assert live.refresh().status == "reloaded"
    assert served_answer(live).startswith(NEW_ANSWER_START)


def test_deleted_file_fails_and_keeps_serving(faq_file: Path) -> None:
    live = LiveFAQ(faq_file)
    first = live.load()
    faq_file.unlink()
    result = live.refresh()
    assert result.status == "failed"
    assert [p.message for p in result.problems] == ["file not found"]
    assert live.current is first


def test_broken_faq_at_first_load_raises_faq_error(faq_file: Path) -> None:
    text = broken(faq_file)
    save(faq_file, text)
    live = LiveFAQ(faq_file)
    with pytest.raises(FAQError) as raised:
        live.load()
    line = text[: text.index("\t")].count("\n") + 1
    assert [(p.line, p.message) for p in raised.value.problems] == [(line, "tab character")]
    with pytest.raises(RuntimeError):
        _ = live.current


def test_missing_faq_at_first_load_raises_faq_error(tmp_path: Path) -> None:
    with pytest.raises(FAQError, match="file not found"):
        LiveFAQ(tmp_path / "missing.yaml").load()


def test_path_comes_from_faq_path_variable(faq_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAQ_PATH", str(faq_file))
    assert LiveFAQ().load().faq.path == faq_file


def test_breaking_the_file_again_after_a_revert_is_reported_again(faq_file: Path) -> None:
    live = LiveFAQ(faq_file)
    live.load()
    good = faq_file.read_text(encoding="utf-8")
    bad = broken(faq_file)
    save(faq_file, bad)
    assert live.refresh().first_report is True
    save(faq_file, good)  # staff revert their edit
    assert live.refresh().status == "unchanged"
    save(faq_file, bad)  # ... and later make the same mistake again
    result = live.refresh()
    assert (result.status, result.first_report) == ("failed", True)
