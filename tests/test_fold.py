"""fold(): the one normal form every question and phrasing is compared in."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from faq.text import fold, fold_by_unicode_rules, screen_form, words_only


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_the_ascii_shortcut_folds_exactly_as_the_unicode_rules_do(text: str) -> None:
    assert fold(text) == fold_by_unicode_rules(text)


def test_controls_become_spaces_or_vanish_and_accents_go() -> None:
    assert fold("I CAN'T\tbreathe\x00\x7f") == "i can't breathe"
    assert fold("Café Dystonía") == "cafe dystonia"


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_the_urgent_screens_ascii_shortcut_keeps_exactly_letters_and_digits(text: str) -> None:
    assert screen_form(text) == words_only(
        fold_by_unicode_rules(text).replace("'", "").replace("`", "")
    )
