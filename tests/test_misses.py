"""staff.misses and `python -m faq misses`: missed questions grouped for staff."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from faq.loader import DEFAULT_FAQ_PATH, load_faq
from faq.matcher import Matcher, matcher_for
from faq.model import FAQ, Clinic, Entry, Reference, Thresholds, Topic
from records.store import MissDecision, MissRow, Store, UserKey, pseudonymise
from staff.cli import main
from staff.misses import MissGroup, group_misses, looks_urgent

FIXTURE = Path(__file__).parent / "data" / "misses-fixture.tsv"
SECRET = b"a test secret that is long enough"
NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)


def fixture_rows() -> list[MissRow]:
    with FIXTURE.open(encoding="utf-8", newline="") as f:
        lines = list(csv.DictReader(f, delimiter="\t"))
    decisions: dict[str, MissDecision] = {"none": "none", "clarify": "clarify"}
    return [
        MissRow(
            text=line["text"],
            decision=decisions[line["decision"]],
            at=NOW - timedelta(minutes=n),
            best_entry=None,
            best_score=None,
            user=pseudonymise(int(line["user"]), SECRET),
        )
        for n, line in enumerate(lines)
    ]


def row(text: str, user: int = 1, decision: MissDecision = "none") -> MissRow:
    return MissRow(text, decision, NOW, None, None, UserKey(f"user{user}"))


def small_faq() -> FAQ:
    ref = Reference("ref", "A reference.")

    def entry(entry_id: str, question: str, *alternates: str) -> Entry:
        return Entry(entry_id, "about", "info", question, alternates, "An answer.", (ref,))

    return FAQ(
        path=Path("small.yaml"),
        clinic=Clinic("Clinic"),
        disclaimer="Not medical advice.",
        urgent_message="Call 112.",
        urgent_rules=(),
        fallback="Sorry.",
        topics=(Topic("about", "About"),),
        thresholds=Thresholds(),
        synonyms=(),
        references=(ref,),
        entries=(
            entry("what-is", "What is dystonia?", "explain dystonia"),
            entry(
                "daily-life", "Can I keep working with dystonia?", "can I drive a car with dystonia"
            ),
            entry(
                "injections",
                "Are botulinum toxin injections for dystonia safe?",
                "is botox safe for dystonia",
            ),
            entry("exercise", "Does exercise help dystonia?", "stretching for dystonia"),
        ),
    )


@pytest.fixture
def shipped() -> Matcher:
    return matcher_for(load_faq())


def test_near_duplicates_are_grouped_and_the_largest_group_comes_first(
    shipped: Matcher,
) -> None:
    groups = group_misses(fixture_rows(), shipped)
    assert [g.count for g in groups] == sorted((g.count for g in groups), reverse=True)
    assert sum(g.count for g in groups) == len(fixture_rows())
    driving, botox, yoga = groups[:3]
    assert driving.count == 5
    assert all("driv" in text.lower() for text in driving.examples)
    assert botox.count == 3
    assert all("botox" in text for text in botox.examples)
    assert yoga.count == 3
    assert all("yoga" in text for text in yoga.examples)


def test_a_shared_common_word_does_not_make_questions_alike(shipped: Matcher) -> None:
    # Both say "dystonia", as nearly every question does; that alone must not group them.
    groups = group_misses(
        [row("is dystonia contagious"), row("can I drive with dystonia")], shipped
    )
    assert [g.count for g in groups] == [1, 1]


def test_a_group_counts_people_and_both_kinds_of_miss(shipped: Matcher) -> None:
    (driving, *_) = group_misses(fixture_rows(), shipped)
    assert driving.people == 4  # user 1 asked twice
    assert (driving.unanswered, driving.clarified) == (5, 0)


def test_examples_are_at_most_three_distinct_texts_most_asked_first(shipped: Matcher) -> None:
    rows = [row("Can I drive with dystonia?", n) for n in range(3)]
    rows += [row("can i drive with  dystonia?", 9)]  # same text but for case and spacing
    rows += [
        row("driving with dystonia allowed?"),
        row("is driving with dystonia safe"),
        row("can I drive a car with dystonia"),
    ]
    (group,) = group_misses(rows, shipped)
    assert group.count == 7
    assert len(group.examples) == 3
    assert group.examples[0] == "Can I drive with dystonia?"
    assert len({text.casefold() for text in group.examples}) == 3


def test_each_group_names_the_entry_its_questions_come_closest_to() -> None:
    matcher = matcher_for(small_faq())
    rows = [
        row("can I drive with dystonia", 1),
        row("driving with dystonia allowed?", 2),
        row("is botox safe in pregnancy", 3),
        row("botox during pregnancy", 4),
        row("botox when pregnant", 5),
        row("does yoga and stretching help", 6),
    ]
    groups = group_misses(rows, matcher)
    assert [(g.count, g.nearest_id) for g in groups] == [
        (3, "injections"),
        (2, "daily-life"),
        (1, "exercise"),
    ]
    for group in groups:
        assert 0 < group.nearest_score <= 1


def test_the_nearest_score_is_the_groups_mean_score_for_that_entry() -> None:
    matcher = matcher_for(small_faq())
    texts = ["is botox safe in pregnancy", "botox during pregnancy", "botox when pregnant"]
    (group,) = group_misses([row(t) for t in texts], matcher)
    scores = [next(m.score for m in matcher.rank(t) if m.entry.id == "injections") for t in texts]
    assert group.nearest_score == pytest.approx(sum(scores) / 3, abs=0.005)


def test_questions_sharing_no_word_with_the_faq_have_no_nearest_entry() -> None:
    (group,) = group_misses([row("???"), row("🙏🙏", 2)], matcher_for(small_faq()))
    assert group == MissGroup(
        count=2,
        people=2,
        unanswered=2,
        clarified=0,
        examples=("???", "🙏🙏"),
        nearest_id=None,
        nearest_score=0.0,
    )


def test_no_rows_give_no_groups(shipped: Matcher) -> None:
    assert group_misses([], shipped) == []


# -- the command -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAQ_PATH", str(DEFAULT_FAQ_PATH))
    monkeypatch.delenv("BOT_DATA_DIR", raising=False)


def test_misses_command_prints_groups_largest_first_with_nearest_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store(tmp_path) as db:
        for r in fixture_rows():
            db.record_question(r.text, r.decision, r.user, at=datetime.now(UTC))
    assert main(["misses", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Questions the bot did not answer in the last 30 days: 15 ")
    # Known unknowns are listed apart, as the clinic's wishlist, most asked first.
    wishlist = out.split("\n\n")[1]
    assert wishlist.startswith("Asked about topics this FAQ does not cover")
    assert "- driving, and rules at work (driving-and-work): 5 from 4 people\n" in wishlist
    assert "(exercise-and-yoga): 3 from 3 people" in wishlist
    assert wishlist.index("driving-and-work") < wishlist.index("exercise-and-yoga")
    assert '"will yoga help dystonia"' in wishlist
    # The rest are grouped as before.
    assert "1. 2 questions from 1 person\n" in out
    assert "   nearest: none (no entry shares a word with these)" in out
    # "is dystonia contagious" now has a not-covered topic of its own
    assert "(passing-to-others): 1 from 1 person" in wishlist
    assert "alternates:" in out  # the closing hint


def test_misses_command_only_looks_at_the_period_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store(tmp_path) as db:
        db.record_question(
            "can I drive", "none", UserKey("u"), at=datetime.now(UTC) - timedelta(days=10)
        )
    assert main(["misses", "--since", "7", "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "No missed questions in the last 7 days.\n"


def test_misses_command_without_a_database_says_so_and_creates_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "nothing-here"
    assert main(["misses", "--data-dir", str(data_dir)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "no bot database" in captured.err
    assert not data_dir.exists()


def test_misses_command_reads_bot_data_dir_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    Store(tmp_path).close()
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    assert main(["misses"]) == 0
    assert capsys.readouterr().out == "No missed questions in the last 30 days.\n"


def test_misses_command_defaults_to_the_data_folder_here(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["misses"]) == 1
    assert "no bot database in data " in capsys.readouterr().err


def test_misses_command_reports_a_damaged_database_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bot.sqlite3").write_bytes(b"this is not a database" * 100)
    assert main(["misses", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert err.count("\n") == 1


def test_misses_command_refuses_a_period_that_is_not_a_number_of_days(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["misses", "--since", "0"])
    assert exited.value.code == 2
    assert "not a whole number of days" in capsys.readouterr().err


def test_groups_with_emergency_words_come_first_marked_for_the_engineers(
    shipped: Matcher,
) -> None:
    """A missed emergency (say in Hinglish) is not an ordinary miss under 'add alternates'."""
    rows = [row("can i drive with this", user) for user in range(5)]
    rows.append(row("dadi ko saans lene me bahut pareshani", 9))
    groups = group_misses(rows, shipped)
    assert groups[0].looks_urgent
    assert groups[0].examples == ("dadi ko saans lene me bahut pareshani",)
    assert not groups[1].looks_urgent


@pytest.mark.parametrize(
    "text",
    ["my father fainted and wont wake", "उसे सांस लेने में परेशानी है", "behoshi aa rahi hai"],
)
def test_emergency_words_are_recognised_in_each_language(text: str) -> None:
    """English, Devanagari and Hinglish spellings alike."""
    assert looks_urgent(text)


@pytest.mark.parametrize("text", ["is it worse in the cold weather", "mera naam mark hai"])
def test_ordinary_questions_do_not_look_urgent(text: str) -> None:
    assert not looks_urgent(text)
