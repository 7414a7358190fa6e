"""staff.stats and `python -m faq stats`: the usage and feedback report."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from faq.loader import DEFAULT_FAQ_PATH, load_faq
from faq.model import FAQ
from records.store import Store, UserKey
from staff.cli import main
from staff.stats import DayStats, EntryStats, Stats, collect_stats, render_text, write_html_report

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
ALICE, BOB = UserKey("alice-key"), UserKey("bob-key")
HOSTILE = "<script>alert('x')</script>"


@pytest.fixture
def faq() -> FAQ:
    return load_faq()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "data") as opened:
        yield opened


def fill(db: Store) -> None:
    for n in range(3):
        db.record_answer("symptoms", ALICE, "match", at=NOW - timedelta(days=n))
    db.record_answer("types", BOB, "button", at=NOW - timedelta(days=1))
    db.record_answer("types", BOB, "button", at=NOW - timedelta(days=60))  # before the period
    db.record_feedback("symptoms", ALICE, True, at=NOW - timedelta(days=1))
    db.record_feedback("symptoms", BOB, False, at=NOW - timedelta(days=1))
    db.record_question("can I drive", "none", ALICE, at=NOW - timedelta(days=2))
    db.record_question("yoga?", "clarify", BOB, at=NOW - timedelta(days=2))
    db.record_question("diet?", "none", BOB, at=NOW)


def entry_stats(stats: Stats, entry_id: str) -> EntryStats:
    return next(e for e in stats.entries if e.entry_id == entry_id)


def test_stats_count_answers_feedback_and_misses_within_the_period(db: Store, faq: FAQ) -> None:
    fill(db)
    stats = collect_stats(db, faq, 30, now=NOW)
    question = next(e.question for e in faq.entries if e.id == "symptoms")
    assert entry_stats(stats, "symptoms") == EntryStats(
        "symptoms", question, answers=3, helpful=1, not_helpful=1
    )
    assert entry_stats(stats, "types").answers == 1
    assert (stats.total_answers, stats.total_unanswered, stats.total_clarified) == (4, 2, 1)


def test_every_faq_entry_is_listed_most_answered_first(db: Store, faq: FAQ) -> None:
    fill(db)
    stats = collect_stats(db, faq, 30, now=NOW)
    assert {e.entry_id for e in stats.entries} == {e.id for e in faq.entries}
    assert [e.entry_id for e in stats.entries[:2]] == ["symptoms", "types"]
    unused = [e.entry_id for e in stats.entries if not e.answers]
    assert unused == [e.id for e in faq.entries if e.id not in ("symptoms", "types")]


def test_entries_no_longer_in_the_faq_still_show(db: Store, faq: FAQ) -> None:
    db.record_answer("retired-entry", ALICE, "deeplink", at=NOW)
    stats = collect_stats(db, faq, 30, now=NOW)
    retired = entry_stats(stats, "retired-entry")
    assert (retired.answers, retired.in_faq) == (1, False)
    assert "retired-entry *" in render_text(stats)


def test_every_day_of_the_period_has_a_row_even_without_misses(db: Store, faq: FAQ) -> None:
    fill(db)
    stats = collect_stats(db, faq, 7, now=NOW)
    assert [d.day for d in stats.days] == [date(2025, 6, 23) + timedelta(days=n) for n in range(8)]
    assert stats.days[-3] == DayStats(date(2025, 6, 28), unanswered=1, clarified=1)
    assert stats.days[-1] == DayStats(date(2025, 6, 30), unanswered=1, clarified=0)
    assert sum(d.unanswered + d.clarified for d in stats.days[:-3]) == 0


def test_text_report_has_totals_a_row_per_entry_and_the_missed_days(db: Store, faq: FAQ) -> None:
    fill(db)
    text = render_text(collect_stats(db, faq, 30, now=NOW))
    lines = text.splitlines()
    assert lines[0] == "Usage from 2025-05-31 to 2025-06-30 (last 30 days, UTC)"
    assert "Answers sent: 4" in lines[1]
    assert "Unanswered questions: 2" in lines[1]
    assert re.search(r"^Entry +Answers +Helpful +Not helpful$", text, re.M)
    assert re.search(r"^symptoms +3 +1 +1$", text, re.M)
    assert re.search(r"^what-is-dystonia +0 +0 +0$", text, re.M)
    assert re.search(r"^2025-06-28 +1 +1$", text, re.M)
    assert "2025-06-29" not in text  # quiet days are left out of the text


def test_text_report_of_a_quiet_period_says_nothing_was_missed(db: Store, faq: FAQ) -> None:
    text = render_text(collect_stats(db, faq, 30, now=NOW))
    assert "No unanswered questions in this period." in text


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]


def test_html_report_is_one_self_contained_page_with_svg_charts(
    db: Store, faq: FAQ, tmp_path: Path
) -> None:
    fill(db)
    path = tmp_path / "report.html"
    write_html_report(collect_stats(db, faq, 30, now=NOW), path)
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 3  # answers, helpfulness, misses per day
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags
    assert {"link", "img", "iframe", "object"}.isdisjoint(parser.tags)
    assert {"src", "href"}.isdisjoint(parser.attrs)  # nothing fetched from anywhere
    assert not any(a.startswith("on") for a in parser.attrs)
    assert "url(" not in page
    assert "symptoms" in page


def test_html_report_of_a_quiet_period_still_renders(db: Store, faq: FAQ, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    write_html_report(collect_stats(db, faq, 30, now=NOW), path)
    page = path.read_text(encoding="utf-8")
    assert "No answers were sent in this period." in page
    assert "Nobody rated an answer in this period." in page
    assert "<svg" in page  # the per-day chart, all zero


def test_html_report_escapes_hostile_entry_ids_and_questions(
    db: Store, faq: FAQ, tmp_path: Path
) -> None:
    first = dataclasses.replace(faq.entries[0], question=HOSTILE)
    hostile_faq = dataclasses.replace(faq, entries=(first, *faq.entries[1:]))
    db.record_answer(HOSTILE, ALICE, "match", at=NOW)
    db.record_feedback(HOSTILE, ALICE, False, at=NOW)
    db.record_answer(first.id, ALICE, "match", at=NOW)
    path = tmp_path / "report.html"
    write_html_report(collect_stats(db, hostile_faq, 30, now=NOW), path)
    page = path.read_text(encoding="utf-8")
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


# -- the command -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAQ_PATH", str(DEFAULT_FAQ_PATH))
    monkeypatch.delenv("BOT_DATA_DIR", raising=False)


def test_stats_command_prints_the_table_and_writes_the_html_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store(tmp_path) as db:
        db.record_answer("symptoms", ALICE, "match")
        db.record_feedback("symptoms", ALICE, True)
    report = tmp_path / "report.html"
    assert main(["stats", "--since", "7", "--data-dir", str(tmp_path), "--html", str(report)]) == 0
    out = capsys.readouterr().out
    assert "(last 7 days, UTC)" in out
    assert re.search(r"^symptoms +1 +1 +0$", out, re.M)
    assert f"Report written to {report}" in out
    assert "<svg" in report.read_text(encoding="utf-8")


def test_stats_command_without_a_database_says_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--data-dir", str(tmp_path), "--html", str(tmp_path / "r.html")]) == 1
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1
    assert "no bot database" in captured.err
    assert not (tmp_path / "r.html").exists()


def test_stats_command_reports_an_unwritable_html_path_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Store(tmp_path).close()
    target = tmp_path / "no-such-folder" / "report.html"
    assert main(["stats", "--data-dir", str(tmp_path), "--html", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert err.count("\n") == 1


def test_urgent_replies_are_counted_per_day_and_per_rule_never_with_text(tmp_path: Path) -> None:
    """Staff see how often the urgent reply went out, and why; never what was written."""
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    with Store(tmp_path) as store:
        store.record_urgent("choking", now - timedelta(days=2))
        store.record_urgent("choking", now)
        store.record_urgent("breathing difficulty", now)
        stats = collect_stats(store, load_faq(DEFAULT_FAQ_PATH), 30, now=now)
        text = render_text(stats)
        assert store.purge(1, now) == 1  # the retention limit applies to these too
    assert stats.total_urgent == 3
    assert stats.urgent_rules == (("choking", 2), ("breathing difficulty", 1))
    assert "Urgent-care replies: 3" in text
    assert "2026-03-10       2" in text
