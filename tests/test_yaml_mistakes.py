"""The YAML mistakes staff really make get a plain-words message and hint at the right line.

Each test breaks the tiny FAQ the way a person editing it by hand does (an extra space, a
forgotten ':' or '- ', quotes pasted from Word) and states the expected position by
searching the broken text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from faq.loader import check_faq
from tests.test_checker import MINIMAL_FAQ, at, mutate, position, the_error


@pytest.fixture
def write_faq(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str) -> Path:
        path = tmp_path / "faq.yaml"
        path.write_bytes(text.encode("utf-8"))
        return path

    return write


def test_line_indented_too_far_is_named_as_indentation_not_a_colon_in_text(
    write_faq: Callable[[str], Path],
) -> None:
    """Two extra spaces before a key: the line itself, and which key to line it up with."""
    text = mutate(
        MINIMAL_FAQ,
        "    topic: about\n    question: What is dystonia?",
        "    topic: about\n      question: What is dystonia?",
    )
    problem = the_error(write_faq(text))
    assert (
        problem.message == "YAML syntax error: 'question:' is indented further than the line above"
    )
    topic_line, _ = position(text, "topic: about")
    assert problem.hint == (
        f"line it up with 'topic:' on line {topic_line}, with the same number of spaces"
    )
    assert at(problem) == position(text, "question: What is dystonia?")
    assert "quotes" not in problem.hint


def test_line_under_a_list_item_indented_too_far_names_the_key_above(
    write_faq: Callable[[str], Path],
) -> None:
    """The first key after '- id:' lines up with 'id', not with the dash."""
    text = mutate(
        MINIMAL_FAQ, "  - id: contact-clinic\n    topic:", "  - id: contact-clinic\n      topic:"
    )
    problem = the_error(write_faq(text))
    assert "'topic:' is indented further than the line above" in problem.message
    assert "'id:'" in problem.hint
    line, _ = position(text, "  - id: contact-clinic\n      topic:")
    assert at(problem) == (line + 1, 7)


def test_missing_colon_after_a_key_is_reported_on_its_own_line(
    write_faq: Callable[[str], Path],
) -> None:
    """PyYAML notices a line late; the report is on the line that lacks the ':'."""
    text = mutate(MINIMAL_FAQ, "    question: What is dystonia?", "    question What is dystonia?")
    problem = the_error(write_faq(text))
    assert problem.message == "YAML syntax error: there is no ':' after 'question'"
    assert problem.hint == "write 'question: ' and then the text"
    line, col = position(text, "question What")
    assert at(problem) == (line, col + len("question"))


def test_missing_dash_before_a_list_item_is_named(write_faq: Callable[[str], Path]) -> None:
    """An alternate typed without its '- ' is pointed out on its own line."""
    text = mutate(MINIMAL_FAQ, "      - explain dystonia to me", "      explain dystonia to me")
    problem = the_error(write_faq(text))
    assert problem.message == "YAML syntax error: this list item has no '- ' in front of it"
    assert "'- '" in problem.hint
    assert at(problem) == position(text, "explain dystonia to me")


def test_new_entry_without_its_dash_at_the_dash_column_is_named(
    write_faq: Callable[[str], Path],
) -> None:
    """A copied entry whose '- ' was lost lines up with the dashes: say so."""
    text = mutate(MINIMAL_FAQ, "  - id: contact-clinic", "  id: contact-clinic")
    problem = the_error(write_faq(text))
    assert problem.message == (
        "YAML syntax error: this line lines up with the '- ' items above but has no '- '"
    )
    assert "put '- ' in front" in problem.hint
    assert at(problem) == position(text, "id: contact-clinic")


def test_new_entry_without_its_dash_at_the_key_column_suggests_the_dash(
    write_faq: Callable[[str], Path],
) -> None:
    """Without the '- ', a second entry's keys merge into the first: the second id says why."""
    text = mutate(
        MINIMAL_FAQ,
        "    see_also: [contact-clinic]\n  - id: contact-clinic",
        "    see_also: [contact-clinic]\n\n    id: contact-clinic",
    )
    faq, problems = check_faq(write_faq(text))
    assert faq is None
    first = min(p for p in problems if p.severity == "error")
    assert first.message == "duplicate key 'id' in an entry"
    assert first.hint == "to start a new item here, put '- ' in front of 'id:'"
    assert at(first) == position(text, "id: contact-clinic")


def test_curly_quotes_around_text_with_a_colon_are_named_as_the_cause(
    write_faq: Callable[[str], Path],
) -> None:
    """Word's “ ” are not YAML quotes, so the ':' inside breaks the line: name them."""
    text = mutate(
        MINIMAL_FAQ,
        "disclaimer: General information only, not medical advice.",
        "disclaimer: \u201cGeneral information: not medical advice.\u201d",
    )
    problem = the_error(write_faq(text))
    assert "curly quotes" in problem.message
    assert "straight" in problem.hint
    assert "Word" in problem.hint
    assert at(problem) == position(text, "\u201c")


def test_curly_quotes_around_plain_text_are_a_warning_naming_them(
    write_faq: Callable[[str], Path],
) -> None:
    """Without a ':' the file still loads, but patients would see the quotes: warn."""
    text = mutate(
        MINIMAL_FAQ, "question: What is dystonia?", "question: \u201cWhat is dystonia?\u201d"
    )
    faq, problems = check_faq(write_faq(text))
    assert faq is not None
    [problem] = problems
    assert problem.severity == "warning"
    assert "curly quotes" in problem.message
    assert at(problem) == position(text, "\u201cWhat")


def test_colon_inside_unquoted_text_says_to_quote_it(write_faq: Callable[[str], Path]) -> None:
    """A ': ' in the middle of a value: the colon's place, and quoting as the fix."""
    text = mutate(
        MINIMAL_FAQ,
        "question: How do I contact the clinic?",
        "question: Contact: how do I reach the clinic?",
    )
    problem = the_error(write_faq(text))
    assert problem.message == "YAML syntax error: mapping values are not allowed here"
    assert problem.hint == "a ':' inside text needs the whole text in quotes"
    line, col = position(text, "Contact: how")
    assert at(problem) == (line, col + len("Contact"))


def test_colon_inside_an_unquoted_alternate_says_to_quote_it(
    write_faq: Callable[[str], Path],
) -> None:
    """'- word: more words' is valid YAML (a pair), so the item is not text: say why."""
    text = mutate(MINIMAL_FAQ, "      - email address", "      - email: what is your address")
    problem = the_error(write_faq(text))
    assert problem.message == "each item of alternates must be text, not a list or mapping"
    assert "quotes" in problem.hint
    assert at(problem) == position(text, "email: what")


def test_list_item_indented_too_far_is_not_silently_joined_to_the_one_above(
    write_faq: Callable[[str], Path],
) -> None:
    """YAML reads a deeper '- ' as part of the item above; the checker refuses that."""
    text = mutate(MINIMAL_FAQ, "      - explain dystonia to me", "        - explain dystonia to me")
    problem = the_error(write_faq(text))
    assert "indented further than the items above" in problem.message
    assert "line its '- ' up" in problem.hint
    assert at(problem) == position(text, "- explain dystonia")
