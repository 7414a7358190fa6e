"""The optional not_covered section: checked like entries, every problem located."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from faq.loader import check_faq
from faq.model import NotCovered
from tests.test_checker import MINIMAL_FAQ, at, errors, mutate, position, the_error
from tests.test_schema import NOT_COVERED

BASE = MINIMAL_FAQ + NOT_COVERED


@pytest.fixture
def write_faq(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str) -> Path:
        path = tmp_path / "faq.yaml"
        path.write_bytes(text.encode("utf-8"))
        return path

    return write


def edit(old: str, new: str) -> str:
    return mutate(BASE, old, new)


def test_not_covered_section_is_loaded_into_the_model(write_faq: Callable[[str], Path]) -> None:
    """A valid section passes without problems and becomes NotCovered items."""
    faq, problems = check_faq(write_faq(BASE))
    assert problems == []
    assert faq is not None
    [item] = faq.not_covered
    assert item == NotCovered(
        id="medicines-and-doses",
        topic="medicines or doses",
        phrasings=(
            "which medicine should i take for dystonia",
            "how much of my tablets can i take",
            "can i change my dose",
        ),
        reply="The clinic's information here does not cover medicines or doses.\n{contact}",
    )


def test_faq_without_not_covered_has_an_empty_section(write_faq: Callable[[str], Path]) -> None:
    """The section is optional: leaving it out gives an empty tuple."""
    faq, _ = check_faq(write_faq(MINIMAL_FAQ))
    assert faq is not None
    assert faq.not_covered == ()


def test_badly_formed_id_is_reported_at_the_id(write_faq: Callable[[str], Path]) -> None:
    """Ids follow the entry-id rule: lowercase words joined by '-'."""
    text = edit("id: medicines-and-doses", "id: Medicines and doses")
    problem = the_error(write_faq(text))
    assert "not_covered id 'Medicines and doses' must be lowercase words" in problem.message
    assert at(problem) == position(text, "Medicines and doses")


def test_id_already_used_by_an_entry_names_the_entry_line(
    write_faq: Callable[[str], Path],
) -> None:
    """An id may not be shared with an entry: /start links would become ambiguous."""
    text = edit("id: medicines-and-doses", "id: contact-clinic")
    problem = the_error(write_faq(text))
    first_line, _ = position(text, "contact-clinic\n")
    assert problem.message == (
        f"not_covered id 'contact-clinic' is already used on line {first_line}"
    )
    assert at(problem) == position(text, "contact-clinic", 3)


def test_two_items_with_one_id_are_reported(write_faq: Callable[[str], Path]) -> None:
    """Two not_covered items may not share an id."""
    second = (
        NOT_COVERED.removeprefix("not_covered:\n")
        .replace("which medicine", "what medicine")
        .replace("how much of", "how many of")
        .replace("can i change", "may i change")
    )
    text = BASE + second
    problem = the_error(write_faq(text))
    assert "not_covered id 'medicines-and-doses' is already used on line" in problem.message
    assert at(problem) == position(text, "medicines-and-doses", 2)


def test_fewer_than_three_phrasings_is_an_error_at_the_list(
    write_faq: Callable[[str], Path],
) -> None:
    """At least three phrasings are needed to recognise the subject."""
    text = edit("      - can i change my dose\n", "")
    problem = the_error(write_faq(text))
    assert problem.message == "not_covered 'medicines-and-doses' has 2 phrasings"
    assert "at least 3" in problem.hint
    assert at(problem) == position(text, "- which medicine")


def test_phrasing_that_is_also_an_entry_phrasing_is_reported(
    write_faq: Callable[[str], Path],
) -> None:
    """A phrasing may belong to one place only, entries included."""
    text = edit("      - can i change my dose", "      - Phone number?")
    problem = the_error(write_faq(text))
    line, _ = position(text, "- phone number")
    assert problem.message == (
        f"'Phone number?' is also a phrasing of entry 'contact-clinic' (line {line})"
    )
    assert at(problem) == position(text, "Phone number?")


def test_phrasing_repeated_inside_one_item_is_an_error(write_faq: Callable[[str], Path]) -> None:
    """Three phrasings means three different ones."""
    text = edit("      - can i change my dose", "      - how much of my tablets can I take")
    problem = the_error(write_faq(text))
    assert "appears twice in not_covered 'medicines-and-doses'" in problem.message
    assert at(problem) == position(text, "how much of my tablets can I take")


def test_empty_reply_is_reported(write_faq: Callable[[str], Path]) -> None:
    """The reply must say something."""
    old = (
        "    reply: |-\n      The clinic's information here does not cover medicines or doses.\n"
        "      {contact}\n"
    )
    text = edit(old, '    reply: ""\n')
    problem = the_error(write_faq(text))
    assert problem.message == "the reply of not_covered 'medicines-and-doses' is empty"
    line, col = position(text, 'reply: ""')
    assert at(problem) == (line, col + len("reply: "))


def test_unknown_placeholder_in_the_reply_is_reported(write_faq: Callable[[str], Path]) -> None:
    """Only {contact} is replaced; anything else would reach patients as typed."""
    text = edit("doses.\n      {contact}\n", "doses.\n      {phone}\n")
    problem = the_error(write_faq(text))
    assert problem.message == (
        "unknown placeholder {phone} in the reply of not_covered 'medicines-and-doses'"
    )
    assert position(text, "reply: |-")[0] == problem.line


def test_mojibake_in_the_reply_is_reported_at_the_character(
    write_faq: Callable[[str], Path],
) -> None:
    """Encoding damage is caught in replies as in answers."""
    text = edit("The clinic's information", "The clinicâ€™s information")
    problem = the_error(write_faq(text))
    assert "garbled characters" in problem.message
    assert at(problem) == position(text, "â€")


def test_unknown_key_in_an_item_gets_a_did_you_mean(write_faq: Callable[[str], Path]) -> None:
    """A misspelt key is named with the key it was probably meant to be."""
    text = edit("    reply: |-", "    replly: |-")
    faq, problems = check_faq(write_faq(text))
    assert faq is None
    messages = [(p.message, p.hint) for p in errors(problems)]
    assert ("unknown key 'replly' in a not_covered item", "did you mean 'reply'?") in messages


def test_section_that_is_not_a_list_is_reported(write_faq: Callable[[str], Path]) -> None:
    """not_covered holds '- ' items like entries."""
    text = MINIMAL_FAQ + "not_covered: medicines\n"
    problem = the_error(write_faq(text))
    assert problem.message == "not_covered must be a list (lines starting with '- ')"
    assert at(problem) == position(text, "medicines\n")


def test_reply_too_long_for_one_message_is_reported(write_faq: Callable[[str], Path]) -> None:
    """The reply and the disclaimer must fit in one Telegram message."""
    text = edit("doses.\n      {contact}\n", "doses.\n      " + "word " * 900 + "\n")
    problem = the_error(write_faq(text))
    assert "would make a" in problem.message
    assert problem.line == position(text, "reply: |-")[0]
