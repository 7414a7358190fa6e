"""The staff command line, `python -m faq`: its exit codes and output formats are a contract."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from faq.loader import DEFAULT_FAQ_PATH, load_faq
from faq.translations import translation_path
from staff.cli import main

REPO = Path(__file__).resolve().parent.parent
HINDI_PATH = translation_path(DEFAULT_FAQ_PATH, "hi")
DEV = REPO / "tests" / "data" / "dev-questions.tsv"
DECISIONS = {"urgent", "answer", "clarify", "none"}
JSON_KEYS = {"query", "decision", "id", "score", "suggestions"}
TRACEBACK = "Traceback (most recent call last)"


@pytest.fixture(autouse=True)
def no_faq_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start from the shipped FAQ whatever the developer's shell exports."""
    monkeypatch.setenv("FAQ_PATH", str(DEFAULT_FAQ_PATH))


@pytest.fixture
def broken_faq(tmp_path: Path) -> tuple[Path, int]:
    """A copy of the shipped FAQ with a tab on one line, and that line's number."""
    text = DEFAULT_FAQ_PATH.read_text(encoding="utf-8")
    assert text.count("\nmatching:\n  answer_threshold:") == 1
    text = text.replace("\nmatching:\n  answer_threshold:", "\nmatching:\n\tanswer_threshold:")
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    line = text[: text.index("\t")].count("\n") + 1
    return path, line


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    """Exit code, stdout lines and stderr of `python -m faq ARGV`, run in-process."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def feed_stdin(monkeypatch: pytest.MonkeyPatch, *lines: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(f"{line}\n" for line in lines)))


# -- check ------------------------------------------------------------------------------


def test_check_passes_the_shipped_faq_with_one_ok_summary_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, lines, err = run(capsys, "check")
    assert code == 0
    summaries = [line for line in lines if ": OK: " in line]
    assert summaries == [lines[-2]]
    assert lines[-2].startswith(f"{DEFAULT_FAQ_PATH}: OK: ")
    assert re.search(r"OK: 2\d entries, \d+ phrasings, \d+ topics", lines[-2])
    assert lines[-1].startswith("self-test: ")
    # Everything before the summary is a located warning, never an error (the Hindi file
    # beside the FAQ is checked too).
    files = "|".join(re.escape(str(p)) for p in (DEFAULT_FAQ_PATH, HINDI_PATH))
    for line in lines[:-2]:
        assert re.match(rf"({files}):\d+:\d+: warning: ", line), line
    assert TRACEBACK not in err


def test_check_without_self_test_reports_fewer_warnings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, with_self_test, _ = run(capsys, "check")
    code, without, _ = run(capsys, "check", "--no-self-test")
    assert code == 0
    assert ": OK: " in without[-1]
    assert not any(line.startswith("self-test") for line in without)
    assert len(without) < len(with_self_test)


def _assert_located_failure(code: int, lines: list[str], err: str, path: Path, line: int) -> None:
    assert code == 1
    assert TRACEBACK not in err
    assert TRACEBACK not in "\n".join(lines)
    located = [x for x in lines if re.match(rf"{re.escape(str(path))}:\d+:\d+: ", x)]
    assert located, lines
    assert located[0].startswith(f"{path}:{line}:1: tab character")
    assert lines[-1] == f"{path}: 1 error; the bot keeps using the last good FAQ"


def test_check_fails_a_broken_file_given_as_argument_with_located_lines(
    capsys: pytest.CaptureFixture[str], broken_faq: tuple[Path, int]
) -> None:
    path, line = broken_faq
    _assert_located_failure(*run(capsys, "check", str(path)), path, line)


def test_check_fails_a_broken_file_given_with_faq_option(
    capsys: pytest.CaptureFixture[str], broken_faq: tuple[Path, int]
) -> None:
    path, line = broken_faq
    _assert_located_failure(*run(capsys, "check", "--faq", str(path)), path, line)


def test_check_fails_a_broken_file_named_by_faq_path_variable(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    broken_faq: tuple[Path, int],
) -> None:
    path, line = broken_faq
    monkeypatch.setenv("FAQ_PATH", str(path))
    _assert_located_failure(*run(capsys, "check"), path, line)


def test_check_honours_faq_option_given_before_the_command(
    capsys: pytest.CaptureFixture[str], broken_faq: tuple[Path, int]
) -> None:
    path, line = broken_faq
    _assert_located_failure(*run(capsys, "--faq", str(path), "check"), path, line)


def test_check_reports_a_missing_file_without_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "gone.yaml"
    code, lines, err = run(capsys, "check", str(path))
    assert code == 1
    assert lines[0] == f"{path}:1:1: file not found (hint: check the path, or set FAQ_PATH)"
    assert TRACEBACK not in err


def test_python_dash_m_faq_check_runs_as_a_module() -> None:
    env = {**os.environ, "FAQ_PATH": str(DEFAULT_FAQ_PATH)}
    result = subprocess.run(
        [sys.executable, "-m", "faq", "check", "--no-self-test"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert ": OK: " in result.stdout.splitlines()[-1]
    assert TRACEBACK not in result.stderr


# -- ask --------------------------------------------------------------------------------


def test_ask_json_prints_one_object_per_input_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    questions = [
        "does stress make dystonia worse",
        "",
        "i cant breathe",
        "how long does treatment take and what results",
        "what's the weather in pune",
        "   ",
    ]
    feed_stdin(monkeypatch, *questions)
    code, lines, err = run(capsys, "ask", "--json", "-")
    assert code == 0, err
    assert len(lines) == len(questions)
    objects = [json.loads(line) for line in lines]
    assert [o["query"] for o in objects] == questions
    for o in objects:
        assert set(o) == JSON_KEYS
        assert o["decision"] in DECISIONS
        assert isinstance(o["score"], int | float)
        assert 0.0 <= o["score"] <= 1.0
        assert (o["id"] is not None) == (o["decision"] == "answer")
        assert isinstance(o["suggestions"], list)
        for s in o["suggestions"]:
            assert set(s) == {"id", "score"}
            assert isinstance(s["id"], str)
            assert 0.0 <= s["score"] <= 1.0
    by_query = {o["query"]: o for o in objects}
    assert by_query["does stress make dystonia worse"]["decision"] == "answer"
    assert by_query["does stress make dystonia worse"]["id"] == "stress"
    assert by_query[""]["decision"] == "none"
    assert by_query["i cant breathe"]["decision"] == "urgent"
    assert by_query["i cant breathe"]["id"] is None
    tie = by_query["how long does treatment take and what results"]
    assert tie["decision"] == "clarify"
    assert {s["id"] for s in tie["suggestions"]} >= {"time-to-improve", "outcomes"}
    assert by_query["what's the weather in pune"]["decision"] == "none"


def test_ask_json_with_a_question_argument(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = run(capsys, "ask", "--json", "what", "is", "dystonia")
    assert code == 0
    [line] = lines
    obj = json.loads(line)
    assert obj == {
        "query": "what is dystonia",
        "decision": "answer",
        "id": "what-is-dystonia",
        "score": obj["score"],
        "suggestions": [],
    }


def test_ask_shows_decision_entry_score_and_runners_up(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, lines, _ = run(capsys, "ask", "does stress make dystonia worse")
    assert code == 0
    assert lines[0] == "? does stress make dystonia worse"
    assert re.match(r"  answer: stress \(score [01]\.\d\d\) \"Does stress make", lines[1])
    assert re.match(r"  runners-up: [a-z-]+ \([01]\.\d\d\)(, [a-z-]+ \([01]\.\d\d\))*$", lines[2])


def test_ask_shows_clarify_candidates_and_urgent_rule(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_stdin(monkeypatch, "how long does treatment take and what results", "she is choking")
    code, lines, _ = run(capsys, "ask", "-")
    assert code == 0
    text = "\n".join(lines)
    assert re.search(r"clarify: did you mean time-to-improve \(0\.\d\d\), outcomes", text)
    assert "urgent: rule 'choking' fired" in text


def test_ask_with_a_broken_faq_exits_1_with_located_errors(
    capsys: pytest.CaptureFixture[str], broken_faq: tuple[Path, int]
) -> None:
    path, line = broken_faq
    code, lines, err = run(capsys, "ask", "--faq", str(path), "hello")
    assert code == 1
    assert lines == []
    assert err.startswith(f"{path}:{line}:1: tab character")
    assert TRACEBACK not in err


# -- eval -------------------------------------------------------------------------------

FIGURES = (
    "in-scope answered right",
    "in-scope right or suggested",
    "out-of-scope abstained",
    "wrong confident answers",
    "urgent caught",
    "false urgent",
)


def test_eval_prints_the_six_figures(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = run(capsys, "eval", str(DEV))
    assert code == 0
    assert lines[0].startswith("questions: ")
    for figure in FIGURES:
        [line] = [x for x in lines if x.startswith(f"{figure}:")]
        assert re.search(r":\s+\d+(\.\d)?%?", line), line


def test_eval_misses_lists_each_miss_with_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tsv = tmp_path / "labels.tsv"
    tsv.write_text(
        "question\taccept\tcategory\n"
        "does stress make dystonia worse\tstress\tin\n"
        "does stress make dystonia worse\tsources\tin\n"
        "i cant breathe\tnone\toos\n",
        encoding="utf-8",
    )
    code, lines, _ = run(capsys, "eval", str(tsv), "--misses")
    assert code == 0
    text = "\n".join(lines)
    assert f"{tsv}:3: [in] 'does stress make dystonia worse'" in text
    assert "expected sources; got answer stress" in text
    assert f"{tsv}:4: [oos] 'i cant breathe'" in text
    assert f"{tsv}:2:" not in text  # answered right, so not a miss
    assert "false urgent:                      1" in text


@pytest.mark.parametrize(
    ("content", "where", "message"),
    [
        ("question\taccept\tcategory\nhi\tgreeting\n", 2, "expected 3 tab-separated columns"),
        ("hi\tgreeting\tin\nbye\tthanks\tmaybe\n", 2, "unknown category 'maybe'"),
        ("hi\t \tin\n", 1, "the accept column is empty"),
    ],
    ids=["two-columns", "bad-category", "empty-accept"],
)
def test_eval_malformed_tsv_is_a_located_error(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    content: str,
    where: int,
    message: str,
) -> None:
    tsv = tmp_path / "bad.tsv"
    tsv.write_text(content, encoding="utf-8")
    code, lines, err = run(capsys, "eval", str(tsv))
    assert code == 1
    assert lines == []
    assert err.startswith(f"{tsv}:{where}:1: {message}")
    assert TRACEBACK not in err


def test_eval_missing_tsv_is_an_error_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "eval", str(tmp_path / "none.tsv"))
    assert code == 1
    assert err.startswith(f"{tmp_path / 'none.tsv'}:1:1: cannot read")
    assert TRACEBACK not in err


# -- dump -------------------------------------------------------------------------------


def test_dump_json_has_the_documented_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = run(capsys, "dump", "--json")
    assert code == 0
    data = json.loads("\n".join(lines))
    faq = load_faq()
    assert data["path"] == str(DEFAULT_FAQ_PATH)
    assert data["disclaimer"] == faq.disclaimer
    assert "If you or someone with you is in danger, call 112" in data["urgent"]["message"]
    assert data["fallback"]
    assert [e["id"] for e in data["entries"]] == [e.id for e in faq.entries]
    for entry, source in zip(data["entries"], faq.entries, strict=True):
        assert {"id", "topic", "question", "alternates", "answer", "references"} <= set(entry)
        assert entry["topic"] in {t.id for t in faq.topics}
        assert entry["question"] == source.question
        assert entry["alternates"] == list(source.alternates)
        assert entry["answer"]
        assert all(isinstance(r, str) and r for r in entry["references"])
        if source.kind == "medical":
            assert entry["references"], entry["id"]
            # full citation strings, not the keys they are listed under
            assert entry["references"] == [r.citation for r in source.references]
            assert not set(entry["references"]) & {r.key for r in source.references}


def test_dump_json_fills_in_every_contact_placeholder(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, lines, _ = run(capsys, "dump", "--json")
    data = json.loads("\n".join(lines))
    texts = [data["urgent"]["message"], data["fallback"], *(e["answer"] for e in data["entries"])]
    assert not [t for t in texts if "{contact}" in t]
    contact = load_faq().clinic.contact_text
    assert contact in data["fallback"]
    [contact_entry] = [e for e in data["entries"] if e["id"] == "contact-clinic"]
    assert contact in contact_entry["answer"]


def test_dump_with_a_broken_faq_exits_1(
    capsys: pytest.CaptureFixture[str], broken_faq: tuple[Path, int]
) -> None:
    path, line = broken_faq
    code, lines, err = run(capsys, "dump", "--json", "--faq", str(path))
    assert code == 1
    assert lines == []
    assert f"{path}:{line}:1:" in err
    assert TRACEBACK not in err
