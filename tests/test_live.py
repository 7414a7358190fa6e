"""faq.live.LiveFAQ: the bot keeps serving the last good FAQ while staff edit the file."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from faq.live import LiveFAQ
from faq.loader import DEFAULT_FAQ_PATH, check_faq
from faq.matcher import Answer
from faq.problems import FAQError
from faq.reader import FaqLimits

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


# -- a hostile or accidental FAQ_PATH ------------------------------------------------------


def _never(*args: object, **kwargs: object) -> None:
    raise AssertionError("the file was read or parsed")


@pytest.mark.timeout(20)
def test_fifty_megabyte_broken_file_is_refused_at_once_and_never_reread(
    faq_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size cap refuses a huge file from its status alone, now and on every refresh."""
    live = LiveFAQ(faq_file)
    first = live.load()
    with faq_file.open("wb") as out:  # 50 MB of a broken list
        out.write(b"entries: [\n" + b"  - [unclosed,\n" * (50 * 1024 * 1024 // 15))
    assert faq_file.stat().st_size > 50_000_000
    monkeypatch.setattr("faq.live.read_file", _never)
    monkeypatch.setattr("faq.live.check_faq", _never)
    result = live.refresh()
    assert (result.status, result.first_report) == ("failed", True)
    [problem] = result.problems
    assert (problem.line, problem.col) == (1, 1)
    assert problem.message.startswith(f"the file is {faq_file.stat().st_size:,} bytes")
    assert "FAQ_MAX_BYTES" in problem.hint
    again = live.refresh()
    assert (again.status, again.first_report) == ("failed", False)
    assert again.problems == result.problems
    assert live.current is first


@pytest.mark.timeout(10)
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_faq_replaced_by_a_named_pipe_fails_at_once_and_keeps_serving(faq_file: Path) -> None:
    """A FIFO at FAQ_PATH never blocks a refresh (nor, through it, shutdown)."""
    live = LiveFAQ(faq_file)
    first = live.load()
    faq_file.unlink()
    os.mkfifo(faq_file)
    result = live.refresh()
    assert result.status == "failed"
    assert [p.message for p in result.problems] == ["this is a named pipe, not an FAQ file"]
    assert live.refresh(force=True).first_report is False
    assert live.current is first


@pytest.mark.timeout(10)
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_faq_replaced_by_a_symlink_to_dev_zero_fails_at_once(faq_file: Path) -> None:
    """Endless bytes are refused from the path's status, never read."""
    live = LiveFAQ(faq_file)
    first = live.load()
    faq_file.unlink()
    faq_file.symlink_to("/dev/zero")
    result = live.refresh()
    assert [p.message for p in result.problems] == ["this is a device, not an FAQ file"]
    assert live.current is first


def test_faq_over_the_entry_cap_is_refused_with_a_located_message(faq_file: Path) -> None:
    """A valid FAQ with more entries than FAQ_MAX_ENTRIES is refused, located."""
    live = LiveFAQ(faq_file, limits=FaqLimits(max_entries=5))
    with pytest.raises(FAQError) as raised:
        live.load()
    [problem] = [p for p in raised.value.problems if " entries;" in p.message]
    assert problem.message.endswith("entries; the bot accepts at most 5")
    assert problem.line > 1
    assert str(problem).startswith(f"{faq_file}:{problem.line}:{problem.col}: ")


def test_a_failed_version_is_parsed_once_however_often_it_is_seen(
    faq_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken version is remembered by digest: later refreshes and touches reuse it."""
    live = LiveFAQ(faq_file)
    live.load()
    calls: list[Path] = []

    def counting(path: Path, raw: bytes | None = None, **kw: FaqLimits) -> object:
        calls.append(path)
        return check_faq(path, raw, **kw)

    monkeypatch.setattr("faq.live.check_faq", counting)
    save(faq_file, broken(faq_file))
    for _ in range(3):
        assert live.refresh().status == "failed"
    touch(faq_file)
    assert live.refresh().status == "failed"
    assert len(calls) == 1


@pytest.mark.timeout(20)
def test_a_refresh_while_another_runs_returns_at_once_instead_of_queueing(
    faq_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reload jobs never pile up behind a slow one: the second returns 'busy'."""
    live = LiveFAQ(faq_file)
    live.load()
    entered, release = threading.Event(), threading.Event()

    def slow(path: Path, raw: bytes | None = None, **kw: FaqLimits) -> object:
        entered.set()
        release.wait(10)
        return check_faq(path, raw, **kw)

    monkeypatch.setattr("faq.live.check_faq", slow)
    save(faq_file, edited(faq_file))
    results: list[str] = []
    worker = threading.Thread(target=lambda: results.append(live.refresh().status))
    worker.start()
    assert entered.wait(10)
    assert live.refresh().status == "busy"
    release.set()
    worker.join(10)
    assert results == ["reloaded"]
    assert served_answer(live).startswith(NEW_ANSWER_START)


def test_stat_shortcut_skips_reading_an_old_unchanged_file(
    faq_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose status is unchanged (and not freshly written) is not even read."""
    old = 1_000_000_000_000_000_000  # 2001: well past any timestamp granularity
    os.utime(faq_file, ns=(old, old))
    live = LiveFAQ(faq_file)
    first = live.load()
    monkeypatch.setattr("faq.live.read_file", _never)
    assert live.refresh().status == "unchanged"
    assert live.current is first
