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


def test_self_test_findings_are_one_summary_line_with_their_count(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The shipped FAQ's many self-test findings print as a single counted warning."""
    findings = self_test(matcher_for(load_faq(DEFAULT_FAQ_PATH)))
    assert findings, "the shipped FAQ has self-test findings to summarise"
    code, lines = run(capsys)
    assert code == EXIT_OK
    summary = [line for line in lines if "the self-test found" in line]
    assert len(summary) == 1
    assert f"the self-test found {len(findings)} phrasings" in summary[0]
    assert "--verbose" in summary[0]
    first = min(findings)
    assert summary[0].startswith(f"{DEFAULT_FAQ_PATH}:{first.line}:{first.col}: warning: ")
    assert not any("is confused with" in line or "leads to entry" in line for line in lines)
    # The total counts every finding, plus the other warnings (each on its own line).
    others = [line for line in lines[:-1] if "warning:" in line and line not in summary]
    assert lines[-1].endswith(f"; {len(findings) + len(others)} warnings")


def test_verbose_lists_every_self_test_finding(capsys: pytest.CaptureFixture[str]) -> None:
    """--verbose prints each finding at its own line instead of the summary."""
    findings = self_test(matcher_for(load_faq(DEFAULT_FAQ_PATH)))
    code, lines = run(capsys, "--verbose")
    assert code == EXIT_OK
    expected = [str(p) for p in sorted(findings)]
    # Other warnings (the Hindi review list, the empty contact details) may come between.
    assert [line for line in lines if line in set(expected)] == expected
    assert not any("the self-test found" in line for line in lines)


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
