"""The FAQ checker: the shipped file is clean, and every kind of mistake staff can make in
the YAML is reported as a located problem (path:line:col) instead of crashing or passing.

Each test starts from a tiny valid FAQ (two entries, same layout as the shipped file),
changes one thing, and states where the problem is by searching the changed text, so the
expected line and column never come from the checker itself.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from faq.limits import MESSAGE_LIMIT, answer_message_length
from faq.loader import DEFAULT_FAQ_PATH, check_faq, load_faq
from faq.matcher import matcher_for
from faq.problems import FAQError, Problem

PUBLISHED_IDS = frozenset(
    {
        "what-is-dystonia",
        "what-causes-dystonia",
        "muscles-or-brain",
        "types",
        "symptoms",
        "daily-life",
        "progression",
        "stress",
        "relaxing-doesnt-help",
        "sensory-trick",
        "not-psychological",
        "normal-tests",
        "treatable",
        "non-invasive-treatment",
        "clinic-treatment",
        "assessment",
        "time-to-improve",
        "outcomes",
        "sources",
        "contact-clinic",
        "greeting",
        "thanks",
        "about-bot",
    }
)

MINIMAL_FAQ = """\
# A tiny FAQ for the checker tests: the shipped layout, two entries.
version: 1
clinic:
  name: Test Clinic
  phone: ""
  email: ""
  contact_missing: Please ask at the reception desk.
disclaimer: General information only, not medical advice.
urgent:
  message: |-
    Call 112 now.
    {contact}
  rules:
    - name: choking
      any:
        - '\\bchok(e|es|ed|ing)\\b'
fallback: |-
  Sorry, I have no answer to that.
  {contact}
topics:
  - id: about
    title: About dystonia
matching:
  answer_threshold: 0.45
  clarify_threshold: 0.30
  margin: 0.14
synonyms:
  - [spasm, spasms, contraction]
references:
  clinic-page:
    citation: Test Clinic. Patient information page on dystonia.
entries:
  - id: what-is-dystonia
    topic: about
    question: What is dystonia?
    alternates:
      - dystonia meaning
      - what does dystonia mean
      - explain dystonia to me
      - is dystonia a disease
      - dystonia definition
      - what kind of condition is dystonia
      - tell me about dystonia
      - what is this dystonia thing
    answer: |-
      Dystonia is a movement disorder.

      Muscles tighten on their own.
    references: [clinic-page]
    see_also: [contact-clinic]
  - id: contact-clinic
    topic: about
    kind: info
    question: How do I contact the clinic?
    alternates:
      - phone number
      - clinic address
      - how do i book an appointment
      - where is the clinic
      - email address
      - opening hours
      - how can i reach you
      - i want to see a doctor
    answer: |-
      Please get in touch with the clinic.
      {contact}
    references: []
"""

CONTACT_ALTERNATES = """\
    alternates:
      - phone number
      - clinic address
      - how do i book an appointment
      - where is the clinic
      - email address
      - opening hours
      - how can i reach you
      - i want to see a doctor
"""


# -- helpers ---------------------------------------------------------------------------


def mutate(text: str, old: str, new: str) -> str:
    """`text` with the one occurrence of `old` replaced (fails loudly if it is not unique)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def position(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the n-th occurrence of `needle` in `text`."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def the_error(path: Path) -> Problem:
    """The single error the checker reports for `path` (and that it refuses the file)."""
    faq, problems = check_faq(path)
    assert faq is None, "the checker accepted a broken file"
    found = errors(problems)
    assert len(found) == 1, "\n".join(map(str, problems))
    return found[0]


def at(problem: Problem) -> tuple[int, int]:
    return problem.line, problem.col


@pytest.fixture
def write_faq(tmp_path: Path) -> Callable[[str | bytes], Path]:
    def write(content: str | bytes) -> Path:
        path = tmp_path / "faq.yaml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
        return path

    return write


# -- the shipped FAQ and the baseline --------------------------------------------------


def test_shipped_faq_checks_without_errors_and_has_every_published_id() -> None:
    faq, problems = check_faq(DEFAULT_FAQ_PATH)
    assert errors(problems) == []
    assert faq is not None
    ids = {entry.id for entry in faq.entries}
    assert ids >= PUBLISHED_IDS, f"missing ids: {sorted(PUBLISHED_IDS - ids)}"
    assert len(ids) == len(faq.entries), "entry ids must be unique"


def test_by_default_load_faq_reads_the_clinics_copy_made_from_the_shipped_faq(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without FAQ_PATH the FAQ is BOT_DATA_DIR/faq.yaml, first copied from the shipped one."""
    monkeypatch.delenv("FAQ_PATH", raising=False)
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    faq = load_faq()
    assert faq.path == tmp_path / "faq.yaml"
    assert faq.path.read_bytes() == DEFAULT_FAQ_PATH.read_bytes()
    assert {e.id for e in faq.entries} >= PUBLISHED_IDS


def test_shipped_medical_entries_all_cite_references() -> None:
    faq = load_faq(DEFAULT_FAQ_PATH)
    for entry in faq.entries:
        if entry.kind == "medical":
            assert entry.references, entry.id
            assert all(ref.citation.strip() for ref in entry.references), entry.id


def test_minimal_faq_used_by_these_tests_is_clean(write_faq: Callable[[str], Path]) -> None:
    faq, problems = check_faq(write_faq(MINIMAL_FAQ))
    assert problems == []
    assert faq is not None
    assert [e.id for e in faq.entries] == ["what-is-dystonia", "contact-clinic"]


def test_faq_path_environment_variable_is_used_when_no_path_is_given(
    write_faq: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_faq(MINIMAL_FAQ)
    monkeypatch.setenv("FAQ_PATH", str(path))
    faq = load_faq()
    assert faq.path == path
    assert len(faq.entries) == 2


# -- reading the file ------------------------------------------------------------------


def test_yaml_syntax_error_points_at_the_unquoted_colon(write_faq: Callable[[str], Path]) -> None:
    text = mutate(
        MINIMAL_FAQ,
        "disclaimer: General information only, not medical advice.",
        "disclaimer: General information: not medical advice.",
    )
    problem = the_error(write_faq(text))
    assert "YAML syntax error" in problem.message
    line, col = position(text, "information: not")
    assert at(problem) == (line, col + len("information"))
    assert "quotes" in problem.hint


def test_bad_indentation_is_a_syntax_error_on_the_misaligned_line(
    write_faq: Callable[[str], Path],
) -> None:
    text = mutate(
        MINIMAL_FAQ, "    title: About dystonia\n", "    title: About dystonia\n   bad: x\n"
    )
    problem = the_error(write_faq(text))
    assert "YAML syntax error" in problem.message
    line, col = position(text, "bad: x")
    assert at(problem) == (line, col)
    assert "indentation" in problem.hint


def test_tab_indentation_is_reported_with_its_line(write_faq: Callable[[str], Path]) -> None:
    text = mutate(MINIMAL_FAQ, "    kind: info\n", "\tkind: info\n")
    problem = the_error(write_faq(text))
    assert problem.message == "tab character"
    assert at(problem) == position(text, "\t")
    assert "spaces" in problem.hint


def test_tab_inside_a_line_is_reported_at_its_column(write_faq: Callable[[str], Path]) -> None:
    text = mutate(MINIMAL_FAQ, "question: What is dystonia?", "question:\tWhat is dystonia?")
    problem = the_error(write_faq(text))
    assert at(problem) == position(text, "\t")


def test_every_line_with_a_tab_is_reported(write_faq: Callable[[str], Path]) -> None:
    text = mutate(MINIMAL_FAQ, "    kind: info\n", "\tkind: info\n")
    text = mutate(text, "  margin: 0.14\n", "\tmargin: 0.14\n")
    faq, problems = check_faq(write_faq(text))
    assert faq is None
    assert [at(p) for p in problems] == [position(text, "\t", 1), position(text, "\t", 2)]


@pytest.mark.parametrize("content", ["", "   \n\n  \n"], ids=["zero-bytes", "whitespace"])
def test_empty_file_is_reported_as_empty(write_faq: Callable[[str], Path], content: str) -> None:
    problem = the_error(write_faq(content))
    assert "empty" in problem.message
    assert at(problem) == (1, 1)
    assert problem.hint


def test_file_with_only_comments_is_reported_as_having_no_content(
    write_faq: Callable[[str], Path],
) -> None:
    problem = the_error(write_faq("# everything was deleted\n# by mistake\n"))
    assert "no YAML content" in problem.message
    assert at(problem) == (1, 1)


def test_binary_file_with_nul_bytes_is_reported_as_binary(
    write_faq: Callable[[bytes], Path],
) -> None:
    problem = the_error(write_faq(b"PK\x03\x04\x14\x00\x06\x00word/document.xml\x00\x00"))
    assert "binary" in problem.message
    assert at(problem) == (1, 1)
    assert "plain text" in problem.hint


def test_utf16_file_is_reported_as_binary_not_garbled(write_faq: Callable[[bytes], Path]) -> None:
    problem = the_error(write_faq(MINIMAL_FAQ.encode("utf-16")))
    assert "binary" in problem.message


def test_non_utf8_byte_is_reported_at_its_line_and_column(
    write_faq: Callable[[bytes], Path],
) -> None:
    raw = MINIMAL_FAQ.encode("utf-8").replace(b"Muscles tighten", b"Muscles tigh\xe9ten")
    problem = the_error(write_faq(raw))
    line, col = position(MINIMAL_FAQ, "Muscles tighten")
    assert at(problem) == (line, col + len("Muscles tigh"))
    assert "not UTF-8" in problem.message
    assert "0xe9" in problem.message
    assert "UTF-8" in problem.hint


def test_utf8_byte_order_mark_and_windows_line_endings_are_accepted(
    write_faq: Callable[[bytes], Path],
) -> None:
    raw = b"\xef\xbb\xbf" + MINIMAL_FAQ.replace("\n", "\r\n").encode("utf-8")
    faq, problems = check_faq(write_faq(raw))
    assert problems == []
    assert faq is not None


def test_tab_in_a_windows_line_ending_file_keeps_its_line(
    write_faq: Callable[[bytes], Path],
) -> None:
    text = mutate(MINIMAL_FAQ, "    kind: info\n", "\tkind: info\n")
    problem = the_error(write_faq(text.replace("\n", "\r\n").encode("utf-8")))
    assert at(problem) == position(text, "\t")


# -- structure and types ---------------------------------------------------------------


def test_top_level_list_is_reported_as_not_a_mapping(write_faq: Callable[[str], Path]) -> None:
    problem = the_error(write_faq("- id: what-is-dystonia\n- id: types\n"))
    assert "the top level must be a mapping" in problem.message
    assert at(problem) == (1, 1)


def test_unknown_entry_key_gets_a_did_you_mean_hint(write_faq: Callable[[str], Path]) -> None:
    text = mutate(MINIMAL_FAQ, "    see_also: [contact-clinic]", "    see_alsoo: [contact-clinic]")
    problem = the_error(write_faq(text))
    assert "unknown key 'see_alsoo'" in problem.message
    assert problem.hint == "did you mean 'see_also'?"
    assert at(problem) == position(text, "see_alsoo")


def test_unknown_top_level_key_gets_a_did_you_mean_hint(write_faq: Callable[[str], Path]) -> None:
    text = mutate(MINIMAL_FAQ, "synonyms:\n", "synonym:\n")
    problem = the_error(write_faq(text))
    assert "unknown key 'synonym'" in problem.message
    assert problem.hint == "did you mean 'synonyms'?"
    assert at(problem) == position(text, "synonym:")


def test_missing_entry_key_is_reported_at_its_entry(write_faq: Callable[[str], Path]) -> None:
    text = mutate(
        MINIMAL_FAQ,
        "    topic: about\n    question: What is dystonia?",
        "    question: What is dystonia?",
    )
    problem = the_error(write_faq(text))
    assert "missing the required key 'topic'" in problem.message
    assert at(problem) == position(text, "id: what-is-dystonia")


def test_missing_top_level_key_is_reported(write_faq: Callable[[str], Path]) -> None:
    text = mutate(
        MINIMAL_FAQ, "fallback: |-\n  Sorry, I have no answer to that.\n  {contact}\n", ""
    )
    problem = the_error(write_faq(text))
    assert "missing the required key 'fallback'" in problem.message
    assert at(problem) == position(text, "version: 1")


def test_alternates_written_as_text_is_a_wrong_type(write_faq: Callable[[str], Path]) -> None:
    text = mutate(MINIMAL_FAQ, CONTACT_ALTERNATES, "    alternates: phone number\n")
    problem = the_error(write_faq(text))
    assert "alternates must be a list" in problem.message
    assert at(problem) == position(text, "phone number")


def test_threshold_that_is_not_a_number_is_a_wrong_type(write_faq: Callable[[str], Path]) -> None:
    text = mutate(MINIMAL_FAQ, "  answer_threshold: 0.45", "  answer_threshold: high")
    problem = the_error(write_faq(text))
    assert problem.message == "answer_threshold must be a number"
    assert at(problem) == position(text, "high")


def test_threshold_out_of_range_is_reported(write_faq: Callable[[str], Path]) -> None:
    text = mutate(MINIMAL_FAQ, "  margin: 0.14", "  margin: 3")
    problem = the_error(write_faq(text))
    assert "margin must be between" in problem.message
    assert at(problem) == position(text, "3\n")


def test_clarify_threshold_above_answer_threshold_is_reported(
    write_faq: Callable[[str], Path],
) -> None:
    text = mutate(MINIMAL_FAQ, "  clarify_threshold: 0.30", "  clarify_threshold: 0.60")
    problem = the_error(write_faq(text))
    assert "must not be above answer_threshold" in problem.message
    assert at(problem) == position(text, "0.60")


def test_duplicate_key_in_an_entry_is_reported(write_faq: Callable[[str], Path]) -> None:
    text = mutate(
        MINIMAL_FAQ,
        "    topic: about\n    question: What is dystonia?",
        "    topic: about\n    topic: about\n    question: What is dystonia?",
    )
    problem = the_error(write_faq(text))
    assert "duplicate key 'topic'" in problem.message
    assert at(problem) == position(text, "topic: about", 2)


def test_duplicate_entry_id_names_the_first_line(write_faq: Callable[[str], Path]) -> None:
    text = mutate(MINIMAL_FAQ, "  - id: contact-clinic", "  - id: what-is-dystonia")
    problem = the_error(write_faq(text))
    first_line, _ = position(text, "what-is-dystonia", 1)
    assert "duplicate entry id 'what-is-dystonia'" in problem.message
    assert f"first on line {first_line}" in problem.message
    assert at(problem) == position(text, "what-is-dystonia", 2)


def test_same_phrasing_in_two_entries_is_reported_with_the_first_line(
    write_faq: Callable[[str], Path],
) -> None:
    # Case and punctuation differ; the words are the same, so it is the same phrasing.
    text = mutate(MINIMAL_FAQ, "      - email address", "      - Dystonia meaning?")
    problem = the_error(write_faq(text))
    first_line, _ = position(text, "dystonia meaning")
    assert "'what-is-dystonia'" in problem.message
    assert f"line {first_line}" in problem.message
    assert at(problem) == position(text, "Dystonia meaning?")


def test_reference_key_that_does_not_exist_is_reported_with_a_hint(
    write_faq: Callable[[str], Path],
) -> None:
    text = mutate(MINIMAL_FAQ, "    references: [clinic-page]", "    references: [clinic-pag]")
    problem = the_error(write_faq(text))
    assert "reference 'clinic-pag' is not in the references section" in problem.message
    assert problem.hint == "did you mean 'clinic-page'?"
    assert at(problem) == position(text, "clinic-pag]")


def test_medical_entry_without_references_is_reported(write_faq: Callable[[str], Path]) -> None:
    text = mutate(MINIMAL_FAQ, "    references: [clinic-page]\n", "")
    faq, problems = check_faq(write_faq(text))
    assert faq is None
    messages = [p.message for p in errors(problems)]
    assert any("medical answer without references" in m for m in messages), messages


def test_empty_answer_is_reported(write_faq: Callable[[str], Path]) -> None:
    text = mutate(
        MINIMAL_FAQ,
        "    answer: |-\n      Please get in touch with the clinic.\n      {contact}\n",
        '    answer: ""\n',
    )
    problem = the_error(write_faq(text))
    assert "the answer of entry 'contact-clinic' is empty" in problem.message
    line, col = position(text, 'answer: ""')
    assert at(problem) == (line, col + len("answer: "))


def _faq_answer_budget(write_faq: Callable[[str], Path]) -> int:
    faq = load_faq(write_faq(MINIMAL_FAQ))
    entry = faq.entries[0]
    return MESSAGE_LIMIT - (answer_message_length(faq, entry) - len(faq.fill(entry.answer)))


def test_answer_too_long_for_one_telegram_message_is_reported(
    write_faq: Callable[[str], Path],
) -> None:
    budget = _faq_answer_budget(write_faq)
    body = "Muscles tighten on their own. "
    long_answer = (body * (budget // len(body) + 2)).strip()
    text = mutate(
        MINIMAL_FAQ,
        "      Dystonia is a movement disorder.\n\n      Muscles tighten on their own.",
        "      " + long_answer,
    )
    problem = the_error(write_faq(text))
    assert "would make a" in problem.message
    assert f"Telegram allows {MESSAGE_LIMIT}" in problem.message
    assert problem.line == position(text, "answer: |-")[0]


@pytest.mark.parametrize(("extra", "accepted"), [(0, True), (1, False)])
def test_answer_length_limit_is_exactly_telegrams(
    write_faq: Callable[[str], Path], extra: int, accepted: bool
) -> None:
    budget = _faq_answer_budget(write_faq)
    text = mutate(
        MINIMAL_FAQ,
        "      Dystonia is a movement disorder.\n\n      Muscles tighten on their own.",
        "      " + "a" * (budget + extra),
    )
    faq, problems = check_faq(write_faq(text))
    assert (faq is not None) is accepted, problems


@pytest.mark.parametrize(
    ("garbled", "bad"),
    [
        ("theyโre", "โ"),  # a Thai letter where the apostrophe was (the source post's damage)
        ("theyâ€™re", "â€"),  # UTF-8 read as Windows-1252
        ("cafÃ© visits", "Ã©"),
        ("they\ufffdre", "\ufffd"),  # the replacement character
    ],
    ids=["thai", "cp1252-quote", "cp1252-accent", "replacement-char"],
)
def test_mojibake_is_reported_at_the_bad_character(
    write_faq: Callable[[str], Path], garbled: str, bad: str
) -> None:
    text = mutate(
        MINIMAL_FAQ,
        "      Muscles tighten on their own.",
        f"      Muscles tighten, {garbled} not weak.",
    )
    problem = the_error(write_faq(text))
    assert "garbled characters" in problem.message
    assert at(problem) == position(text, bad)


def test_mojibake_in_an_alternate_is_reported_at_the_bad_character(
    write_faq: Callable[[str], Path],
) -> None:
    text = mutate(MINIMAL_FAQ, "- tell me about dystonia", "- tell me â€˜about dystonia")
    faq, problems = check_faq(write_faq(text))
    assert faq is None
    [problem] = errors(problems)
    assert at(problem) == position(text, "â€")


def test_invalid_urgent_regex_points_at_the_unclosed_group(
    write_faq: Callable[[str], Path],
) -> None:
    text = mutate(MINIMAL_FAQ, "'\\bchok(e|es|ed|ing)\\b'", "'\\bchok(e|es|ed|ing\\b'")
    problem = the_error(write_faq(text))
    assert problem.message.startswith("invalid urgent pattern")
    assert at(problem) == position(text, "(e|es|ed|ing")


def test_urgent_regex_that_matches_empty_text_is_rejected(
    write_faq: Callable[[str], Path],
) -> None:
    text = mutate(MINIMAL_FAQ, "'\\bchok(e|es|ed|ing)\\b'", "'(choke)?'")
    problem = the_error(write_faq(text))
    assert "matches empty text" in problem.message
    assert at(problem) == position(text, "'(choke)?'")


def test_python_object_tag_is_reported_and_never_executed(
    write_faq: Callable[[str], Path], tmp_path: Path
) -> None:
    witness = tmp_path / "the-tag-ran"
    text = mutate(
        MINIMAL_FAQ,
        "disclaimer: General information only, not medical advice.",
        f"disclaimer: !!python/object/apply:os.system ['touch {witness}']",
    )
    path = write_faq(text)
    problem = the_error(path)
    assert "is not allowed" in problem.message
    assert "python/object/apply:os.system" in problem.message
    assert at(problem) == position(text, "!!python")
    with pytest.raises(FAQError):
        load_faq(path)
    assert not witness.exists(), "the YAML tag was executed"


def test_unknown_placeholder_is_reported(write_faq: Callable[[str], Path]) -> None:
    text = mutate(
        MINIMAL_FAQ,
        "    answer: |-\n      Please get in touch with the clinic.\n      {contact}\n",
        "    answer: Please call {phone} today.\n",
    )
    problem = the_error(write_faq(text))
    assert "unknown placeholder {phone}" in problem.message
    assert "{contact}" in problem.hint
    line, col = position(text, "{phone}")
    assert problem.line == line
    assert position(text, "Please call")[1] <= problem.col <= col


def test_see_also_to_a_missing_id_is_reported(write_faq: Callable[[str], Path]) -> None:
    text = mutate(MINIMAL_FAQ, "    see_also: [contact-clinic]", "    see_also: [contact-us]")
    problem = the_error(write_faq(text))
    assert "see_also 'contact-us'" in problem.message
    line, col = position(text, "contact-us")
    assert problem.line == line
    assert position(text, "[contact-us]")[1] <= problem.col <= col


def test_yaml_aliases_are_rejected(write_faq: Callable[[str], Path]) -> None:
    text = mutate(
        MINIMAL_FAQ,
        "disclaimer: General information only, not medical advice.",
        "disclaimer: &words General information only, not medical advice.",
    )
    text = mutate(
        text,
        "fallback: |-\n  Sorry, I have no answer to that.\n  {contact}\n",
        "fallback: *words\n",
    )
    faq, problems = check_faq(write_faq(text))
    assert faq is None
    assert any("aliases" in p.message for p in errors(problems))


def test_billion_laughs_is_rejected_quickly(write_faq: Callable[[str], Path]) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    faq, problems = check_faq(write_faq("\n".join(lines) + "\n"))
    assert faq is None
    assert errors(problems)


# -- properties across every broken file -----------------------------------------------


def _broken_files() -> dict[str, bytes]:
    def text(old: str, new: str) -> bytes:
        return mutate(MINIMAL_FAQ, old, new).encode("utf-8")

    return {
        "syntax": text("General information only,", "General information: only,"),
        "tab": text("    kind: info\n", "\tkind: info\n"),
        "empty": b"",
        "comments-only": b"# nothing\n",
        "binary": b"\x00\x01\x02\x03",
        "not-utf8": MINIMAL_FAQ.encode("utf-8").replace(b"Muscles", b"M\xfcscles"),
        "top-level-list": b"- a\n- b\n",
        "top-level-scalar": b"just some words\n",
        "unknown-key": text("    see_also:", "    see_alsoo:"),
        "missing-key": text("    topic: about\n    question: What is", "    question: What is"),
        "alternates-text": text(CONTACT_ALTERNATES, "    alternates: phone number\n"),
        "threshold-text": text("answer_threshold: 0.45", "answer_threshold: high"),
        "duplicate-id": text("  - id: contact-clinic", "  - id: what-is-dystonia"),
        "duplicate-phrasing": text("      - email address", "      - dystonia meaning"),
        "unknown-reference": text("[clinic-page]", "[clinic-pag]"),
        "empty-answer": text("      Please get in touch with the clinic.\n      {contact}\n", "\n"),
        "long-answer": text("      Muscles tighten on their own.", "      " + "word " * 1000),
        "mojibake": text("      Muscles tighten on their own.", "      theyโre tight."),
        "bad-regex": text("(e|es|ed|ing)\\b'", "(e|es|ed|ing\\b'"),
        "empty-regex": text("'\\bchok(e|es|ed|ing)\\b'", "'x*'"),
        "python-tag": text(
            "disclaimer: General information only, not medical advice.",
            "disclaimer: !!python/object/apply:os.getcwd []",
        ),
        "placeholder": text("      Please get in touch", "      Please {call} and get in touch"),
        "see-also": text("[contact-clinic]", "[contact-us]"),
        "entries-empty": text(MINIMAL_FAQ[MINIMAL_FAQ.index("entries:") :], "entries: []\n"),
        "unknown-topic": text("clinic\n    topic: about", "clinic\n    topic: abuot"),
        "bad-id": text("  - id: contact-clinic", "  - id: Contact Clinic"),
    }


BROKEN_FILES = _broken_files()


@pytest.mark.parametrize("name", sorted(BROKEN_FILES))
def test_load_faq_raises_only_faq_error_for_a_broken_file(
    write_faq: Callable[[bytes], Path], name: str
) -> None:
    path = write_faq(BROKEN_FILES[name])
    with pytest.raises(FAQError) as raised:
        load_faq(path)
    assert raised.value.problems
    assert all(p.severity == "error" for p in raised.value.problems)
    assert str(raised.value).startswith(f"{path}:")


@pytest.mark.parametrize("name", sorted(BROKEN_FILES))
def test_every_problem_is_located_at_line_and_column_one_or_more(
    write_faq: Callable[[bytes], Path], name: str
) -> None:
    path = write_faq(BROKEN_FILES[name])
    faq, problems = check_faq(path)
    assert faq is None
    assert errors(problems)
    for problem in problems:
        assert problem.path == str(path)
        assert problem.line >= 1, problem
        assert problem.col >= 1, problem
        assert str(problem).startswith(f"{path}:{problem.line}:{problem.col}: ")


def test_missing_file_is_a_located_problem_not_an_exception(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    faq, problems = check_faq(path)
    assert faq is None
    assert [(p.line, p.col, p.message) for p in problems] == [(1, 1, "file not found")]
    with pytest.raises(FAQError):
        load_faq(path)


def test_directory_instead_of_a_file_is_a_located_problem(tmp_path: Path) -> None:
    faq, problems = check_faq(tmp_path)
    assert faq is None
    assert [at(p) for p in problems] == [(1, 1)]
    with pytest.raises(FAQError):
        load_faq(tmp_path)


def test_problem_text_is_path_line_col_message_and_hint() -> None:
    problem = Problem("faq.yaml", 12, 7, "tab character", "use spaces")
    assert str(problem) == "faq.yaml:12:7: tab character (hint: use spaces)"
    assert str(Problem("faq.yaml", 3, 1, "no hint here")) == "faq.yaml:3:1: no hint here"
    warning = Problem("faq.yaml", 3, 1, "few alternates", severity="warning")
    assert str(warning) == "faq.yaml:3:1: warning: few alternates"


def test_faq_error_keeps_only_errors_sorted_by_location() -> None:
    late = Problem("f.yaml", 9, 1, "late")
    early = Problem("f.yaml", 2, 5, "early")
    warning = Problem("f.yaml", 1, 1, "just a warning", severity="warning")
    error = FAQError([late, warning, early])
    assert error.problems == [early, late]
    assert str(error) == "f.yaml:2:5: early\nf.yaml:9:1: late"
    with pytest.raises(ValueError, match="at least one error"):
        FAQError([warning])


# -- warnings do not fail the check ----------------------------------------------------


def test_fewer_than_eight_alternates_is_only_a_warning(write_faq: Callable[[str], Path]) -> None:
    text = mutate(MINIMAL_FAQ, "      - i want to see a doctor\n", "")
    path = write_faq(text)
    faq, problems = check_faq(path)
    assert faq is not None
    assert [p.severity for p in problems] == ["warning"]
    assert "7 alternate phrasings" in problems[0].message
    assert at(problems[0]) == position(text, "- phone number")
    entry = load_faq(path).entry("contact-clinic")
    assert entry is not None
    assert len(entry.alternates) == 7


def test_unused_reference_and_empty_topic_are_only_warnings(
    write_faq: Callable[[str], Path],
) -> None:
    text = mutate(
        MINIMAL_FAQ,
        "    title: About dystonia\n",
        "    title: About dystonia\n  - id: spare\n    title: Spare topic\n",
    )
    text = mutate(
        text,
        "references:\n",
        "references:\n  unused-paper:\n    citation: Somebody (2020). A paper nobody cites.\n",
    )
    faq, problems = check_faq(write_faq(text))
    assert faq is not None
    assert {p.severity for p in problems} == {"warning"}
    assert {at(p) for p in problems} == {position(text, "spare"), position(text, "unused-paper")}


# -- unusual input that must still give one located problem --------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("answer_threshold: 0.45", "answer_threshold: 0x1"),
        ("margin: 0.14", "margin: .inf"),
        ("margin: 0.14", "margin: .nan"),
        ("version: 1", "version: 1:00"),
    ],
    ids=["hex", "inf", "nan", "sexagesimal"],
)
def test_yaml_only_number_forms_are_reported_not_raised(
    write_faq: Callable[[str], Path], old: str, new: str
) -> None:
    # YAML 1.1 reads these as numbers, but Python's float() cannot (or gets inf/nan).
    text = mutate(MINIMAL_FAQ, old, new)
    problem = the_error(write_faq(text))
    assert "number" in problem.message
    key, _ = new.split(": ", 1)
    line, col = position(text, new)
    assert at(problem) == (line, col + len(key) + 2)


def test_underscores_in_a_number_are_read_as_yaml_does(write_faq: Callable[[str], Path]) -> None:
    text = mutate(MINIMAL_FAQ, "version: 1", "version: 1_0")
    problem = the_error(write_faq(text))
    assert "not 10" in problem.message


@pytest.mark.parametrize("char", ["\x0b", "\x07", "\x1b"], ids=["vertical-tab", "bell", "escape"])
def test_control_character_is_reported_where_it_is(
    write_faq: Callable[[str], Path], char: str
) -> None:
    # \x0b is what a word processor's manual line break becomes when pasted.
    text = mutate(MINIMAL_FAQ, "Muscles tighten on", f"Muscles tighten{char}on")
    problem = the_error(write_faq(text))
    assert at(problem) == position(text, char)


def test_unclosed_quote_is_reported_where_it_opens(write_faq: Callable[[str], Path]) -> None:
    text = mutate(MINIMAL_FAQ, "question: What is dystonia?", 'question: "What is dystonia?')
    problem = the_error(write_faq(text))
    assert "not closed" in problem.hint
    assert at(problem) == position(text, '"What is')


def test_unclosed_bracket_is_reported_inside_the_file(write_faq: Callable[[str], Path]) -> None:
    text = mutate(MINIMAL_FAQ, "    see_also: [contact-clinic]", "    see_also: [contact-clinic")
    problem = the_error(write_faq(text))
    assert "YAML syntax error" in problem.message
    assert 1 <= problem.line <= text.count("\n")


def test_deeply_nested_yaml_raises_faq_error(write_faq: Callable[[str], Path]) -> None:
    path = write_faq("a: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(FAQError):
        load_faq(path)


@pytest.mark.parametrize("char", ["\x0c", "\x1c"], ids=["form-feed", "file-separator"])
def test_tab_line_counts_only_newlines(write_faq: Callable[[str], Path], char: str) -> None:
    text = mutate(MINIMAL_FAQ, "Muscles tighten on", f"Muscles tighten{char}on")
    text = mutate(text, "    kind: info\n", "\tkind: info\n")
    faq, problems = check_faq(write_faq(text))
    assert faq is None
    assert at(problems[0]) == position(text, "\t")


def test_invalid_regex_in_double_quotes_points_at_the_pattern_not_a_wrong_character(
    write_faq: Callable[[str], Path],
) -> None:
    # In double quotes "\\b" is two characters in the file but one in the pattern, so the
    # error's offset in the pattern is not its offset in the line: the checker must point
    # at the pattern itself or at the real error, never at a character in between.
    text = mutate(MINIMAL_FAQ, "'\\bchok(e|es|ed|ing)\\b'", '"\\\\bchok(e|es|ed|ing\\\\b"')
    problem = the_error(write_faq(text))
    assert problem.message.startswith("invalid urgent pattern")
    assert at(problem) in {position(text, '"\\\\bchok'), position(text, "(e|es|ed|ing")}


def test_invalid_unless_pattern_is_reported_where_it_is(
    write_faq: Callable[[str], Path],
) -> None:
    """`unless:` patterns are checked like `any:` ones: a broken one is never silently dropped."""
    text = mutate(
        MINIMAL_FAQ,
        "        - '\\bchok(e|es|ed|ing)\\b'\n",
        "        - '\\bchok(e|es|ed|ing)\\b'\n      unless:\n        - '^(can|does dystonia'\n",
    )
    problem = the_error(write_faq(text))
    assert problem.message.startswith("invalid urgent pattern")
    assert at(problem)[0] == position(text, "'^(can")[0]


def test_unless_pattern_silences_its_rule_once_loaded(write_faq: Callable[[str], Path]) -> None:
    text = mutate(
        MINIMAL_FAQ,
        "        - '\\bchok(e|es|ed|ing)\\b'\n",
        "        - '\\bchok(e|es|ed|ing)\\b'\n      unless:\n        - '^does dystonia'\n",
    )
    faq, problems = check_faq(write_faq(text))
    assert faq is not None, problems
    assert faq.urgent_rules[0].unless == ("^does dystonia",)
    assert matcher_for(faq).urgent_rule("does dystonia cause choking") is None
    assert matcher_for(faq).urgent_rule("he is choking") == "choking"


@pytest.mark.parametrize("char", ["\u2028", "\x85"], ids=["line-sep", "nel"])
def test_unicode_line_separator_is_reported_where_it_is(
    write_faq: Callable[[str], Path], char: str
) -> None:
    text = mutate(MINIMAL_FAQ, "a movement disorder", f"a{char}movement disorder")
    problem = the_error(write_faq(text))
    assert at(problem) == position(text, char)


def test_medical_answer_with_an_empty_reference_list_is_an_error(
    write_faq: Callable[[str], Path],
) -> None:
    text = mutate(MINIMAL_FAQ, "    references: [clinic-page]", "    references: []")
    problem = the_error(write_faq(text))
    assert "medical answer without references" in problem.message


def test_urgent_pattern_with_an_apostrophe_is_an_error_because_it_could_never_match(
    write_faq: Callable[[str], Path],
) -> None:
    text = mutate(MINIMAL_FAQ, "        - '\\bchok(e|es|ed|ing)\\b'", '        - "can\'t breathe"')
    problem = the_error(write_faq(text))
    assert "apostrophe" in problem.message
    assert "cant" in problem.hint


def test_unknown_placeholder_in_the_fallback_is_an_error(
    write_faq: Callable[[str], Path],
) -> None:
    text = mutate(MINIMAL_FAQ, "  Sorry, I have no answer to that.", "  Sorry. {contct}")
    problem = the_error(write_faq(text))
    assert "unknown placeholder {contct} in the fallback" in problem.message


@pytest.mark.parametrize(
    "personal",
    ["call me on 98765 43210", "my email is asha.k@example.com", "ask @asha_k", "id 4471923"],
)
def test_a_phrasing_with_a_patients_details_is_refused(
    write_faq: Callable[[str], Path], personal: str
) -> None:
    """Phone numbers, e-mails, @usernames and long numbers never become FAQ content."""
    text = mutate(
        MINIMAL_FAQ, "      - opening hours\n", f"      - opening hours\n      - {personal}\n"
    )
    problem = the_error(write_faq(text))
    assert at(problem) == position(text, personal)
    assert "phone number, e-mail address" in problem.message
    assert "patient's details" in problem.hint
