"""`python -m faq check` speaks to staff: one line for the self-test, --verbose for the list."""

from __future__ import annotations

from pathlib import Path

import pytest

from faq.cli import EXIT_OK, EXIT_USAGE
from faq.loader import DEFAULT_FAQ_PATH, load_faq
from faq.matcher import matcher_for
from faq.selftest import self_test
from staff.cli import main


@pytest.fixture(autouse=True)
def shipped_faq_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("FAQ_MAX_BYTES", "FAQ_MAX_ENTRIES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FAQ_PATH", str(DEFAULT_FAQ_PATH))
    monkeypatch.chdir(tmp_path)  # no .env from the working folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    code = main(["check", *argv])
    return code, capsys.readouterr().out.splitlines()


def test_the_shipped_faq_has_no_self_test_confusions(capsys: pytest.CaptureFixture[str]) -> None:
    """A clean shipped file prints no self-test warning: staff see only what is theirs."""
    findings = self_test(matcher_for(load_faq(DEFAULT_FAQ_PATH)))
    confusions = [str(p) for p in findings if p.severity != "note"]
    assert confusions == []
    code, lines = run(capsys)
    assert code == EXIT_OK
    assert not any("self-test" in line and "warning:" in line for line in lines)
    assert lines[-1].startswith("self-test: every phrasing leads to its own entry or to none")


def _faq_with_a_confusion(tmp_path: Path) -> Path:
    """The shipped FAQ with an assessment question put under 'thanks', as a hurried edit
    might do."""
    text = DEFAULT_FAQ_PATH.read_text(encoding="utf-8")
    marker = "    question: Thank you\n    alternates:\n"
    assert marker in text
    path = tmp_path / "faq.yaml"
    misplaced = "      - how will the doctor examine me for dystonia\n"
    path.write_text(text.replace(marker, marker + misplaced, 1), encoding="utf-8")
    return path


def test_a_confusion_is_one_summary_warning_with_its_count(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Self-test confusions print as a single counted warning at the first of them."""
    path = _faq_with_a_confusion(tmp_path)
    findings = [p for p in self_test(matcher_for(load_faq(path))) if p.severity == "warning"]
    assert findings, "the misplaced phrasing is a confusion"
    code, lines = run(capsys, str(path))
    assert code == EXIT_OK
    summary = [line for line in lines if "the self-test found" in line]
    count = len(findings)
    assert len(summary) == 1
    assert f"the self-test found {count} phrasing{'s' * (count != 1)}" in summary[0]
    assert "--verbose" in summary[0]
    first = min(findings)
    assert summary[0].startswith(f"{path}:{first.line}:{first.col}: warning: ")
    assert not any("is confused with" in line or "leads to entry" in line for line in lines)
    # The total counts every confusion, plus the other warnings (each on its own line).
    others = [line for line in lines[:-2] if "warning:" in line and line not in summary]
    assert lines[-2].endswith(f"; {count + len(others)} warnings")
    assert lines[-1].startswith(f"self-test: {count} phrasing")


def test_verbose_lists_every_self_test_finding_and_note(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--verbose prints each finding, notes included, at its own line instead of the summary."""
    findings = self_test(matcher_for(load_faq(DEFAULT_FAQ_PATH)))
    code, lines = run(capsys, "--verbose")
    assert code == EXIT_OK
    expected = [str(p) for p in sorted(findings)]
    # Other warnings (the Hindi review list, the empty contact details) may come between.
    assert [line for line in lines if line in set(expected)] == expected
    assert not any("the self-test found" in line for line in lines)
    assert "(--verbose lists them)" not in lines[-1]


def test_a_phrasing_alone_in_its_words_is_a_note_not_a_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """"good evening" is the only greeting with its words: information, nothing to fix."""
    notes = [p for p in self_test(matcher_for(load_faq(DEFAULT_FAQ_PATH))) if p.severity == "note"]
    assert notes
    assert all(str(p).split(": ", 1)[1].startswith("note: phrasing ") for p in notes)
    assert all("nothing to fix" in p.hint for p in notes)
    _, lines = run(capsys)
    assert not any("note:" in line for line in lines)
    assert f"{len(notes)} phrasings are the only ones in their words" in lines[-1]


def test_no_self_test_prints_no_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """Without the self-test there is nothing to summarise."""
    code, lines = run(capsys, "--no-self-test")
    assert code == EXIT_OK
    assert not any("self-test" in line for line in lines)


def test_check_applies_the_configured_entry_cap(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """FAQ_MAX_ENTRIES applies to the staff check exactly as to the bot."""
    monkeypatch.setenv("FAQ_MAX_ENTRIES", "5")
    code, lines = run(capsys, "--no-self-test")
    assert code == 1
    assert any("entries; the bot accepts at most 5" in line for line in lines)


def test_invalid_cap_setting_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cap that is not a number is named, not ignored."""
    monkeypatch.setenv("FAQ_MAX_BYTES", "two megabytes")
    assert main(["check"]) == EXIT_USAGE
    assert "FAQ_MAX_BYTES must be a whole number" in capsys.readouterr().err
